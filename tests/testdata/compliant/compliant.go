package compliant

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Image is a digest-pinned image, so the advisory digest and pull-policy policies stay quiet.
const Image = "registry.example.com/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// Container is a compliant container serving HTTP on 8080 with probes, sizes and the restricted
// security context.
func Container(name string) corev1.ContainerArgs {
	probe := &corev1.ProbeArgs{HttpGet: corev1.HTTPGetActionArgs{Path: pulumi.String("/healthz"), Port: pulumi.Int(8080)}}
	return corev1.ContainerArgs{
		Name:            pulumi.String(name),
		Image:           pulumi.String(Image),
		ImagePullPolicy: pulumi.String("IfNotPresent"),
		Ports:           corev1.ContainerPortArray{corev1.ContainerPortArgs{ContainerPort: pulumi.Int(8080)}},
		LivenessProbe:   probe,
		ReadinessProbe:  probe,
		Resources: corev1.ResourceRequirementsArgs{
			Requests: pulumi.StringMap{"cpu": pulumi.String("100m"), "memory": pulumi.String("128Mi")},
			Limits:   pulumi.StringMap{"cpu": pulumi.String("500m"), "memory": pulumi.String("256Mi")},
		},
		SecurityContext: corev1.SecurityContextArgs{
			RunAsNonRoot:             pulumi.Bool(true),
			AllowPrivilegeEscalation: pulumi.Bool(false),
			ReadOnlyRootFilesystem:   pulumi.Bool(true),
			Capabilities:             corev1.CapabilitiesArgs{Drop: pulumi.ToStringArray([]string{"ALL"})},
			SeccompProfile:           corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
		},
	}
}

// UntypedContainer is Container's sizes and security context as a custom resource's pod template
// holds them (untyped), for a container that runs to completion: no ports or probes.
func UntypedContainer(name string) map[string]any {
	return map[string]any{
		"name": name, "image": Image, "imagePullPolicy": "IfNotPresent",
		"resources": map[string]any{
			"requests": map[string]any{"cpu": "100m", "memory": "128Mi"},
			"limits":   map[string]any{"cpu": "500m", "memory": "256Mi"},
		},
		"securityContext": map[string]any{"runAsNonRoot": true, "allowPrivilegeEscalation": false,
			"readOnlyRootFilesystem": true, "capabilities": map[string]any{"drop": []any{"ALL"}},
			"seccompProfile": map[string]any{"type": "RuntimeDefault"}},
	}
}

// Steps runs a program's steps in order, stopping at the first error.
func Steps(steps ...func(*pulumi.Context) error) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		for _, step := range steps {
			if err := step(ctx); err != nil {
				return err
			}
		}
		return nil
	}
}

// Foundation registers a namespace that enforces Pod Security restricted and its default-deny
// NetworkPolicy (ingress and egress), as the pack requires.
func Foundation(namespace string) func(*pulumi.Context) error {
	return func(ctx *pulumi.Context) error {
		if _, err := corev1.NewNamespace(ctx, namespace, &corev1.NamespaceArgs{
			Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(namespace), Labels: pulumi.StringMap{
				"pod-security.kubernetes.io/enforce": pulumi.String("restricted"), "pod-security.kubernetes.io/enforce-version": pulumi.String("v1.34"),
			}},
		}); err != nil {
			return err
		}
		_, err := networkingv1.NewNetworkPolicy(ctx, "default-deny", &networkingv1.NetworkPolicyArgs{
			Metadata: metav1.ObjectMetaArgs{Name: pulumi.String("default-deny"), Namespace: pulumi.String(namespace)},
			Spec:     networkingv1.NetworkPolicySpecArgs{PodSelector: metav1.LabelSelectorArgs{}, PolicyTypes: pulumi.ToStringArray([]string{"Ingress", "Egress"})},
		})
		return err
	}
}
