package checks

import "github.com/jdjones/jd-jones-rag-infra/policy/engine"

// NetworkPolicyEgressCoverage is NetworkPolicyCoverage for egress, a policy of its own so a platform
// that cannot yet restrict egress can lower it alone.
var NetworkPolicyEgressCoverage = &engine.Policy{
	Name: "network-policy-egress-coverage",
	Description: "Every namespace with workloads has a default-deny egress NetworkPolicy, and every workload's pods are " +
		"selected by an egress NetworkPolicy with no allow-all rule.",
	Remediation: "add a NetworkPolicy with podSelector: {}, policyTypes: [Egress] and no egress rules, then allow each flow explicitly (DNS included)",
	Why:         "Polaris missingNetworkPolicy (ingress and egress), kube-score pod-networkpolicy (warns on missing egress)",
	Level:       engine.Mandatory,
	Stack:       func(s *engine.Stack, _ *engine.Config) []engine.Result { return checkCoverage(s, egress) },
}
