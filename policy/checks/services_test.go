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

func TestIngressBackendExists(t *testing.T) {
	ingress := func(backends string) string {
		return `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: rag}
spec:
  rules:
  - host: api.jdjones.com
    http: {paths: [` + backends + `]}
`
	}
	runTable(t, IngressBackends, []checkCase{
		{name: "backends naming existing services and ports pass", manifests: []string{
			service("api", "rag", "{selector: {app: api}, ports: [{name: http, port: 8000}]}"),
			ingress(`{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 8000}}}},
              {path: /v2, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}},
              {path: /static, pathType: Prefix, backend: {resource: {apiGroup: storage.example.com, kind: Bucket, name: assets}}}`),
		}},
		{name: "a backend naming a missing service is flagged", manifests: []string{
			service("api", "rag", "{selector: {app: api}, ports: [{port: 8000}]}"),
			ingress(`{path: /, pathType: Prefix, backend: {service: {name: apii, port: {number: 8000}}}}`),
		}, want: []string{
			`Ingress "web" backend (host api.jdjones.com, path /): Service "apii" is not in namespace "rag" of the stack; point it at an existing Service in namespace "rag"`,
		}},
		{name: "a backend port the service does not expose is flagged", manifests: []string{
			service("api", "rag", "{selector: {app: api}, ports: [{name: http, port: 8000}, {port: 9090}]}"),
			ingress(`{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}`),
		}, want: []string{
			`Ingress "web" backend (host api.jdjones.com, path /): Service "api" has no port 80; it exposes 8000 (http), 9090; use one of the Service's ports`,
		}},
		{name: "a backend port name the service does not have is flagged", manifests: []string{
			service("api", "rag", "{selector: {app: api}, ports: [{name: http, port: 8000}]}"),
			ingress(`{path: /, pathType: Prefix, backend: {service: {name: api, port: {name: https}}}}`),
		}, want: []string{
			`Ingress "web" backend (host api.jdjones.com, path /): Service "api" has no port "https"; it exposes 8000 (http); use one of the Service's ports`,
		}},
		{name: "a service in another namespace does not count", manifests: []string{
			service("api", "other", "{selector: {app: api}, ports: [{port: 8000}]}"),
			ingress(`{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 8000}}}}`),
		}, want: []string{
			`Ingress "web" backend (host api.jdjones.com, path /): Service "api" is not in namespace "rag" of the stack; point it at an existing Service in namespace "rag"`,
		}},
		{name: "backends unknown during preview are not judged", manifests: []string{
			service("api", "rag", `{selector: {app: api}, ports: "<unknown>"}`),
			ingress(`{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 8000}}}},
              {path: /x, pathType: Prefix, backend: {service: {name: "<unknown>", port: {number: 8000}}}}`),
		}, undecided: []string{
			cannotDecide(`Ingress "web" backend (host api.jdjones.com, path /)`, "ingress-backend-exists", `spec.ports of Service "api"`),
			cannotDecide(`Ingress "web"`, "ingress-backend-exists", "spec.rules[0].http.paths[1].backend"),
		}},
	})
}
