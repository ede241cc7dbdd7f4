package reviewstack

import (
	"math/rand/v2"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/tests/testdata/compliant"
)

// Namespace is where every namespaced object of the program lives.
const Namespace = "review-stack"

// Expected maps each mandatory policy the program violates to the Pulumi names of the resources that
// violate it (sorted).
var Expected = map[string][]string{
	"pod-security-standards":        {"apparmor-unconfined", "selinux-spc", "volcano-train"},
	"rbac-least-privilege":          {"wildcard-role"},
	"rbac-bindings":                 {"cluster-wide", "default-sa-binding"},
	"ingress-no-snippets":           {"snippet-ingress"},
	"no-hostpath-persistent-volume": {"hostpath-pv"},
	"rwx-storage-class":             {"scratch-rwx"},
	"no-leaked-credentials":         {"leaked-token"},
	"no-literal-credentials":        {"ini-password"},
}

// ExpectedUnjudged is the kind unjudged-kinds lists, as it prints it.
const ExpectedUnjudged = "example.com/v1 Widget (1)"

func meta(name string) metav1.ObjectMetaArgs {
	return metav1.ObjectMetaArgs{Name: pulumi.String(name), Namespace: pulumi.String(Namespace)}
}

func labels(name string) pulumi.StringMap {
	return pulumi.StringMap{"app.kubernetes.io/name": pulumi.String(name)}
}

// deployment registers a one-replica Deployment of a compliant container, with edit applied to its pod.
func deployment(ctx *pulumi.Context, name string, edit func(*corev1.PodSpecArgs)) error {
	spec := corev1.PodSpecArgs{AutomountServiceAccountToken: pulumi.Bool(false), Containers: corev1.ContainerArray{compliant.Container("app")}}
	if edit != nil {
		edit(&spec)
	}
	_, err := appsv1.NewDeployment(ctx, name, &appsv1.DeploymentArgs{
		Metadata: meta(name),
		Spec: appsv1.DeploymentSpecArgs{
			Replicas: pulumi.Int(1),
			Selector: metav1.LabelSelectorArgs{MatchLabels: labels(name)},
			Template: corev1.PodTemplateSpecArgs{Metadata: metav1.ObjectMetaArgs{Labels: labels(name)}, Spec: spec},
		},
	})
	return err
}

// Program registers the review stack.
var Program = compliant.Steps(compliant.Foundation(Namespace), podSecurity, credentials, rbac, ingresses, volumes, customKinds)

// podSecurity: controls no rule of the pack judged before upstream's checks (AppArmor, SELinux).
func podSecurity(ctx *pulumi.Context) error {
	appArmor := func(profile string) func(*corev1.PodSpecArgs) {
		return func(s *corev1.PodSpecArgs) {
			s.SecurityContext = corev1.PodSecurityContextArgs{AppArmorProfile: corev1.AppArmorProfileArgs{Type: pulumi.String(profile)}}
		}
	}
	seLinux := func(typ string) func(*corev1.PodSpecArgs) {
		return func(s *corev1.PodSpecArgs) {
			s.SecurityContext = corev1.PodSecurityContextArgs{SeLinuxOptions: corev1.SELinuxOptionsArgs{Type: pulumi.String(typ)}}
		}
	}
	for name, edit := range map[string]func(*corev1.PodSpecArgs){
		"apparmor-unconfined": appArmor("Unconfined"), "apparmor-runtime-default": appArmor("RuntimeDefault"),
		"selinux-spc": seLinux("spc_t"), "selinux-container": seLinux("container_t"),
		// The web Service's pods, which the Ingresses route to.
		"web": nil,
	} {
		if err := deployment(ctx, name, edit); err != nil {
			return err
		}
	}
	return nil
}

// fakeGitHubToken is a token of GitHub's personal access token shape, made at run time so the
// repository holds no credential-shaped text.
func fakeGitHubToken() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	r := rand.New(rand.NewPCG(19, 2026))
	b := []byte("ghp" + "_")
	for range 36 {
		b = append(b, alphabet[r.IntN(len(alphabet))])
	}
	return string(b)
}

