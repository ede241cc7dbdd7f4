package platform

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// gatewayWithExtras runs examples/gateway-api.yaml with objects added through extraObjects, as a user of
// the stack could add them, and returns the policies whose mandatory findings the pack reports.
func gatewayWithExtras(t *testing.T, objects ...map[string]any) []string {
	t.Helper()
	cfg := exampleConfig(t, filepath.Join(stacktest.RepoRoot(), "examples", "gateway-api.yaml"))
	raw, err := json.Marshal(objects)
	require.NoError(t, err)
	cfg[config.Project+":"+config.ExtraObjectsKey] = string(raw)
	rec, err := stacktest.Run("gateway-api", cfg, Program)
	require.NoError(t, err, "the program accepts the extra objects; only the pack can judge them")
	var refused []string
	for _, f := range checks.Blocking(stacktest.Evaluate(rec, true)) {
		refused = append(refused, f.Policy)
	}
	slices.Sort(refused)
	return slices.Compact(refused)
}

// route is an HTTPRoute on the example's own Gateway, to the Service and port named.
func route(name, service string, port int) map[string]any {
	return map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": map[string]any{"name": name},
		"spec": map[string]any{
			"parentRefs": []any{map[string]any{"name": "jd-jones-rag"}},
			"hostnames":  []any{name + ".jdjones.com"},
			"rules":      []any{map[string]any{"backendRefs": []any{map[string]any{"name": service, "port": port}}}},
		},
	}
}

// The Gateway example's broken twins, made the way a stack's author could make them (extraObjects), are
// refused by the pack's Gateway rules; its compliant twin is not.
func TestThePackRefusesBrokenTwinsOfTheGatewayExample(t *testing.T) {
	assert.Empty(t, gatewayWithExtras(t, route("status", "api", 8000)), "a route to a Service the stack has, on its port")
	assert.Equal(t, []string{"gateway-backend-exists"}, gatewayWithExtras(t, route("admin", "admin-console", 80)),
		"a route to a Service the stack does not have")
	assert.Equal(t, []string{"gateway-backend-exists"}, gatewayWithExtras(t, route("status", "api", 9090)),
		"a route to a port the API's Service does not serve")
	plainGateway := map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": map[string]any{"name": "plain"},
		"spec": map[string]any{
			"gatewayClassName": "envoy-gateway",
			"listeners":        []any{map[string]any{"name": "http", "hostname": "support.jdjones.com", "port": 80, "protocol": "HTTP"}},
		},
	}
	assert.Equal(t, []string{"gateway-tls"}, gatewayWithExtras(t, plainGateway), "a plain-HTTP Gateway for a public host")
}
