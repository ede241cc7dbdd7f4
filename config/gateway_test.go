package config_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// withIngress loads a stack's committed configuration with the JSON object fields set in its ingress key
// (a null field is removed).
func withIngress(t *testing.T, stack, fields string) (*config.Config, error) {
	t.Helper()
	cfg, err := stacktest.StackConfig(stack)
	require.NoError(t, err)
	src := config.MapSource{Values: map[string]string{}}
	for k, v := range cfg {
		src.Values[strings.TrimPrefix(k, config.Project+":")] = v
	}
	ingress := map[string]any{}
	require.NoError(t, json.Unmarshal([]byte(src.Values["ingress"]), &ingress))
	var set map[string]any
	require.NoError(t, json.Unmarshal([]byte(fields), &set))
	for k, v := range set {
		if v == nil {
			delete(ingress, k)
		} else {
			ingress[k] = v
		}
	}
	b, err := json.Marshal(ingress)
	require.NoError(t, err)
	src.Values["ingress"] = string(b)
	return config.LoadFrom(src)
}

func TestIngressModeDefaultsToNginx(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		c, err := withIngress(t, stack, `{}`)
		require.NoError(t, err)
		assert.Equal(t, config.IngressNginx, c.Ingress.Mode, stack)
		assert.Equal(t, "ingress-nginx", c.Ingress.EdgeNamespace(), stack)
	}
	c, err := withIngress(t, "dev", `{"mode": "gateway", "clusterIssuer": null, "tlsSecretName": "jdjones-tls", "gateway": {"create": true, "className": "envoy", "dataPlaneNamespace": "envoy-gateway-system"}}`)
	require.NoError(t, err)
	assert.True(t, c.Ingress.IsGateway())
	assert.Equal(t, "envoy-gateway-system", c.Ingress.EdgeNamespace())
	// Prod: the routes attach to an existing Gateway, the portal to a restricted one.
	_, err = withIngress(t, "prod", `{"mode": "gateway", "clusterIssuer": null, "portalSourceRanges": null, "gateway": {"parentRef": {"name": "public", "namespace": "edge"}, "portalParentRef": {"name": "internal", "namespace": "edge", "sectionName": "https"}, "dataPlaneNamespace": "edge"}}`)
	require.NoError(t, err)
}

func TestGatewayModeRefusesWhatItCannotExpress(t *testing.T) {
	const p = "config " + config.Project + ":"
	const created = `"gateway": {"create": true, "className": "envoy", "dataPlaneNamespace": "envoy-gateway-system"}`
	for _, tc := range []struct{ name, stack, fields, want string }{
		{"an unknown mode", "dev", `{"mode": "istio"}`,
			p + `ingress.mode = "istio": must be one of nginx, gateway`},
		{"neither create nor parentRef", "dev", `{"mode": "gateway", "gateway": {"dataPlaneNamespace": "edge"}}`,
			p + `ingress.gateway.parentRef.name is required in gateway mode unless ingress.gateway.create is true`},
		{"both create and parentRef", "dev", `{"mode": "gateway", "acmeSolver": "dns01", "gateway": {"create": true, "className": "envoy", "parentRef": {"name": "public"}, "dataPlaneNamespace": "edge"}}`,
			p + `ingress.gateway.parentRef.name = "public": set either ingress.gateway.create or ingress.gateway.parentRef.name, not both`},
		{"create without a class", "dev", `{"mode": "gateway", "clusterIssuer": null, "tlsSecretName": "t", "gateway": {"create": true, "dataPlaneNamespace": "edge"}}`,
			p + `ingress.gateway.className = "": must name a GatewayClass with ingress.gateway.create: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`},
		{"no data plane namespace", "dev", `{"mode": "gateway", "clusterIssuer": null, "tlsSecretName": "t", "gateway": {"create": true, "className": "envoy"}}`,
			p + `ingress.gateway.dataPlaneNamespace = "": must be a DNS-1123 label: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`},
		{"a certificate with an existing gateway", "dev", `{"mode": "gateway", "gateway": {"parentRef": {"name": "public"}, "dataPlaneNamespace": "edge"}}`,
			p + `ingress.clusterIssuer = "letsencrypt-staging": must be unset with ingress.gateway.parentRef.name: that Gateway's listeners hold the certificates`},
		{"the http-01 solver behind https-only listeners", "dev", `{"mode": "gateway", ` + created + `}`,
			p + `ingress.acmeSolver = "http01": must be dns01 in gateway mode: the Gateway has HTTPS listeners only, where no HTTP-01 challenge can be answered`},
		{"portal source ranges", "dev", `{"mode": "gateway", "acmeSolver": "dns01", "portalSourceRanges": ["203.0.113.0/24"], ` + created + `}`,
			p + `ingress.portalSourceRanges = ["203.0.113.0/24"]: cannot be expressed in gateway mode: an HTTPRoute has no client-address match; unset it and attach the portal to a Gateway restricted to these ranges with ingress.gateway.portalParentRef.name`},
		{"prod without a restricted portal gateway", "prod", `{"mode": "gateway", "acmeSolver": "dns01", "portalSourceRanges": null, ` + created + `}`,
			p + `ingress.gateway.portalParentRef.name is required in prod in gateway mode: the employee portal admits only the office and VPN ranges, which only a Gateway restricted to them can enforce`},
		{"the data plane in the stack's own namespace", "dev", `{"mode": "gateway", "acmeSolver": "dns01", "gateway": {"create": true, "className": "istio", "dataPlaneNamespace": "jd-jones-rag-dev"}}`,
			p + `ingress.gateway.dataPlaneNamespace = "jd-jones-rag-dev": must not be the stack's namespace: NetworkPolicies admit every pod of the data plane's namespace to the portals and the API, so every pod of the stack would reach them; run the Gateway's proxies in a namespace of their own`},
		{"a section without a gateway", "dev", `{"mode": "gateway", "acmeSolver": "dns01", "gateway": {"create": true, "className": "envoy", "dataPlaneNamespace": "edge", "portalParentRef": {"sectionName": "https"}}}`,
			p + `ingress.gateway.portalParentRef.sectionName = "https": needs ingress.gateway.portalParentRef.name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := withIngress(t, tc.stack, tc.fields)
			var verr config.ValidationError
			require.ErrorAs(t, err, &verr)
			require.Len(t, verr, 1, err.Error())
			assert.Equal(t, tc.want, verr[0].Error())
		})
	}
}