// credentials: a token by its shape (gitleaks), a password in an ini file, and their twins.
func credentials(ctx *pulumi.Context) error {
	for name, data := range map[string]string{
		"leaked-token":  "# the CI token, for the release notes job\nci " + fakeGitHubToken() + "\n",
		"ini-password":  "[database]\nhost = postgres\npassword = hunter2\n",
		"file-password": "[database]\nhost = postgres\npassword_file = /run/secrets/db\n[security]\nadmin_password = $__file{/etc/secrets/admin}\n",
	} {
		if _, err := corev1.NewConfigMap(ctx, name, &corev1.ConfigMapArgs{
			Metadata: meta(name), Data: pulumi.StringMap{"app.ini": pulumi.String(data)},
		}); err != nil {
			return err
		}
	}
	return nil
}

// rbac: a wildcard Role, a binding of the default service account, a ClusterRoleBinding, and the
// least-privilege Role and binding they stand beside.
func rbac(ctx *pulumi.Context) error {
	if _, err := corev1.NewServiceAccount(ctx, "snapshots", &corev1.ServiceAccountArgs{
		Metadata: meta("snapshots"), AutomountServiceAccountToken: pulumi.Bool(false),
	}); err != nil {
		return err
	}
	for name, rule := range map[string]rbacv1.PolicyRuleArgs{
		"wildcard-role": {ApiGroups: pulumi.ToStringArray([]string{""}), Resources: pulumi.ToStringArray([]string{"configmaps"}), Verbs: pulumi.ToStringArray([]string{"*"})},
		"snapshot-role": {ApiGroups: pulumi.ToStringArray([]string{"snapshot.storage.k8s.io"}), Resources: pulumi.ToStringArray([]string{"volumesnapshots"}),
			Verbs: pulumi.ToStringArray([]string{"create", "get", "list", "delete"})},
	} {
		if _, err := rbacv1.NewRole(ctx, name, &rbacv1.RoleArgs{Metadata: meta(name), Rules: rbacv1.PolicyRuleArray{rule}}); err != nil {
			return err
		}
	}
	role := rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("Role"), Name: pulumi.String("snapshot-role")}
	serviceAccount := func(name string) rbacv1.SubjectArray {
		return rbacv1.SubjectArray{rbacv1.SubjectArgs{Kind: pulumi.String("ServiceAccount"), Name: pulumi.String(name), Namespace: pulumi.String(Namespace)}}
	}
	for name, subject := range map[string]string{"default-sa-binding": "default", "snapshots-binding": "snapshots"} {
		if _, err := rbacv1.NewRoleBinding(ctx, name, &rbacv1.RoleBindingArgs{Metadata: meta(name), RoleRef: role, Subjects: serviceAccount(subject)}); err != nil {
			return err
		}
	}
	_, err := rbacv1.NewClusterRoleBinding(ctx, "cluster-wide", &rbacv1.ClusterRoleBindingArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String("review-stack-view")},
		RoleRef:  rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("ClusterRole"), Name: pulumi.String("view")},
		Subjects: serviceAccount("snapshots"),
	})
	return err
}

// ingresses: one with a configuration snippet, its twin with the controller's own annotation.
func ingresses(ctx *pulumi.Context) error {
	if _, err := corev1.NewService(ctx, "web", &corev1.ServiceArgs{
		Metadata: meta("web"),
		Spec: corev1.ServiceSpecArgs{Selector: labels("web"),
			Ports: corev1.ServicePortArray{corev1.ServicePortArgs{Name: pulumi.String("http"), Port: pulumi.Int(80), TargetPort: pulumi.Int(8080)}}},
	}); err != nil {
		return err
	}
	for name, annotations := range map[string]pulumi.StringMap{
		"snippet-ingress": {"nginx.ingress.kubernetes.io/configuration-snippet": pulumi.String(`more_set_headers "X-Frame-Options: DENY";`)},
		"plain-ingress":   {"nginx.ingress.kubernetes.io/proxy-body-size": pulumi.String("50m")},
	} {
		host := pulumi.String(name + ".example.com")
		m := meta(name)
		m.Annotations = annotations
		if _, err := networkingv1.NewIngress(ctx, name, &networkingv1.IngressArgs{
			Metadata: m,
			Spec: networkingv1.IngressSpecArgs{
				Tls: networkingv1.IngressTLSArray{networkingv1.IngressTLSArgs{Hosts: pulumi.StringArray{host}, SecretName: pulumi.String(name + "-tls")}},
				Rules: networkingv1.IngressRuleArray{networkingv1.IngressRuleArgs{Host: host, Http: networkingv1.HTTPIngressRuleValueArgs{
					Paths: networkingv1.HTTPIngressPathArray{networkingv1.HTTPIngressPathArgs{
						Path: pulumi.String("/"), PathType: pulumi.String("Prefix"),
						Backend: networkingv1.IngressBackendArgs{Service: networkingv1.IngressServiceBackendArgs{
							Name: pulumi.String("web"), Port: networkingv1.ServiceBackendPortArgs{Number: pulumi.Int(80)}}},
					}},
				}}},
			},
		}); err != nil {
			return err
		}
	}
	return nil
}

