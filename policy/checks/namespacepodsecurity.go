package checks

import (
	"fmt"
	"slices"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// podSecurityLevels orders the Pod Security Standards from least to most restrictive (the enum of
// namespacePodSecurityParams.MinimumLevel lists the same).
var podSecurityLevels = []string{"privileged", "baseline", "restricted"}

const podSecurityEnforceLabel = "pod-security.kubernetes.io/enforce"

// NamespacePodSecurity requires Pod Security admission to enforce at least a minimum level.
var NamespacePodSecurity = &engine.Policy{
	Name:        "namespace-pod-security",
	Description: "Every namespace enforces a Pod Security Standard at least as strict as the configured minimum.",
	Remediation: "label the namespace " + podSecurityEnforceLabel + ": restricted",
	Why:         "Pod Security admission (the built-in successor of PodSecurityPolicy); Kyverno, Polaris",
	Level:       engine.Mandatory,
	Kinds:       []string{"Namespace"},
	Params: &namespacePodSecurityParams{MinimumLevel: "restricted",
		ExemptNamespaces: []string{"kube-system", "kube-public", "kube-node-lease"}},
	Resource: checkNamespacePodSecurity,
}

// namespacePodSecurityParams are the parameters of namespace-pod-security.
type namespacePodSecurityParams struct {
	MinimumLevel     string   `param:"minimumLevel" enum:"privileged,baseline,restricted" help:"least strict enforce level allowed: privileged, baseline or restricted"`
	ExemptNamespaces []string `param:"exemptNamespaces" help:"namespaces the check skips"`
}

func checkNamespacePodSecurity(o *engine.Object, c *engine.Config) []engine.Result {
	prm := c.Params.(*namespacePodSecurityParams)
	if slices.Contains(prm.ExemptNamespaces, o.Name) {
		return nil
	}
	minimum := prm.MinimumLevel
	want := slices.Index(podSecurityLevels, minimum)
	fix := fmt.Sprintf("label the namespace %s: %s", podSecurityEnforceLabel, minimum)
	path := engine.JoinKey("metadata.labels", podSecurityEnforceLabel)
	level, ok := o.Meta.Labels[podSecurityEnforceLabel]
	switch {
	case !ok && o.Unknown(path):
		return []engine.Result{engine.Undecided(o, o.Subject(), path)}
	case !ok:
		return []engine.Result{engine.Violation(o, o.Subject(), "has no "+podSecurityEnforceLabel+" label", fix)}
	}
	have := slices.Index(podSecurityLevels, level)
	switch {
	case have < 0:
		return []engine.Result{engine.Violation(o, o.Subject(), fmt.Sprintf("has %s %q, which is not a Pod Security level", podSecurityEnforceLabel, level), fix)}
	case have < want:
		return []engine.Result{engine.Violation(o, o.Subject(), fmt.Sprintf("enforces Pod Security %q, below the required %q", level, minimum), fix)}
	}
	return nil
}
