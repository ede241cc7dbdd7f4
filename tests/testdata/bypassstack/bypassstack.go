package bypassstack

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/tests/testdata/compliant"
)

// Namespace is where every object of the program lives.
const Namespace = "bypass-stack"

// Expected maps each mandatory policy the program violates to the Pulumi names of the resources that
// violate it (sorted).
var Expected = map[string][]string{
	"pod-security-standards": {"canary-rollout", "privileged-patch"},
	"namespace-pod-security": {"lower-pod-security"},
	"container-resources":    {"legacy-rc"},
	"workload-probes":        {"node-agent", "with-sidecar"},
	"image-tag-not-latest":   {"batch-job"},
	"no-literal-credentials": {"nightly"},
}

// container is a compliant container; edit breaks exactly one thing.
func container(name string, edit func(*corev1.ContainerArgs)) corev1.ContainerArgs {
	c := compliant.Container(name)
	if edit != nil {
		edit(&c)
	}
	return c
}

// runToCompletion drops what a container that runs to completion does not serve.
func runToCompletion(c *corev1.ContainerArgs) {
	c.Ports, c.LivenessProbe, c.ReadinessProbe = nil, nil, nil
}

// podTemplate is a compliant pod template with the given containers.
func podTemplate(name string, restartPolicy string, containers ...corev1.ContainerArgs) corev1.PodTemplateSpecArgs {
	spec := corev1.PodSpecArgs{AutomountServiceAccountToken: pulumi.Bool(false), Containers: corev1.ContainerArray{}}
	for _, c := range containers {
		spec.Containers = append(spec.Containers.(corev1.ContainerArray), c)
	}
	if restartPolicy != "" {
		spec.RestartPolicy = pulumi.String(restartPolicy)
	}
	return corev1.PodTemplateSpecArgs{Metadata: metav1.ObjectMetaArgs{Labels: labels(name)}, Spec: spec}
}

func labels(name string) pulumi.StringMap {
	return pulumi.StringMap{"app.kubernetes.io/name": pulumi.String(name)}
}

func meta(name string) metav1.ObjectMetaArgs {
	return metav1.ObjectMetaArgs{Name: pulumi.String(name), Namespace: pulumi.String(Namespace)}
}

func selector(name string) metav1.LabelSelectorArgs {
	return metav1.LabelSelectorArgs{MatchLabels: labels(name)}
}

// Program registers the bypass stack.
var Program = compliant.Steps(compliant.Foundation(Namespace), patches, controllers, customResource)

// patches change live objects: one makes a container privileged, one lowers Pod Security.
func patches(ctx *pulumi.Context) error {
	if _, err := appsv1.NewDeploymentPatch(ctx, "privileged-patch", &appsv1.DeploymentPatchArgs{
		Metadata: metav1.ObjectMetaPatchArgs{Name: pulumi.String("web"), Namespace: pulumi.String(Namespace)},
		Spec: appsv1.DeploymentSpecPatchArgs{Template: corev1.PodTemplateSpecPatchArgs{Spec: corev1.PodSpecPatchArgs{
			Containers: corev1.ContainerPatchArray{corev1.ContainerPatchArgs{
				Name:            pulumi.String("web"),
				SecurityContext: corev1.SecurityContextPatchArgs{Privileged: pulumi.Bool(true)},
			}},
		}}},
	}); err != nil {
		return err
	}
	_, err := corev1.NewNamespacePatch(ctx, "lower-pod-security", &corev1.NamespacePatchArgs{
		Metadata: metav1.ObjectMetaPatchArgs{Name: pulumi.String("shared"), Labels: pulumi.StringMap{
			"pod-security.kubernetes.io/enforce": pulumi.String("privileged"),
		}},
	})
	return err
}

