package checks

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// DeprecatedAPIVersions refuses objects written in an API version the cluster no longer serves, or
// one that is deprecated there and will be removed.
var DeprecatedAPIVersions = &engine.Policy{
	Name:        "deprecated-api-versions",
	Description: "No object uses an API version that the cluster's Kubernetes version has removed or deprecated.",
	Remediation: "move the object to the API version that replaces it",
	Why:         "kube-linter no-extensions-v1beta, kube-score stable-version, Pulumi disallowBetaResource; the Kubernetes deprecated API migration guide",
	Level:       engine.Mandatory,
	Kinds:       []string{engine.EveryKind},
	Params:      &apiVersionParams{KubernetesVersion: "1.34"},
	Resource:    checkDeprecatedAPIVersions,
}

// apiVersionParams are the parameters of deprecated-api-versions.
type apiVersionParams struct {
	KubernetesVersion string `param:"kubernetesVersion" help:"the cluster's Kubernetes minor version, e.g. 1.34"`
}

// deprecatedAPI is one row of the Kubernetes deprecated API migration guide: an apiVersion, the
// kinds it served, the releases that deprecated and removed it, and what replaces it.
type deprecatedAPI struct {
	apiVersion          string
	kinds               []string
	deprecated, removed string
	use                 string
}

// deprecatedAPIs is the migration guide's table (kubernetes.io/docs/reference/using-api/deprecation-guide).
var deprecatedAPIs = []deprecatedAPI{
	{"extensions/v1beta1", []string{"Deployment", "DaemonSet", "ReplicaSet"}, "1.9", "1.16", "apps/v1"},
	{"extensions/v1beta1", []string{"NetworkPolicy"}, "1.9", "1.16", "networking.k8s.io/v1"},
	{"extensions/v1beta1", []string{"PodSecurityPolicy"}, "1.11", "1.16", "Pod Security admission (namespace labels)"},
	{"extensions/v1beta1", []string{"Ingress"}, "1.14", "1.22", "networking.k8s.io/v1"},
	{"apps/v1beta1", []string{"Deployment", "StatefulSet", "ControllerRevision"}, "1.9", "1.16", "apps/v1"},
	{"apps/v1beta2", []string{"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"}, "1.9", "1.16", "apps/v1"},
	{"networking.k8s.io/v1beta1", []string{"Ingress", "IngressClass"}, "1.19", "1.22", "networking.k8s.io/v1"},
	{"admissionregistration.k8s.io/v1beta1", []string{"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}, "1.16", "1.22", "admissionregistration.k8s.io/v1"},
	{"apiextensions.k8s.io/v1beta1", []string{"CustomResourceDefinition"}, "1.16", "1.22", "apiextensions.k8s.io/v1"},
	{"apiregistration.k8s.io/v1beta1", []string{"APIService"}, "1.19", "1.22", "apiregistration.k8s.io/v1"},
	{"authentication.k8s.io/v1beta1", []string{"TokenReview"}, "1.19", "1.22", "authentication.k8s.io/v1"},
	{"authorization.k8s.io/v1beta1", []string{"SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview"}, "1.19", "1.22", "authorization.k8s.io/v1"},
	{"certificates.k8s.io/v1beta1", []string{"CertificateSigningRequest"}, "1.19", "1.22", "certificates.k8s.io/v1"},
	{"coordination.k8s.io/v1beta1", []string{"Lease"}, "1.19", "1.22", "coordination.k8s.io/v1"},
	{"rbac.authorization.k8s.io/v1beta1", []string{"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}, "1.17", "1.22", "rbac.authorization.k8s.io/v1"},
	{"scheduling.k8s.io/v1beta1", []string{"PriorityClass"}, "1.14", "1.22", "scheduling.k8s.io/v1"},
	{"storage.k8s.io/v1beta1", []string{"CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"}, "1.19", "1.22", "storage.k8s.io/v1"},
	{"batch/v1beta1", []string{"CronJob"}, "1.21", "1.25", "batch/v1"},
	{"discovery.k8s.io/v1beta1", []string{"EndpointSlice"}, "1.21", "1.25", "discovery.k8s.io/v1"},
	{"events.k8s.io/v1beta1", []string{"Event"}, "1.19", "1.25", "events.k8s.io/v1"},
	{"autoscaling/v2beta1", []string{"HorizontalPodAutoscaler"}, "1.22", "1.25", "autoscaling/v2"},
	{"policy/v1beta1", []string{"PodDisruptionBudget"}, "1.21", "1.25", "policy/v1"},
	{"policy/v1beta1", []string{"PodSecurityPolicy"}, "1.21", "1.25", "Pod Security admission (namespace labels)"},
	{"node.k8s.io/v1beta1", []string{"RuntimeClass"}, "1.20", "1.25", "node.k8s.io/v1"},
	{"flowcontrol.apiserver.k8s.io/v1beta1", []string{"FlowSchema", "PriorityLevelConfiguration"}, "1.23", "1.26", "flowcontrol.apiserver.k8s.io/v1"},
	{"autoscaling/v2beta2", []string{"HorizontalPodAutoscaler"}, "1.23", "1.26", "autoscaling/v2"},
	{"storage.k8s.io/v1beta1", []string{"CSIStorageCapacity"}, "1.24", "1.27", "storage.k8s.io/v1"},
	{"flowcontrol.apiserver.k8s.io/v1beta2", []string{"FlowSchema", "PriorityLevelConfiguration"}, "1.26", "1.29", "flowcontrol.apiserver.k8s.io/v1"},
	{"flowcontrol.apiserver.k8s.io/v1beta3", []string{"FlowSchema", "PriorityLevelConfiguration"}, "1.29", "1.32", "flowcontrol.apiserver.k8s.io/v1"},
}

// minorVersion reads "1.34" (or "v1.34.2") as 34; ok is false for anything else.
var minorVersionPattern = regexp.MustCompile(`^v?1\.(\d+)(\.\d+)?$`)

func minorVersion(v string) (int, bool) {
	m := minorVersionPattern.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

func checkDeprecatedAPIVersions(o *engine.Object, c *engine.Config) []engine.Result {
	if o.Kind == "" {
		return nil
	}
	version := c.Params.(*apiVersionParams).KubernetesVersion
	cluster, ok := minorVersion(version)
	if !ok {
		return []engine.Result{engine.Violation(o, o.Subject(), fmt.Sprintf("the pack config's kubernetesVersion %q is not a version such as 1.34", version),
			"set kubernetesVersion to the cluster's version, e.g. 1.34")}
	}
	for _, d := range deprecatedAPIs {
		if d.apiVersion != o.APIVersion() || !slices.Contains(d.kinds, o.Kind) {
			continue
		}
		deprecated, _ := minorVersion(d.deprecated)
		removed, _ := minorVersion(d.removed)
		fix := "use " + d.use
		switch {
		case cluster >= removed:
			return []engine.Result{engine.Violation(o, o.Subject(), fmt.Sprintf("apiVersion %s was removed in Kubernetes %s (the cluster runs %s), so the API server refuses it",
				d.apiVersion, d.removed, version), fix)}
		case cluster >= deprecated:
			return []engine.Result{engine.Violation(o, o.Subject(), fmt.Sprintf("apiVersion %s is deprecated since Kubernetes %s and removed in %s",
				d.apiVersion, d.deprecated, d.removed), fix)}
		}
	}
	return nil
}
