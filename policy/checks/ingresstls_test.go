package checks

import "testing"

func TestIngressTLS(t *testing.T) {
	const fix = "; add the hosts to spec.tls with a certificate Secret (e.g. issued by cert-manager)"
	runTable(t, IngressTLS, []checkCase{
		{name: "every host covered, by name or wildcard, passes", manifests: []string{`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls: [{hosts: [support.jdjones.com], secretName: support-tls}, {hosts: ["*.jdjones.com"], secretName: wildcard-tls}]
  rules: [{host: support.jdjones.com}, {host: portal.jdjones.com}, {host: api.jdjones.com}]
`}},
		{name: "an ingress without tls is flagged", manifests: []string{`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec: {rules: [{host: support.jdjones.com}, {host: portal.jdjones.com}]}
`}, want: []string{`Ingress "web": serves support.jdjones.com, portal.jdjones.com without TLS` + fix}},
		{name: "a host missing from tls is flagged", manifests: []string{`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls: [{hosts: [support.jdjones.com], secretName: support-tls}]
  rules: [{host: support.jdjones.com}, {host: api.jdjones.com}]
`}, want: []string{`Ingress "web": host api.jdjones.com has no TLS entry` + fix}},
		{name: "a wildcard covers one label only", manifests: []string{`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls: [{hosts: ["*.jdjones.com"], secretName: wildcard-tls}]
  rules: [{host: eu.api.jdjones.com}, {host: jdjones.com}]
`}, want: []string{`Ingress "web": hosts eu.api.jdjones.com, jdjones.com have no TLS entry` + fix}},
		{name: "a catch-all ingress without tls is flagged", manifests: []string{`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: catch-all}
spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}
`}, want: []string{`Ingress "catch-all": serves requests for any host without TLS` + fix}},
		{name: "an ingress that forces the https redirect passes", manifests: []string{`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, annotations: {nginx.ingress.kubernetes.io/force-ssl-redirect: "true", alb.ingress.kubernetes.io/ssl-redirect: "443"}}
spec:
  tls: [{hosts: [support.jdjones.com], secretName: support-tls}]
  rules: [{host: support.jdjones.com}]
`}},
		{name: "an ingress that turns the https redirect off is flagged", manifests: []string{`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, annotations: {nginx.ingress.kubernetes.io/ssl-redirect: "false", nginx.ingress.kubernetes.io/force-ssl-redirect: "False"}}
spec:
  tls: [{hosts: [support.jdjones.com], secretName: support-tls}]
  rules: [{host: support.jdjones.com}]
`}, want: []string{
			`Ingress "web": annotation nginx.ingress.kubernetes.io/force-ssl-redirect is "false", so its paths also answer in plain HTTP; remove the annotation (ingress-nginx redirects to HTTPS when the Ingress has TLS) or set it to "true"`,
			`Ingress "web": annotation nginx.ingress.kubernetes.io/ssl-redirect is "false", so its paths also answer in plain HTTP; remove the annotation (ingress-nginx redirects to HTTPS when the Ingress has TLS) or set it to "true"`,
		}},
		{name: "tls hosts unknown during preview are not judged", manifests: []string{`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls: [{hosts: "<unknown>", secretName: web-tls}]
  rules: [{host: api.jdjones.com}]
`}, undecided: []string{cannotDecide(`Ingress "web"`, "ingress-tls", "spec.tls")}},
	})
}
