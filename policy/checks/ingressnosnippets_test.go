package checks

import "testing"

// snippetIngress is an Ingress with TLS and the given annotations (a YAML flow map).
func snippetIngress(annotations string) string {
	return `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: portal, annotations: ` + annotations + `}
spec:
  tls: [{hosts: [portal.example.com], secretName: portal-tls}]
  rules: [{host: portal.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: portal, port: {number: 80}}}}]}}]
`
}

func TestIngressNoSnippets(t *testing.T) {
	const fix = `; remove the annotation and express the setting with the controller's dedicated annotations or its ConfigMap`
	runTable(t, IngressNoSnippets, []checkCase{
		{name: "the controller's dedicated annotations pass, and a key no controller reads (keys are case-sensitive)", manifests: []string{
			snippetIngress(`{nginx.ingress.kubernetes.io/proxy-body-size: 50m, nginx.ingress.kubernetes.io/limit-rps: "10", cert-manager.io/cluster-issuer: letsencrypt}`),
			snippetIngress(`{nginx.ingress.kubernetes.io/Configuration-Snippet: "return 200;"}`),
		}},
		{name: "an ingress-nginx configuration snippet is refused", manifests: []string{
			snippetIngress(`{nginx.ingress.kubernetes.io/configuration-snippet: "more_set_headers \"X-Frame-Options: DENY\";"}`),
		}, want: []string{`Ingress "portal": annotation nginx.ingress.kubernetes.io/configuration-snippet injects raw configuration into the ingress controller` + fix}},
		{name: "server and auth snippets are refused, each named", manifests: []string{
			snippetIngress(`{nginx.ingress.kubernetes.io/server-snippet: "location /x { return 200; }", nginx.ingress.kubernetes.io/auth-snippet: "proxy_set_header A b;"}`),
		}, want: []string{
			`Ingress "portal": annotation nginx.ingress.kubernetes.io/auth-snippet injects raw configuration into the ingress controller` + fix,
			`Ingress "portal": annotation nginx.ingress.kubernetes.io/server-snippet injects raw configuration into the ingress controller` + fix,
		}},
		{name: "other controllers' snippets are refused too", manifests: []string{
			snippetIngress(`{nginx.org/location-snippets: "add_header X 1;", haproxy.org/backend-config-snippet: "http-request deny"}`),
		}, want: []string{
			`Ingress "portal": annotation haproxy.org/backend-config-snippet injects raw configuration into the ingress controller` + fix,
			`Ingress "portal": annotation nginx.org/location-snippets injects raw configuration into the ingress controller` + fix,
		}},
		{name: "a snippet annotation whose value is not known yet is still refused by its key", manifests: []string{
			snippetIngress(`{nginx.ingress.kubernetes.io/configuration-snippet: "<unknown>"}`),
		}, want: []string{`Ingress "portal": annotation nginx.ingress.kubernetes.io/configuration-snippet injects raw configuration into the ingress controller` + fix}},
		{name: "annotations not known yet are decided later", manifests: []string{
			snippetIngress(`"<unknown>"`),
		}, undecided: []string{cannotDecide(`Ingress "portal"`, "ingress-no-snippets", "metadata.annotations")}},
	})
}
