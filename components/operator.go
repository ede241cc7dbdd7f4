package components

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// monitoringAPIVersion is the Prometheus Operator's API of monitors and rules.
const monitoringAPIVersion = "monitoring.coreos.com/v1"

// operatorMode says whether a Prometheus Operator of the cluster scrapes and alerts instead of the stack.
func operatorMode(c *config.Config) bool { return c.Monitoring.Mode == config.Operator }

// podMonitorSpec selects one scraped workload's pods, as the bundled configuration finds them through
// their headless Service, on their metrics port; job and app become the scrape job the rules expect.
func podMonitorSpec(s scope, p peer) map[string]any {
	job := p.scrapeJob()
	return map[string]any{
		"jobLabel": nameLabel,
		"selector": map[string]any{"matchLabels": map[string]any{nameLabel: p.name, instanceLabel: s.instance}},
		"podMetricsEndpoints": []any{map[string]any{
			"port":     "metrics",
			"interval": scrapeInterval,
			"relabelings": []any{
				map[string]any{"action": "replace", "targetLabel": "job", "replacement": job},
				map[string]any{"action": "replace", "targetLabel": "app", "replacement": job},
			},
		}},
	}
}

// prometheusRuleSpec is alertRules' file as a PrometheusRule's spec: exactly its groups.
func prometheusRuleSpec(c *config.Config) (map[string]any, error) {
	rules, err := alertRules(c)
	if err != nil {
		return nil, err
	}
	var file map[string]any
	if err := yaml.Unmarshal([]byte(rules), &file); err != nil {
		return nil, fmt.Errorf("alert rules: %w", err)
	}
	return map[string]any{"groups": file["groups"]}, nil
}

// operatorMonitoring registers, for the operator's Prometheus, a PodMonitor per scraped workload and
// one PrometheusRule of the platform's alerts, labelled so its selectors pick them up, and the
// dashboards' ConfigMaps for the Grafana beside it (telemetry.go).
func (b *builder) operatorMonitoring(c *config.Config) error {
	meta := func(name string) metav1.ObjectMetaArgs {
		m := b.scope.meta(name, "monitoring")
		labels := m.Labels.(pulumi.StringMap)
		for k, v := range c.Monitoring.Operator.SelectorLabels {
			labels[k] = pulumi.String(v)
		}
		return m
	}
	for _, p := range peers(c) {
		if p.metricsPort == 0 {
			continue
		}
		if _, err := apiextensions.NewCustomResource(b.ctx, b.child(p.name+"-podmonitor"), &apiextensions.CustomResourceArgs{
			ApiVersion:  pulumi.String(monitoringAPIVersion),
			Kind:        pulumi.String("PodMonitor"),
			Metadata:    meta(p.name),
			OtherFields: map[string]any{"spec": podMonitorSpec(b.scope, p)},
		}, b.opts(nil)...); err != nil {
			return fmt.Errorf("pod monitor %s: %w", p.name, err)
		}
	}
	spec, err := prometheusRuleSpec(c)
	if err != nil {
		return err
	}
	if _, err := apiextensions.NewCustomResource(b.ctx, b.child("prometheusrule"), &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String(monitoringAPIVersion),
		Kind:        pulumi.String("PrometheusRule"),
		Metadata:    meta(PrometheusRules),
		OtherFields: map[string]any{"spec": spec},
	}, b.opts(nil)...); err != nil {
		return fmt.Errorf("prometheus rule: %w", err)
	}
	return b.operatorDashboards(c)
}
