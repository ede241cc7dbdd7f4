package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

func TestIngressServesTheThreeHostsOverTLS(t *testing.T) {
	rec := runStack(t, "prod", nil)
	type routed struct{ ingress, service string }
	routes := map[string]routed{}
	tlsHosts := map[string][]string{}
	annotations := map[string]map[string]string{}
	for _, r := range rec.OfType(stacktest.IngressType) {
		var ing networkingv1.Ingress
		require.NoError(t, r.Decode(&ing))
		annotations[ing.Name] = ing.Annotations
		assert.Equal(t, "nginx", *ing.Spec.IngressClassName)
		for _, rule := range ing.Spec.Rules {
			for _, path := range rule.HTTP.Paths {
				b := path.Backend.Service
				routes[rule.Host+path.Path] = routed{ing.Name, b.Name}
				svc, ok := rec.Object(stacktest.ServiceType, b.Name)
				require.Truef(t, ok, "backend %s exists", b.Name)
				var s corev1.Service
				require.NoError(t, svc.Decode(&s))
				require.Len(t, s.Spec.Ports, 1, "the Service %s exposes one port: nothing else is routable", b.Name)
				assert.Equal(t, s.Spec.Ports[0].Port, b.Port.Number, "backend port of %s", rule.Host)
			}
		}
		for _, tls := range ing.Spec.TLS {
			tlsHosts[ing.Name] = append(tlsHosts[ing.Name], tls.Hosts...)
		}
	}
	assert.Equal(t, map[string]routed{
		"support.jdjones.com/":    {"jd-jones-rag", "external-portal"},
		"api.jdjones.com/":        {"jd-jones-rag", "api"},
		"api.jdjones.com/metrics": {"jd-jones-rag-metrics", "api"},
		"portal.jdjones.com/":     {"jd-jones-rag-portal", "internal-portal"},
	}, routes)
	assert.Equal(t, map[string][]string{
		"jd-jones-rag":         {"support.jdjones.com", "api.jdjones.com"},
		"jd-jones-rag-portal":  {"portal.jdjones.com"},
		"jd-jones-rag-metrics": {"api.jdjones.com"},
	}, tlsHosts)
	const nginx = "nginx.ingress.kubernetes.io/"
	for name, a := range annotations {
		assert.Equal(t, "true", a[nginx+"force-ssl-redirect"], name)
		assert.Equal(t, "100m", a[nginx+"proxy-body-size"], name)
		assert.Equal(t, "300", a[nginx+"proxy-read-timeout"], name)
		// Recorded as the API server answered the apply, not as an awaiter's cache held it.
		assert.Equal(t, "true", a["pulumi.com/skipAwait"], name)
	}
	// One certificate per issuing Ingress: two Ingresses asking for the same Secret would fight over it.
	assert.Equal(t, "letsencrypt-prod", annotations["jd-jones-rag"]["cert-manager.io/cluster-issuer"])
	assert.Equal(t, "letsencrypt-prod", annotations["jd-jones-rag-portal"]["cert-manager.io/cluster-issuer"])
	assert.NotContains(t, annotations["jd-jones-rag-metrics"], "cert-manager.io/cluster-issuer")
	// The employee portal answers only the configured ranges; /metrics answers nobody.
	assert.Equal(t, "203.0.113.0/24,198.51.100.16/28", annotations["jd-jones-rag-portal"][nginx+"whitelist-source-range"])
	assert.NotContains(t, annotations["jd-jones-rag"], nginx+"whitelist-source-range")
	assert.Equal(t, "0.0.0.0/0,::/0", annotations["jd-jones-rag-metrics"][nginx+"denylist-source-range"])
}
