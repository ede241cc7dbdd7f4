package checks

import "github.com/jdjones/jd-jones-rag-infra/policy/engine"

// NetworkPolicyCoverage requires default-deny ingress per namespace, every workload selected by a
// NetworkPolicy, and no NetworkPolicy that selects nothing.
var NetworkPolicyCoverage = &engine.Policy{
	Name: "network-policy-coverage",
	Description: "Every namespace with workloads has a default-deny ingress NetworkPolicy, every workload's pods are " +
		"selected by an ingress NetworkPolicy with no allow-all rule, and no NetworkPolicy selects no pods.",
	Remediation: "add a NetworkPolicy with podSelector: {}, policyTypes: [Ingress] and no ingress rules, then allow each flow explicitly",
	Why:         "kube-linter (non-isolated-pod), Kyverno, Checkov; the review relies on network policies to restrict access; an allow-all rule is no coverage",
	Level:       engine.Mandatory,
	Stack:       checkNetworkPolicyCoverage,
	Params:      &coverageParams{ControllerPodLabels: []string{"acme.cert-manager.io/http01-solver"}},
}

// coverageParams are the parameters of network-policy-coverage.
type coverageParams struct {
	ControllerPodLabels []string `param:"controllerPodLabels" help:"label keys of pods that controllers create at run time (cert-manager's HTTP-01 solvers); a podSelector requiring one of them need not select a workload of the stack"`
}

func checkNetworkPolicyCoverage(s *engine.Stack, c *engine.Config) []engine.Result {
	return append(checkCoverage(s, ingress), checkPoliciesSelectPods(s, c.Params.(*coverageParams).ControllerPodLabels)...)
}
