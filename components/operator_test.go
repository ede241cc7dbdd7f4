package components_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/platform"
)

// operatorMonitoring is monitoring.mode operator with the kube-prometheus-stack's usual Prometheus.
const operatorMonitoring = `{"mode": "operator", "operator": {"namespace": "monitoring",
	"podLabels": {"app.kubernetes.io/name": "prometheus"}, "selectorLabels": {"release": "kube-prometheus-stack"}}}`

func TestOperatorModeHandsScrapingAndRulesToTheClustersPrometheus(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		t.Run(stack, func(t *testing.T) {
			rec := runStack(t, stack, map[string]string{"monitoring": operatorMonitoring})
			for _, r := range stacktest.Workloads(rec) {
				assert.NotContains(t, []string{"prometheus", "alertmanager", "grafana"}, r.ObjectName(), "the operator's Prometheus replaces the bundled monitoring")
			}
			for _, cm := range []string{"prometheus-config", "prometheus-rules", "alertmanager-config"} {
				_, ok := rec.Object(stacktest.ConfigMapType, cm)
				assert.False(t, ok, cm)
			}

			// A PodMonitor per job of the bundled scrape configuration, naming job and app alike.
			bundled := readPrometheusFile(t, runStack(t, stack, nil))
			var wantJobs []string
			for _, j := range bundled.ScrapeConfigs {
				if j.JobName != "prometheus" && j.JobName != "alertmanager" {
					wantJobs = append(wantJobs, j.JobName)
				}
			}
			var gotJobs []string
			for name, pm := range stacktest.CustomResources(t, rec, "PodMonitor") {
				meta := pm["metadata"].(map[string]any)
				assert.Equal(t, "kube-prometheus-stack", meta["labels"].(map[string]any)["release"], name)
				endpoint := pm["spec"].(map[string]any)["podMetricsEndpoints"].([]any)[0].(map[string]any)
				assert.Equal(t, "metrics", endpoint["port"], name)
				relabel := endpoint["relabelings"].([]any)
				job := relabel[0].(map[string]any)["replacement"].(string)
				assert.Equal(t, job, relabel[1].(map[string]any)["replacement"], "%s: app equals job", name)
				gotJobs = append(gotJobs, job)
			}
			assert.ElementsMatch(t, wantJobs, gotJobs)

			// One PrometheusRule with exactly the groups of the bundled rule file.
			rules := stacktest.CustomResources(t, rec, "PrometheusRule")
			require.Len(t, rules, 1)
			var want map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(stacktest.ConfigMapFile(t, runStack(t, stack, nil), "prometheus-rules", "alerts.yml")), &want))
			// The one difference: no Alertmanager of the stack's to miss.
			missing := want["groups"].([]any)[0].(map[string]any)["rules"].([]any)[1].(map[string]any)
			require.Equal(t, "TargetMissing", missing["alert"])
			missing["expr"] = strings.TrimSuffix(missing["expr"].(string), ` or absent(up{job="alertmanager"})`)
			for _, r := range rules {
				assert.Equal(t, want["groups"], r["spec"].(map[string]any)["groups"])
			}

			// The operator's Prometheus, in its namespace, is admitted to the metrics ports; no bundled one is.
			policies := map[string]networkingv1.NetworkPolicy{}
			for _, r := range rec.OfType(stacktest.NetworkPolicyType) {
				var np networkingv1.NetworkPolicy
				require.NoError(t, r.Decode(&np))
				policies[np.Name] = np
			}
			for _, gone := range []string{"allow-from-prometheus", "allow-to-prometheus", "allow-to-grafana", "allow-to-alertmanager"} {
				assert.NotContains(t, policies, gone)
			}
			api, ok := policies["allow-to-api"]
			require.True(t, ok)
			found := false
			for _, rule := range api.Spec.Ingress {
				for _, from := range rule.From {
					if from.NamespaceSelector != nil && from.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] == "monitoring" {
						found = true
						assert.Equal(t, map[string]string{"app.kubernetes.io/name": "prometheus"}, from.PodSelector.MatchLabels)
						assert.Equal(t, int32(9100), rule.Ports[0].Port.IntVal)
					}
				}
			}
			assert.True(t, found, "the operator's Prometheus scrapes the API's metrics port")
		})
	}
}

func TestOperatorModeNeedsToKnowWhereThePrometheusRuns(t *testing.T) {
	cfg, err := stacktest.StackConfig("dev")
	require.NoError(t, err)
	cfg[config.Project+":monitoring"] = `{"mode": "operator"}`
	_, err = stacktest.Run("dev", cfg, platform.Program)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "monitoring.operator.namespace")
	assert.Contains(t, err.Error(), "monitoring.operator.podLabels")
}
