package badstack

import (
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/tests/testdata/compliant"
)

// Namespace is where every object of the bad program lives.
const Namespace = "bad-stack"

// Expected maps each mandatory policy the program violates to the Pulumi names of the resources that
// violate it. secret-data-is-pulumi-secret is not among them: the Go SDK's corev1.NewSecret marks data
// and stringData secret by itself, so a typed program cannot break it (its unit tests cover it).
var Expected = map[string][]string{
	"database-runs-as-statefulset": {"postgres"},
	"no-literal-credentials":       {"grafana"},
	"workload-probes":              {"celery-worker"},
	"rwx-storage-class":            {"shared-uploads"},
	"image-tag-not-latest":         {"api"},
	"pdb-coverage":                 {"frontend"},
	"ingress-tls":                  {"public"},
	"ingress-backend-exists":       {"public"},
	"container-resources":          {"no-limits"},
	"pod-security-standards":       {"host-network", "runs-as-root"},
}

// workload is a compliant single-container Deployment; edit breaks exactly one thing.
func workload(ctx *pulumi.Context, name string, replicas int, edit func(*corev1.PodSpecArgs, *corev1.ContainerArgs)) error {
	labels := pulumi.StringMap{"app.kubernetes.io/name": pulumi.String(name)}
	c := compliant.Container(name)
	spec := corev1.PodSpecArgs{
		AutomountServiceAccountToken: pulumi.Bool(false),
		TopologySpreadConstraints: corev1.TopologySpreadConstraintArray{corev1.TopologySpreadConstraintArgs{
			MaxSkew: pulumi.Int(1), TopologyKey: pulumi.String("kubernetes.io/hostname"),
			WhenUnsatisfiable: pulumi.String("ScheduleAnyway"), LabelSelector: metav1.LabelSelectorArgs{MatchLabels: labels},
		}},
	}
	if edit != nil {
		edit(&spec, &c)
	}
	spec.Containers = corev1.ContainerArray{c}
	_, err := appsv1.NewDeployment(ctx, name, &appsv1.DeploymentArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(name), Namespace: pulumi.String(Namespace)},
		Spec: appsv1.DeploymentSpecArgs{
			Replicas: pulumi.Int(replicas),
			Selector: metav1.LabelSelectorArgs{MatchLabels: labels},
			Template: corev1.PodTemplateSpecArgs{Metadata: metav1.ObjectMetaArgs{Labels: labels}, Spec: spec},
		},
	})
	return err
}

// Program registers the bad stack.
func Program(ctx *pulumi.Context) error {
	if _, err := corev1.NewNamespace(ctx, Namespace, &corev1.NamespaceArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(Namespace), Labels: pulumi.StringMap{
			"pod-security.kubernetes.io/enforce": pulumi.String("restricted"),
		}},
	}); err != nil {
		return err
	}
	if _, err := networkingv1.NewNetworkPolicy(ctx, "default-deny", &networkingv1.NetworkPolicyArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String("default-deny"), Namespace: pulumi.String(Namespace)},
		Spec: networkingv1.NetworkPolicySpecArgs{
			PodSelector: metav1.LabelSelectorArgs{},
			PolicyTypes: pulumi.ToStringArray([]string{"Ingress", "Egress"}),
		},
	}); err != nil {
		return err
	}
	steps := []struct {
		name     string
		replicas int
		edit     func(*corev1.PodSpecArgs, *corev1.ContainerArgs)
	}{
		// The review's finding 3: a database as a single-replica Deployment.
		{"postgres", 1, func(_ *corev1.PodSpecArgs, c *corev1.ContainerArgs) {
			c.Image = pulumi.String("pgvector/pgvector@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
		}},
		// The review's finding 2: Grafana's admin password as a literal.
		{"grafana", 1, func(_ *corev1.PodSpecArgs, c *corev1.ContainerArgs) {
			c.Env = corev1.EnvVarArray{corev1.EnvVarArgs{Name: pulumi.String("GF_SECURITY_ADMIN_PASSWORD"), Value: pulumi.String("jdjones-admin")}}
		}},
		// The review's finding 1: a worker without probes.
		{"celery-worker", 1, func(_ *corev1.PodSpecArgs, c *corev1.ContainerArgs) {
			c.LivenessProbe, c.ReadinessProbe = nil, nil
		}},
		{"api", 1, func(_ *corev1.PodSpecArgs, c *corev1.ContainerArgs) {
			c.Image = pulumi.String("ghcr.io/jdjones/rag-api:latest")
		}},
		{"frontend", 3, nil},
		{"no-limits", 1, func(_ *corev1.PodSpecArgs, c *corev1.ContainerArgs) {
			c.Resources = nil
		}},
		{"host-network", 1, func(p *corev1.PodSpecArgs, _ *corev1.ContainerArgs) {
			p.HostNetwork = pulumi.Bool(true)
		}},
		{"runs-as-root", 1, func(_ *corev1.PodSpecArgs, c *corev1.ContainerArgs) {
			sc := c.SecurityContext.(corev1.SecurityContextArgs)
			sc.RunAsNonRoot = pulumi.Bool(false)
			c.SecurityContext = sc
		}},
	}
	for _, s := range steps {
		if err := workload(ctx, s.name, s.replicas, s.edit); err != nil {
			return err
		}
	}
	// The review's finding 4: a ReadWriteMany claim on a block storage class.
	if _, err := corev1.NewPersistentVolumeClaim(ctx, "shared-uploads", &corev1.PersistentVolumeClaimArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String("shared-uploads"), Namespace: pulumi.String(Namespace)},
		Spec: corev1.PersistentVolumeClaimSpecArgs{
			AccessModes:      pulumi.ToStringArray([]string{"ReadWriteMany"}),
			StorageClassName: pulumi.String("standard"),
			Resources:        corev1.VolumeResourceRequirementsArgs{Requests: pulumi.StringMap{"storage": pulumi.String("20Gi")}},
		},
	}); err != nil {
		return err
	}
	// An Ingress without TLS, routing to a Service that does not exist.
	_, err := networkingv1.NewIngress(ctx, "public", &networkingv1.IngressArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String("public"), Namespace: pulumi.String(Namespace)},
		Spec: networkingv1.IngressSpecArgs{
			Rules: networkingv1.IngressRuleArray{networkingv1.IngressRuleArgs{
				Host: pulumi.String("bad.example.com"),
				Http: networkingv1.HTTPIngressRuleValueArgs{Paths: networkingv1.HTTPIngressPathArray{networkingv1.HTTPIngressPathArgs{
					Path: pulumi.String("/"), PathType: pulumi.String("Prefix"),
					Backend: networkingv1.IngressBackendArgs{Service: networkingv1.IngressServiceBackendArgs{
						Name: pulumi.String("missing"), Port: networkingv1.ServiceBackendPortArgs{Number: pulumi.Int(80)},
					}},
				}}},
			}},
		},
	})
	return err
}
