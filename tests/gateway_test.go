package tests

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The Gateway API's resources the gateway mode registers (the standard-channel CRDs of .tools/crds).
var (
	gatewaysResource   = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gateways"}
	httpRoutesResource = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}
)

// gatewayNamespace keeps this test's up apart from the other cluster tests' namespaces.
const gatewayNamespace = "jd-jones-rag-gateway"

// devIngress is dev's ingress key, which gateway mode replaces.
const devIngress = "  jd-jones-rag-infra:ingress:\n    clusterIssuer: letsencrypt-staging\n"

// devInGatewayMode is dev's ingress key serving the hosts through the stack's own Gateway.
const devInGatewayMode = `  jd-jones-rag-infra:ingress:
    mode: gateway
    clusterIssuer: letsencrypt-staging
    acmeSolver: dns01
    gateway:
      create: true
      className: envoy-gateway
      dataPlaneNamespace: envoy-gateway-system
`

func TestAnUpInGatewayModeRegistersAGatewayAndRoutesTheCRDsAccept(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	client := dynamicClient(t, c)
	gateways := client.Resource(gatewaysResource).Namespace(gatewayNamespace)
	routes := client.Resource(httpRoutesResource).Namespace(gatewayNamespace)

	phase(t, "up of dev in gateway mode registers a Gateway and three HTTPRoutes, and no Ingress", func(t *testing.T) {
		_, err := devIn(t, c, gatewayNamespace, "", map[string]string{devIngress: devInGatewayMode}).Up(ctx, nil)
		require.NoError(t, err)

		gw, err := gateways.Get(ctx, "jd-jones-rag", metav1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, "letsencrypt-staging", gw.GetAnnotations()["cert-manager.io/cluster-issuer"])
		listeners, _, _ := unstructured.NestedSlice(gw.Object, "spec", "listeners")
		hosts := map[string]string{}
		for _, l := range listeners {
			l := l.(map[string]any)
			assert.Equal(t, "HTTPS", l["protocol"], l["name"])
			hosts[l["name"].(string)] = l["hostname"].(string)
		}
		assert.Equal(t, map[string]string{"support": "support.dev.jdjones.com", "api": "api.dev.jdjones.com", "portal": "portal.dev.jdjones.com"}, hosts)

		list, err := routes.List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		backends := map[string]string{}
		for _, r := range list.Items {
			hostnames, _, _ := unstructured.NestedStringSlice(r.Object, "spec", "hostnames")
			rules, _, _ := unstructured.NestedSlice(r.Object, "spec", "rules")
			last := rules[len(rules)-1].(map[string]any)["backendRefs"].([]any)[0].(map[string]any)
			backends[hostnames[0]] = last["name"].(string)
		}
		assert.Equal(t, map[string]string{"support.dev.jdjones.com": "external-portal", "api.dev.jdjones.com": "api",
			"portal.dev.jdjones.com": "internal-portal"}, backends)

		ingresses, err := c.Client.NetworkingV1().Ingresses(gatewayNamespace).List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		assert.Empty(t, ingresses.Items, "no Ingress in gateway mode")
	})

	phase(t, "the CRD's schema refuses an HTTPRoute whose path is not absolute", func(t *testing.T) {
		route, err := routes.Get(ctx, "jd-jones-rag-api", metav1.GetOptions{})
		require.NoError(t, err)
		broken := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
			"metadata": map[string]any{"name": "broken", "namespace": gatewayNamespace},
			"spec":     route.Object["spec"],
		}}
		_, err = routes.Create(ctx, broken, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		require.NoError(t, err, "the stack's own spec passes a dry run under another name")
		require.NoError(t, unstructured.SetNestedSlice(broken.Object, []any{map[string]any{
			"matches":     []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "metrics"}}},
			"backendRefs": []any{map[string]any{"name": "api", "port": int64(8000)}},
		}}, "spec", "rules"))
		_, err = routes.Create(ctx, broken, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		require.Error(t, err, "a relative path is refused")
		assert.True(t, apierrors.IsInvalid(err), "refused as invalid: %v", err)
		assert.Contains(t, err.Error(), "value must be an absolute path")
	})
}
