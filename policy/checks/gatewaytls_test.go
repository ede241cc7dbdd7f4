package checks

import "testing"

func TestGatewayTLS(t *testing.T) {
	const fix = "; make the listener HTTPS with tls.certificateRefs naming a certificate Secret, or add an HTTPS listener for its hostname"
	gateway := func(listeners string) string {
		return `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: rag}
spec:
  gatewayClassName: envoy
  listeners: ` + listeners + `
`
	}
	runTable(t, GatewayTLS, []checkCase{
		{name: "https listeners with certificates, and plain http beside one for redirects, pass", manifests: []string{gateway(`
  - {name: api, hostname: api.jdjones.com, port: 443, protocol: HTTPS, tls: {mode: Terminate, certificateRefs: [{kind: Secret, name: api-tls}]}}
  - {name: api-redirect, hostname: api.jdjones.com, port: 80, protocol: HTTP}`)}},
		{name: "a plain http listener alone is flagged", manifests: []string{gateway(`
  - {name: web, hostname: support.jdjones.com, port: 80, protocol: HTTP}`)},
			want: []string{`Gateway "edge" listener "web": serves support.jdjones.com in plain HTTP on port 80 with no HTTPS listener for it` + fix}},
		{name: "a plain http listener for any host beside an https one for a single host is flagged", manifests: []string{gateway(`
  - {name: api, hostname: api.jdjones.com, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: api-tls}]}}
  - {name: all, port: 80, protocol: HTTP}`)},
			want: []string{`Gateway "edge" listener "all": serves any host in plain HTTP on port 80 with no HTTPS listener for it` + fix}},
		{name: "an https listener without a certificate is flagged", manifests: []string{gateway(`
  - {name: api, hostname: api.jdjones.com, port: 443, protocol: HTTPS, tls: {mode: Terminate}}`)},
			want: []string{`Gateway "edge" listener "api": serves api.jdjones.com over HTTPS without a certificate` + fix}},
		{name: "other kinds named Gateway are not judged", manifests: []string{`
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: rag}
spec: {servers: [{port: {number: 80, protocol: HTTP}}]}
`}},
		{name: "listeners unknown during preview are not judged", manifests: []string{gateway(`"<unknown>"`)},
			undecided: []string{cannotDecide(`Gateway "edge"`, "gateway-tls", "spec.listeners")}},
	})
}
