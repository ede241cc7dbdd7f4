package checks

import "testing"

func TestNetworkPolicyEgressCoverage(t *testing.T) {
	const denyFix = "; add a NetworkPolicy with podSelector: {}, policyTypes: [Egress] and no egress rules, then allow each flow explicitly (DNS included)"
	const openFix = "; restrict the rule to the peers (podSelector, namespaceSelector, ipBlock with except) and ports that need access"
	runTable(t, NetworkPolicyEgressCoverage, []checkCase{
		{name: "default deny egress and an egress policy with port-restricted rules pass", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			networkPolicy("default-deny", "rag", "{podSelector: {}, policyTypes: [Ingress, Egress]}"),
			networkPolicy("api-egress", "rag", "{podSelector: {matchLabels: {app: api}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 443}]}, {ports: [{port: 53, protocol: UDP}]}]}"),
		}},
		{name: "ingress-only policies leave egress open, reported on the namespace and the workload", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			networkPolicy("default-deny-ingress", "rag", "{podSelector: {}, policyTypes: [Ingress]}"),
			networkPolicy("allow-api", "rag", "{podSelector: {matchLabels: {app: api}}, ingress: [{from: [{podSelector: {}}]}]}"),
		}, want: []string{
			`namespace "rag": has workloads but no default-deny egress NetworkPolicy` + denyFix,
			`Deployment "api": no egress NetworkPolicy selects its pods, so they can connect anywhere; add an egress NetworkPolicy whose podSelector matches its pod labels`,
		}},
		{name: "egress rules without policyTypes isolate egress, and egress: [{}] opens it again", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			networkPolicy("default-deny", "rag", "{podSelector: {}, policyTypes: [Egress]}"),
			networkPolicy("api-out", "rag", "{podSelector: {matchLabels: {app: api}}, egress: [{}]}"),
		}, want: []string{
			`Deployment "api": NetworkPolicy "api-out" selects its pods and its egress rule 0 allows all traffic, so they can connect anywhere` + openFix,
		}},
		{name: "an ipv6 allow-all peer is reported", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			networkPolicy("default-deny", "rag", "{podSelector: {}, policyTypes: [Egress]}"),
			networkPolicy("api-out", "rag", "{podSelector: {matchLabels: {app: api}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: \"::/0\"}}]}]}"),
		}, want: []string{
			`Deployment "api": NetworkPolicy "api-out" selects its pods and its egress rule 0 allows all traffic, so they can connect anywhere` + openFix,
		}},
		{name: "egress rules unknown during preview are not judged", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			networkPolicy("default-deny", "rag", "{podSelector: {}, policyTypes: [Egress]}"),
			networkPolicy("api-out", "rag", `{podSelector: {matchLabels: {app: api}}, policyTypes: [Egress], egress: "<unknown>"}`),
		}, undecided: []string{
			cannotDecide(`Deployment "api"`, "network-policy-egress-coverage", `spec.egress of NetworkPolicy "api-out"`),
		}},
	})
}
