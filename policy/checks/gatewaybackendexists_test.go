package checks

import "testing"

func TestGatewayBackendExists(t *testing.T) {
	route := func(backends string) string {
		return `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: rag}
spec:
  parentRefs: [{name: edge}]
  hostnames: [api.jdjones.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /metrics}}]
  - backendRefs: ` + backends + `
`
	}
	const grant = `
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: from-rag, namespace: shared}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: rag}]
  to: [{group: "", kind: Service, name: search}]
`
	runTable(t, GatewayBackendExists, []checkCase{
		{name: "backendRefs naming existing services and ports, or granted ones elsewhere, pass", manifests: []string{
			service("api", "rag", "{selector: {app: api}, ports: [{name: http, port: 8000}]}"), grant,
			route(`[{name: api, port: 8000}, {kind: Service, name: search, namespace: shared, port: 9200}, {group: example.com, kind: Bucket, name: assets}]`),
		}},
		{name: "a backendRef naming a missing service is flagged", manifests: []string{
			service("api", "rag", "{selector: {app: api}, ports: [{port: 8000}]}"),
			route(`[{name: apii, port: 8000}]`),
		}, want: []string{
			`HTTPRoute "api" backend (rule 1, backendRef 0): Service "apii" is not in namespace "rag" of the stack; point it at an existing Service in namespace "rag"`,
		}},
		{name: "a Gateway of the stack, which may deploy proxies, does not hide a missing service", manifests: []string{
			service("api", "rag", "{selector: {app: api}, ports: [{port: 8000}]}"),
			`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: rag}
spec:
  gatewayClassName: istio
  listeners: [{name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: edge-tls}]}}]
`,
			route(`[{name: admin-console, port: 80}]`),
		}, want: []string{
			`HTTPRoute "api" backend (rule 1, backendRef 0): Service "admin-console" is not in namespace "rag" of the stack; point it at an existing Service in namespace "rag"`,
		}},
		{name: "a backendRef port the service does not expose is flagged", manifests: []string{
			service("api", "rag", "{selector: {app: api}, ports: [{name: http, port: 8000}]}"),
			route(`[{name: api, port: 80}]`),
		}, want: []string{
			`HTTPRoute "api" backend (rule 1, backendRef 0): Service "api" has no port 80; it exposes 8000 (http); use one of the Service's ports`,
		}},
		{name: "a backendRef to another namespace without a grant is flagged", manifests: []string{
			route(`[{name: search, namespace: shared, port: 9200}]`),
		}, want: []string{
			`HTTPRoute "api" backend (rule 1, backendRef 0): Service "search" is in namespace "shared", where no ReferenceGrant of the stack admits HTTPRoutes of namespace "rag"; add a ReferenceGrant in namespace "shared" from HTTPRoutes of "rag" to the Service, or route to a Service in "rag"`,
		}},
		{name: "a grant for another service does not count", manifests: []string{
			grant, route(`[{name: postgres, namespace: shared, port: 5432}]`),
		}, want: []string{
			`HTTPRoute "api" backend (rule 1, backendRef 0): Service "postgres" is in namespace "shared", where no ReferenceGrant of the stack admits HTTPRoutes of namespace "rag"; add a ReferenceGrant in namespace "shared" from HTTPRoutes of "rag" to the Service, or route to a Service in "rag"`,
		}},
		{name: "rules unknown during preview are not judged", manifests: []string{
			service("api", "rag", "{selector: {app: api}, ports: [{port: 8000}]}"),
			route(`"<unknown>"`),
		}, undecided: []string{cannotDecide(`HTTPRoute "api"`, "gateway-backend-exists", "spec.rules")}},
	})
}
