package checks

import "testing"

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
	runTable(t, IngressBackendExists, []checkCase{
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
