package components

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// TelemetryCollector is the name the flows give the OpenTelemetry collector the API and workers export to.
const TelemetryCollector = "otlp-collector"

// The OpenTelemetry specification's variables, which the OpenTelemetry SDKs read themselves.
const (
	otelServiceName        = "OTEL_SERVICE_NAME"
	otelEndpoint           = "OTEL_EXPORTER_OTLP_ENDPOINT"
	otelProtocol           = "OTEL_EXPORTER_OTLP_PROTOCOL"
	otelHeaders            = "OTEL_EXPORTER_OTLP_HEADERS"
	otelResourceAttributes = "OTEL_RESOURCE_ATTRIBUTES"
	otelCertificate        = "OTEL_EXPORTER_OTLP_CERTIFICATE"
)

// telemetryEnv are the OTEL_* variables of an application that exports to the collector, named service;
// none when telemetry is off. The headers come from their Secret through secretKeyRef; the CA bundle,
// when set, is a file of the pod's.
func telemetryEnv(c *config.Config, service string) corev1.EnvVarArray {
	o := c.Telemetry.OTLP
	if !o.Enabled() {
		return nil
	}
	env := corev1.EnvVarArray{
		plainEnv(otelServiceName, service),
		plainEnv(otelEndpoint, o.Endpoint),
		plainEnv(otelProtocol, o.Protocol),
	}
	if len(o.ResourceAttributes) > 0 {
		env = append(env, plainEnv(otelResourceAttributes, config.EncodeResourceAttributes(o.ResourceAttributes)))
	}
	if o.Headers.IsSet() {
		env = append(env, credential{secret: o.Headers.Name, key: o.Headers.Key}.env(otelHeaders))
	}
	if o.CA.IsSet() {
		// The bundle is mounted with the data services' (trustVolumes), in every pod that reads the settings.
		env = append(env, plainEnv(otelCertificate, caPath(c, TelemetryCollector)))
	}
	return env
}

// telemetryCalls are an application's calls with the collector added when it exports and telemetry is on.
func telemetryCalls(c *config.Config, app application) []string {
	if !app.telemetry || !c.Telemetry.OTLP.Enabled() {
		return app.calls
	}
	return append(slices.Clone(app.calls), TelemetryCollector)
}

// telemetryDestination is the collector: its address ranges, on the endpoint's port (explicit, or the
// scheme's, as the SDKs connect).
func telemetryDestination(c *config.Config) reach {
	o := c.Telemetry.OTLP
	// urlPort reads the endpoint's port as every other egress does.
	return reach{cidrs: o.CIDRs, ports: tcp(urlPort(o.Endpoint))}
}

// dashboardConfigMapName is the ConfigMap that ships one dashboard file (api.json) in operator mode.
func dashboardConfigMapName(file string) string {
	return "grafana-dashboard-" + strings.TrimSuffix(file, ".json")
}

// operatorDashboards registers each of the platform's dashboards as a ConfigMap labelled for the
// Grafana dashboard sidecar of the cluster's monitoring (kube-prometheus-stack's), which loads them.
func (b *builder) operatorDashboards(c *config.Config) error {
	dashboards, err := provisionedDashboards()
	if err != nil {
		return fmt.Errorf("grafana dashboards: %w", err)
	}
	label := c.Monitoring.Operator.DashboardLabel
	for _, file := range slices.Sorted(maps.Keys(dashboards)) {
		name := dashboardConfigMapName(file)
		meta := b.scope.meta(name, "monitoring")
		meta.Labels.(pulumi.StringMap)[label.Key] = pulumi.String(label.Value)
		if _, err := corev1.NewConfigMap(b.ctx, b.child(name), &corev1.ConfigMapArgs{
			Metadata: meta,
			Data:     pulumi.StringMap{file: pulumi.String(dashboards[file])},
		}, b.opts(nil)...); err != nil {
			return fmt.Errorf("config map %s: %w", name, err)
		}
	}
	return nil
}
