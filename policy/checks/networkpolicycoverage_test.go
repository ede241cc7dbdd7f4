package checks

import "testing"

func TestNetworkPolicyCoverage(t *testing.T) {
	const denyFix = "; add a NetworkPolicy with podSelector: {}, policyTypes: [Ingress] and no ingress rules, then allow each flow explicitly"
	const openFix = "; restrict the rule to the peers (podSelector, namespaceSelector, ipBlock with except) and ports that need access"
	runTable(t, NetworkPolicyCoverage, []checkCase{
		{name: "a namespace with default deny and an allow policy per workload passes", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			deploymentWith("celery-worker", "rag", "replicas: 2", "{app: celery-worker}"),
			networkPolicy("default-deny-ingress", "rag", "{podSelector: {}, policyTypes: [Ingress]}"),
			networkPolicy("allow-api", "rag", "{podSelector: {matchLabels: {app: api}}, ingress: [{from: [{podSelector: {matchLabels: {app: portal}}}]}]}"),
			networkPolicy("workers", "rag", "{podSelector: {matchExpressions: [{key: app, operator: In, values: [celery-worker, celery-beat]}]}, policyTypes: [Egress]}"),
		}},
		{name: "a namespace without default deny is flagged on its namespace resource", manifests: []string{`
apiVersion: v1
kind: Namespace
metadata: {name: rag}
`,
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			networkPolicy("allow-api", "rag", "{podSelector: {matchLabels: {app: api}}, ingress: [{}]}"),
		}, want: []string{
			`Namespace "rag": has workloads but no default-deny ingress NetworkPolicy` + denyFix,
			`Deployment "api": NetworkPolicy "allow-api" selects its pods and its ingress rule 0 allows all traffic, so they accept traffic from anywhere` + openFix,
		}},
		{name: "an allow-all peer or an empty from undoes the default deny", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			deploymentWith("web", "rag", "replicas: 2", "{app: web}"),
			deploymentWith("ingress-facing", "rag", "replicas: 2", "{app: edge}"),
			networkPolicy("default-deny-ingress", "rag", "{podSelector: {}, policyTypes: [Ingress]}"),
			networkPolicy("allow-api", "rag", "{podSelector: {matchLabels: {app: api}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}, {from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}"),
			networkPolicy("allow-web", "rag", "{podSelector: {matchLabels: {app: web}}, ingress: [{from: []}]}"),
			networkPolicy("allow-edge", "rag", "{podSelector: {matchLabels: {app: edge}}, ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]}, {ports: [{port: 443}]}]}"),
		}, want: []string{
			`Deployment "api": NetworkPolicy "allow-api" selects its pods and its ingress rule 1 allows all traffic, so they accept traffic from anywhere` + openFix,
			`Deployment "web": NetworkPolicy "allow-web" selects its pods and its ingress rule 0 allows all traffic, so they accept traffic from anywhere` + openFix,
		}},
		{name: "the whole address space spelt another way is still allow-all", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			deploymentWith("web", "rag", "replicas: 2", "{app: web}"),
			networkPolicy("default-deny-ingress", "rag", "{podSelector: {}, policyTypes: [Ingress]}"),
			networkPolicy("allow-api", "rag", `{podSelector: {matchLabels: {app: api}}, ingress: [{from: [{ipBlock: {cidr: "::ffff:0.0.0.0/96"}}]}]}`),
			networkPolicy("allow-web", "rag", `{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{ipBlock: {cidr: "0:0::0/0"}}]}]}`),
		}, want: []string{
			`Deployment "api": NetworkPolicy "allow-api" selects its pods and its ingress rule 0 allows all traffic, so they accept traffic from anywhere` + openFix,
			`Deployment "web": NetworkPolicy "allow-web" selects its pods and its ingress rule 0 allows all traffic, so they accept traffic from anywhere` + openFix,
		}},
		{name: "a workload no policy selects is flagged, and its namespace too", manifests: []string{
			deploymentWith("grafana", "monitoring", "replicas: 1", "{app: grafana}"),
			networkPolicy("egress-only", "monitoring", "{podSelector: {}, policyTypes: [Egress]}"),
		}, want: []string{
			`namespace "monitoring": has workloads but no default-deny ingress NetworkPolicy` + denyFix,
			`Deployment "grafana": no NetworkPolicy selects its pods, so they accept traffic from anywhere; add a NetworkPolicy whose podSelector matches its pod labels`,
		}},
		{name: "a policy whose selector matches no pods is flagged", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			networkPolicy("default-deny-ingress", "rag", "{podSelector: {}}"),
			networkPolicy("allow-api", "rag", "{podSelector: {matchLabels: {app: apii}}, ingress: [{}]}"),
			networkPolicy("allow-api-elsewhere", "other", "{podSelector: {matchLabels: {app: api}}, ingress: [{}]}"),
		}, want: []string{
			`NetworkPolicy "allow-api": podSelector app=apii selects no pods in namespace "rag"; fix the podSelector to match a workload's pod labels, or delete the policy`,
			`NetworkPolicy "allow-api-elsewhere": podSelector app=api selects no pods in namespace "other"; fix the podSelector to match a workload's pod labels, or delete the policy`,
		}},
		{name: "a policy for the pods cert-manager creates at run time is not required to select a workload", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			networkPolicy("default-deny-ingress", "rag", "{podSelector: {}}"),
			networkPolicy("allow-solver", "rag", `{podSelector: {matchLabels: {acme.cert-manager.io/http01-solver: "true"}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]}]}`),
			// A look-alike key is not the controller's label: the policy still selects nothing.
			networkPolicy("allow-lookalike", "rag", `{podSelector: {matchLabels: {acme.cert-manager.io/http01-solvers: "true"}}, ingress: [{}]}`),
		}, want: []string{
			`NetworkPolicy "allow-lookalike": podSelector acme.cert-manager.io/http01-solvers=true selects no pods in namespace "rag"; fix the podSelector to match a workload's pod labels, or delete the policy`,
		}},
		{name: "a policy that may select pods of a helm release is not judged", manifests: []string{`
# pulumi name: redis
apiVersion: helm.sh/v3
kind: Release
namespace: cache
`,
			networkPolicy("allow-redis", "cache", "{podSelector: {matchLabels: {app.kubernetes.io/name: redis}}, ingress: [{}]}"),
		}, undecided: []string{
			cannotDecide(`NetworkPolicy "allow-redis"`, "network-policy-coverage", `whether Release "redis" creates it (it may create pods and Services this policy cannot see)`),
		}},
		{name: "selectors unknown during preview are not judged", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			networkPolicy("default-deny-ingress", "rag", "{podSelector: {}, policyTypes: [Ingress]}"),
			networkPolicy("allow-api", "rag", `{podSelector: "<unknown>", ingress: [{}]}`),
		}, undecided: []string{
			cannotDecide(`NetworkPolicy "allow-api"`, "network-policy-coverage", "spec.podSelector"),
		}},
	})
}
