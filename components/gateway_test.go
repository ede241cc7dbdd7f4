package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/platform"
)

// gatewayStack renders a stack in gateway mode with the ingress fields given.
func gatewayStack(t *testing.T, stack string, ingress map[string]any) *stacktest.Record {
	t.Helper()
	return stacktest.RunStackWithFields(t, platform.Program, stack, map[string]map[string]any{"ingress": ingress})
}

// routesOf maps each HTTPRoute's name to its spec.
func routesOf(t *testing.T, rec *stacktest.Record) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, r := range rec.OfType(stacktest.HTTPRouteType) {
		out[r.ObjectName()] = r.Plain()["spec"].(map[string]any)
	}
	return out
}

func TestGatewayModeRoutesTheThreeHostsThroughTheStacksGateway(t *testing.T) {
	rec := gatewayStack(t, "dev", map[string]any{"mode": "gateway", "acmeSolver": "dns01",
		"gateway": map[string]any{"create": true, "className": "envoy", "dataPlaneNamespace": "envoy-gateway-system"}})
	assert.Empty(t, rec.OfType(stacktest.IngressType), "no Ingress in gateway mode")

	gw, ok := rec.Object(stacktest.GatewayType, "jd-jones-rag")
	require.True(t, ok, "the stack registers its Gateway")
	obj := gw.Plain()
	assert.Equal(t, "letsencrypt-staging", obj["metadata"].(map[string]any)["annotations"].(map[string]any)["cert-manager.io/cluster-issuer"])
	spec := obj["spec"].(map[string]any)
	assert.Equal(t, "envoy", spec["gatewayClassName"])
	listener := func(name, host string) map[string]any {
		return map[string]any{"name": name, "hostname": host, "port": float64(443), "protocol": "HTTPS",
			"tls":           map[string]any{"mode": "Terminate", "certificateRefs": []any{map[string]any{"kind": "Secret", "name": "jd-jones-rag-" + name + "-tls"}}},
			"allowedRoutes": map[string]any{"namespaces": map[string]any{"from": "Same"}}}
	}
	// HTTPS only: nothing listens on port 80 in plain HTTP.
	assert.Equal(t, []any{
		listener("support", "support.dev.jdjones.com"), listener("api", "api.dev.jdjones.com"), listener("portal", "portal.dev.jdjones.com"),
	}, spec["listeners"])

	parent := func(section string) []any {
		return []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "jd-jones-rag", "sectionName": section}}
	}
	toService := func(svc string, port int) map[string]any {
		return map[string]any{"matches": []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/"}}},
			"backendRefs": []any{map[string]any{"kind": "Service", "name": svc, "port": float64(port)}}}
	}
	// /metrics: a rule without backends, which the Gateway answers with a 500 before the API sees it.
	metricsRefused := map[string]any{"matches": []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/metrics"}}}}
	assert.Equal(t, map[string]map[string]any{
		"jd-jones-rag-support": {"parentRefs": parent("support"), "hostnames": []any{"support.dev.jdjones.com"}, "rules": []any{toService("external-portal", 3000)}},
		"jd-jones-rag-api":     {"parentRefs": parent("api"), "hostnames": []any{"api.dev.jdjones.com"}, "rules": []any{metricsRefused, toService("api", 8000)}},
		"jd-jones-rag-portal":  {"parentRefs": parent("portal"), "hostnames": []any{"portal.dev.jdjones.com"}, "rules": []any{toService("internal-portal", 3000)}},
	}, routesOf(t, rec))

	// The workloads behind the routes admit the Gateway's data plane, not the ingress controller.
	for _, name := range []string{"allow-to-api", "allow-to-external-portal", "allow-to-internal-portal"} {
		r, ok := rec.Object(stacktest.NetworkPolicyType, name)
		require.True(t, ok, name)
		var np networkingv1.NetworkPolicy
		require.NoError(t, r.Decode(&np))
		var namespaces []string
		for _, rule := range np.Spec.Ingress {
			for _, from := range rule.From {
				if from.NamespaceSelector != nil {
					namespaces = append(namespaces, from.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"])
				}
			}
		}
		assert.Contains(t, namespaces, "envoy-gateway-system", name)
		assert.NotContains(t, namespaces, "ingress-nginx", name)
	}
}

func TestGatewayModeAttachesToExistingGatewaysAndThePortalToItsRestrictedOne(t *testing.T) {
	rec := gatewayStack(t, "prod", map[string]any{"mode": "gateway", "clusterIssuer": nil, "portalSourceRanges": nil,
		"gateway": map[string]any{"parentRef": map[string]any{"name": "public", "namespace": "edge"},
			"portalParentRef":    map[string]any{"name": "internal", "namespace": "edge", "sectionName": "https"},
			"dataPlaneNamespace": "edge"}})
	assert.Empty(t, rec.OfType(stacktest.GatewayType), "an existing Gateway is not registered")
	assert.Empty(t, rec.OfType(stacktest.IngressType))
	routes := routesOf(t, rec)
	public := []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "public", "namespace": "edge"}}
	assert.Equal(t, public, routes["jd-jones-rag-support"]["parentRefs"])
	assert.Equal(t, public, routes["jd-jones-rag-api"]["parentRefs"])
	assert.Equal(t, []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "internal", "namespace": "edge", "sectionName": "https"}},
		routes["jd-jones-rag-portal"]["parentRefs"])
}
