package checks

import "testing"

func service(name, namespace, spec string) string {
	return `
apiVersion: v1
kind: Service
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec: ` + spec + `
`
}

func TestServiceSelectsPods(t *testing.T) {
	const fix = "; set spec.selector to the pod labels of the workload the Service fronts"
	runTable(t, ServiceSelectsPods, []checkCase{
		{name: "services selecting workload pods, external names and selectorless services pass", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api, tier: backend}"),
			service("api", "rag", "{selector: {app: api}, ports: [{port: 8000}]}"),
			service("llm", "rag", "{type: ExternalName, externalName: api.openai.com}"),
			service("external-db", "rag", "{ports: [{port: 5432}]}"),
		}},
		{name: "a misspelt selector is flagged", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			service("api", "rag", "{selector: {app: apii}, ports: [{port: 8000}]}"),
		}, want: []string{
			`Service "api": selector app=apii matches no pods of any workload in namespace "rag", so it has no endpoints` + fix,
		}},
		{name: "a selector needing more labels than the pods have is flagged", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			service("api", "rag", "{selector: {app: api, tier: backend}, ports: [{port: 8000}]}"),
		}, want: []string{
			`Service "api": selector app=api,tier=backend matches no pods of any workload in namespace "rag", so it has no endpoints` + fix,
		}},
		{name: "pods in another namespace do not count", manifests: []string{
			deploymentWith("grafana", "monitoring", "replicas: 1", "{app: grafana}"),
			service("grafana", "rag", "{selector: {app: grafana}, ports: [{port: 3000}]}"),
		}, want: []string{
			`Service "grafana": selector app=grafana matches no pods of any workload in namespace "rag", so it has no endpoints` + fix,
		}},
		{name: "a service fronting a custom resource's pods is not judged", manifests: []string{`
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: pg, namespace: rag}
spec: {instances: 3}
`,
			service("pg-rw", "rag", "{selector: {cnpg.io/cluster: pg}, ports: [{port: 5432}]}"),
		}, undecided: []string{
			cannotDecide(`Service "pg-rw"`, "service-selects-pods", `whether Cluster "pg" creates it (it may create pods and Services this policy cannot see)`),
		}},
		{name: "selectors and labels unknown during preview are not judged", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", `"<unknown>"`),
			service("api", "rag", "{selector: {app: api}, ports: [{port: 8000}]}"),
			service("web", "rag", `{selector: "<unknown>"}`),
		}, undecided: []string{
			cannotDecide(`Service "api"`, "service-selects-pods", "the pod labels of a workload"),
			cannotDecide(`Service "web"`, "service-selects-pods", "spec.selector"),
		}},
	})
}