// controllers are the less common pod-bearing kinds and a native sidecar, each missing one thing.
func controllers(ctx *pulumi.Context) error {
	one := pulumi.Int(1)
	if _, err := corev1.NewReplicationController(ctx, "legacy-rc", &corev1.ReplicationControllerArgs{
		Metadata: meta("legacy-rc"),
		Spec: corev1.ReplicationControllerSpecArgs{Replicas: one, Selector: labels("legacy-rc"),
			Template: podTemplate("legacy-rc", "", container("legacy", func(c *corev1.ContainerArgs) { c.Resources = nil }))},
	}); err != nil {
		return err
	}
	if _, err := appsv1.NewDaemonSet(ctx, "node-agent", &appsv1.DaemonSetArgs{
		Metadata: meta("node-agent"),
		Spec: appsv1.DaemonSetSpecArgs{Selector: selector("node-agent"),
			Template: podTemplate("node-agent", "", container("agent", func(c *corev1.ContainerArgs) { c.LivenessProbe, c.ReadinessProbe = nil, nil }))},
	}); err != nil {
		return err
	}
	if _, err := batchv1.NewJob(ctx, "batch-job", &batchv1.JobArgs{
		Metadata: meta("batch-job"),
		Spec: batchv1.JobSpecArgs{Template: podTemplate("batch-job", "Never", container("batch", func(c *corev1.ContainerArgs) {
			runToCompletion(c)
			c.Image, c.ImagePullPolicy = pulumi.String("registry.example.com/batch:latest"), pulumi.String("Always")
		}))},
	}); err != nil {
		return err
	}
	if _, err := batchv1.NewCronJob(ctx, "nightly", &batchv1.CronJobArgs{
		Metadata: meta("nightly"),
		Spec: batchv1.CronJobSpecArgs{Schedule: pulumi.String("0 3 * * *"), JobTemplate: batchv1.JobTemplateSpecArgs{
			Spec: batchv1.JobSpecArgs{Template: podTemplate("nightly", "Never", container("report", func(c *corev1.ContainerArgs) {
				runToCompletion(c)
				c.Env = corev1.EnvVarArray{corev1.EnvVarArgs{Name: pulumi.String("SMTP_PASSWORD"), Value: pulumi.String("hunter2")}}
			}))},
		}},
	}); err != nil {
		return err
	}
	sidecar := container("log-shipper", func(c *corev1.ContainerArgs) {
		c.RestartPolicy = pulumi.String("Always")
		c.Ports, c.LivenessProbe, c.ReadinessProbe = nil, nil, nil
	})
	tpl := podTemplate("with-sidecar", "", container("app", nil))
	spec := tpl.Spec.(corev1.PodSpecArgs)
	spec.InitContainers = corev1.ContainerArray{sidecar}
	tpl.Spec = spec
	_, err := appsv1.NewDeployment(ctx, "with-sidecar", &appsv1.DeploymentArgs{
		Metadata: meta("with-sidecar"),
		Spec:     appsv1.DeploymentSpecArgs{Replicas: one, Selector: selector("with-sidecar"), Template: tpl},
	})
	return err
}

// customResource is an Argo Rollout whose pod template runs as root.
func customResource(ctx *pulumi.Context) error {
	canary := compliant.UntypedContainer("canary")
	canary["ports"] = []any{map[string]any{"containerPort": 8080}}
	canary["livenessProbe"] = map[string]any{"httpGet": map[string]any{"path": "/healthz", "port": 8080}}
	canary["readinessProbe"] = map[string]any{"httpGet": map[string]any{"path": "/healthz", "port": 8080}}
	_, err := apiextensions.NewCustomResource(ctx, "canary-rollout", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String("argoproj.io/v1alpha1"),
		Kind:       pulumi.String("Rollout"),
		Metadata:   meta("canary"),
		OtherFields: kubernetes.UntypedArgs{"spec": map[string]any{
			"replicas": 1,
			"selector": map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": "canary"}},
			"strategy": map[string]any{"canary": map[string]any{"steps": []any{map[string]any{"setWeight": 20}}}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app.kubernetes.io/name": "canary"}},
				"spec": map[string]any{
					"automountServiceAccountToken": false,
					"securityContext":              map[string]any{"runAsUser": 0},
					"containers":                   []any{canary},
				},
			},
		}},
	})
	return err
}