// volumes: a hostPath PersistentVolume beside an NFS one, an ephemeral ReadWriteMany volume on
// block storage beside a ReadWriteOnce one.
func volumes(ctx *pulumi.Context) error {
	for name, source := range map[string]corev1.PersistentVolumeSpecArgs{
		"hostpath-pv": {HostPath: corev1.HostPathVolumeSourceArgs{Path: pulumi.String("/var/lib/kubelet")}},
		"nfs-pv":      {Nfs: corev1.NFSVolumeSourceArgs{Server: pulumi.String("nfs.internal"), Path: pulumi.String("/exports/review")}},
	} {
		source.Capacity = pulumi.StringMap{"storage": pulumi.String("1Gi")}
		source.AccessModes = pulumi.ToStringArray([]string{"ReadWriteMany"})
		source.StorageClassName = pulumi.String("nfs-client")
		if _, err := corev1.NewPersistentVolume(ctx, name, &corev1.PersistentVolumeArgs{
			Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(name)}, Spec: source,
		}); err != nil {
			return err
		}
	}
	ephemeral := func(mode string) func(*corev1.PodSpecArgs) {
		return func(s *corev1.PodSpecArgs) {
			s.Volumes = corev1.VolumeArray{corev1.VolumeArgs{Name: pulumi.String("scratch"), Ephemeral: corev1.EphemeralVolumeSourceArgs{
				VolumeClaimTemplate: corev1.PersistentVolumeClaimTemplateArgs{Spec: corev1.PersistentVolumeClaimSpecArgs{
					AccessModes:      pulumi.ToStringArray([]string{mode}),
					StorageClassName: pulumi.String("standard"),
					Resources:        corev1.VolumeResourceRequirementsArgs{Requests: pulumi.StringMap{"storage": pulumi.String("1Gi")}},
				}},
			}}}
		}
	}
	if err := deployment(ctx, "scratch-rwx", ephemeral("ReadWriteMany")); err != nil {
		return err
	}
	return deployment(ctx, "scratch-rwo", ephemeral("ReadWriteOnce"))
}

// podTemplate is a compliant pod template as a custom resource holds it, with the container edited.
func podTemplate(name string, edit func(map[string]any)) map[string]any {
	container := compliant.UntypedContainer(name)
	if edit != nil {
		edit(container)
	}
	return map[string]any{"spec": map[string]any{
		"automountServiceAccountToken": false, "restartPolicy": "OnFailure", "containers": []any{container},
	}}
}

// customKinds: a Volcano Job whose second task runs privileged (an array of pod templates) beside
// one whose tasks comply, and a custom kind no policy judges.
func customKinds(ctx *pulumi.Context) error {
	privileged := func(c map[string]any) { c["securityContext"].(map[string]any)["privileged"] = true }
	for name, second := range map[string]func(map[string]any){"volcano-train": privileged, "volcano-eval": nil} {
		if _, err := apiextensions.NewCustomResource(ctx, name, &apiextensions.CustomResourceArgs{
			ApiVersion: pulumi.String("batch.volcano.sh/v1alpha1"), Kind: pulumi.String("Job"), Metadata: meta(name),
			OtherFields: kubernetes.UntypedArgs{"spec": map[string]any{
				"minAvailable": 2, "schedulerName": "volcano",
				"tasks": []any{
					map[string]any{"name": "ps", "replicas": 1, "template": podTemplate("ps", nil)},
					map[string]any{"name": "worker", "replicas": 1, "template": podTemplate("worker", second)},
				},
			}},
		}); err != nil {
			return err
		}
	}
	_, err := apiextensions.NewCustomResource(ctx, "widget", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String("example.com/v1"), Kind: pulumi.String("Widget"), Metadata: meta("widget"),
		OtherFields: kubernetes.UntypedArgs{"spec": map[string]any{"size": 3}},
	})
	return err
}
