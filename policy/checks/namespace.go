package checks

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// podSecurityLevels orders the Pod Security Standards from least to most restrictive.
var podSecurityLevels = []string{"privileged", "baseline", "restricted"}

const podSecurityEnforceLabel = "pod-security.kubernetes.io/enforce"

// NamespacePodSecurity requires Pod Security admission to enforce at least a minimum level.
var NamespacePodSecurity = &Policy{
	Name:        "namespace-pod-security",
	Description: "Every namespace enforces a Pod Security Standard at least as strict as the configured minimum.",
	Remediation: "label the namespace " + podSecurityEnforceLabel + ": restricted",
	Why:         "Pod Security admission (the built-in successor of PodSecurityPolicy); Kyverno, Polaris",
	Level:       Mandatory,
	Params: []Param{
		{Name: "minimumLevel", Type: "string", Default: "restricted",
			Description: "least strict enforce level allowed: privileged, baseline or restricted"},
		{Name: "exemptNamespaces", Type: "array", Default: []string{"kube-system", "kube-public", "kube-node-lease"},
			Description: "namespaces the check skips"},
	},
	Resource: checkNamespacePodSecurity,
}

func checkNamespacePodSecurity(o *Object, c *Config) []Result {
	if _, ok := o.Typed.(*corev1.Namespace); !ok || slices.Contains(c.Strings("exemptNamespaces"), o.Name) {
		return nil
	}
	minimum := c.String("minimumLevel")
	want := slices.Index(podSecurityLevels, minimum)
	if want < 0 {
		want, minimum = 2, "restricted"
	}
	fix := fmt.Sprintf("label the namespace %s: %s", podSecurityEnforceLabel, minimum)
	path := JoinKey("metadata.labels", podSecurityEnforceLabel)
	level, ok := o.Meta.Labels[podSecurityEnforceLabel]
	switch {
	case !ok && o.Unknown(path):
		return []Result{Undecided(o, o.Subject(), path)}
	case !ok:
		return []Result{Violation(o, o.Subject(), "has no "+podSecurityEnforceLabel+" label", fix)}
	}
	have := slices.Index(podSecurityLevels, level)
	switch {
	case have < 0:
		return []Result{Violation(o, o.Subject(), fmt.Sprintf("has %s %q, which is not a Pod Security level", podSecurityEnforceLabel, level), fix)}
	case have < want:
		return []Result{Violation(o, o.Subject(), fmt.Sprintf("enforces Pod Security %q, below the required %q", level, minimum), fix)}
	}
	return nil
}
