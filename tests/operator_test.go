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

// The Prometheus Operator's resources the operator mode registers.
var (
	podMonitorsResource     = schema.GroupVersionResource{Group: "monitoring.coreos.com", Version: "v1", Resource: "podmonitors"}
	prometheusRulesResource = schema.GroupVersionResource{Group: "monitoring.coreos.com", Version: "v1", Resource: "prometheusrules"}
)

// operatorNamespace keeps this test's up apart from the other cluster tests' namespaces.
const operatorNamespace = "jd-jones-rag-operator"

// devInOperatorMode is dev's stack file handing monitoring to kube-prometheus-stack's Prometheus.
const devInOperatorMode = `  jd-jones-rag-infra:monitoring:
    mode: operator
    operator:
      namespace: monitoring
      podLabels:
        app.kubernetes.io/name: prometheus
      selectorLabels:
        release: kube-prometheus-stack
`

func TestAnUpInOperatorModeRegistersMonitorsAndRulesTheCRDsAccept(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	client := dynamicClient(t, c)
	podMonitors := client.Resource(podMonitorsResource).Namespace(operatorNamespace)
	rules := client.Resource(prometheusRulesResource).Namespace(operatorNamespace)

	phase(t, "up of dev in operator mode registers PodMonitors and a PrometheusRule, and no Prometheus", func(t *testing.T) {
		_, err := devIn(t, c, operatorNamespace, devInOperatorMode, nil).Up(ctx, nil)
		require.NoError(t, err)

		list, err := podMonitors.List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		jobs := map[string]bool{}
		for _, pm := range list.Items {
			assert.Equal(t, "kube-prometheus-stack", pm.GetLabels()["release"], pm.GetName())
			endpoints, _, _ := unstructured.NestedSlice(pm.Object, "spec", "podMetricsEndpoints")
			require.Len(t, endpoints, 1, pm.GetName())
			relabelings := endpoints[0].(map[string]any)["relabelings"].([]any)
			jobs[relabelings[0].(map[string]any)["replacement"].(string)] = true
		}
		assert.Equal(t, map[string]bool{"api": true, "postgres": true, "redis": true}, jobs, "dev's scrape jobs")

		rule, err := rules.Get(ctx, "prometheus-rules", metav1.GetOptions{})
		require.NoError(t, err)
		groups, _, _ := unstructured.NestedSlice(rule.Object, "spec", "groups")
		var names []string
		for _, g := range groups {
			names = append(names, g.(map[string]any)["name"].(string))
		}
		assert.Equal(t, []string{"jd-jones-rag.targets", "jd-jones-rag.api", "jd-jones-rag.celery", "jd-jones-rag.postgres",
			"jd-jones-rag.redis", "jd-jones-rag.prometheus"}, names)

		for _, gone := range []string{"prometheus", "alertmanager"} {
			_, err := c.Client.AppsV1().StatefulSets(operatorNamespace).Get(ctx, gone, metav1.GetOptions{})
			assert.True(t, apierrors.IsNotFound(err), "%s: %v", gone, err)
		}
		_, err = c.Client.AppsV1().Deployments(operatorNamespace).Get(ctx, "grafana", metav1.GetOptions{})
		assert.True(t, apierrors.IsNotFound(err), "grafana: %v", err)
	})

	phase(t, "the CRD's schema refuses a PrometheusRule whose rule has no expr", func(t *testing.T) {
		rule, err := rules.Get(ctx, "prometheus-rules", metav1.GetOptions{})
		require.NoError(t, err)
		broken := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
			"metadata": map[string]any{"name": "broken", "namespace": operatorNamespace},
			"spec":     rule.Object["spec"],
		}}
		_, err = rules.Create(ctx, broken, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		require.NoError(t, err, "the stack's own spec passes a dry run under another name")
		require.NoError(t, unstructured.SetNestedSlice(broken.Object, []any{map[string]any{
			"name": "broken", "rules": []any{map[string]any{"alert": "NoExpression", "for": "5m"}},
		}}, "spec", "groups"))
		_, err = rules.Create(ctx, broken, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		require.Error(t, err, "a rule without expr is refused")
		assert.True(t, apierrors.IsInvalid(err), "refused as invalid: %v", err)
		assert.Contains(t, err.Error(), "spec.groups[0].rules[0].expr: Required value")
	})
}
