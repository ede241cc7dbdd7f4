package components

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// Ports and user ids of the monitoring images.
const (
	prometheusPort = 9090
	grafanaPort    = 3000
	prometheusUID  = 65534
	grafanaUID     = 472
)

// PrometheusRules is the ConfigMap of the alert rules Prometheus evaluates.
const PrometheusRules = "prometheus-rules"

// podNameEnv is the pod's name, from the downward API: the replica label of a Prometheus replica.
const podNameEnv = "POD_NAME"

// retentionShare is the part of a Prometheus claim the blocks may fill before the oldest are deleted: the
// rest is room for the write-ahead log and compactions.
const retentionShare = 0.85

// MonitoringLayer is Prometheus, finding its targets in the cluster DNS and sending alerts to Alertmanager,
// and Grafana provisioned with Prometheus as its datasource and the platform's dashboard; Grafana's admin
// password comes from a Secret.
type MonitoringLayer struct {
	pulumi.ResourceState

	// PrometheusService and GrafanaService are the two Services.
	PrometheusService pulumi.StringOutput `pulumi:"prometheusService"`
	GrafanaService    pulumi.StringOutput `pulumi:"grafanaService"`
}

// MonitoringLayerArgs configures the MonitoringLayer.
type MonitoringLayerArgs struct {
	// Config is the validated stack configuration.
	Config *config.Config
	// Foundation supplies the namespace and Grafana's admin password.
	Foundation *Foundation
}

// NewMonitoringLayer registers Prometheus and Grafana with its provisioning.
func NewMonitoringLayer(ctx *pulumi.Context, name string, args *MonitoringLayerArgs, opts ...pulumi.ResourceOption) (*MonitoringLayer, error) {
	m := &MonitoringLayer{}
	b, err := register(ctx, "MonitoringLayer", name, m, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	c := args.Config
	// In operator mode the cluster's Prometheus scrapes and alerts: the stack registers only what it
	// reads (monitors and rules), and no Grafana, whose datasource would be that Prometheus (see docs/operations.md).
	if operatorMode(c) {
		if err := b.operatorMonitoring(c); err != nil {
			return nil, err
		}
		m.PrometheusService, m.GrafanaService = pulumi.String("").ToStringOutput(), pulumi.String("").ToStringOutput()
		return m, b.done(pulumi.Map{"prometheusService": m.PrometheusService, "grafanaService": m.GrafanaService})
	}
	prometheus, err := b.prometheus(c)
	if err != nil {
		return nil, err
	}
	if err := b.alertmanager(c); err != nil {
		return nil, err
	}
	grafana, err := b.grafana(c, args.Foundation)
	if err != nil {
		return nil, err
	}
	m.PrometheusService = prometheus.Metadata.Name().Elem()
	m.GrafanaService = grafana.Metadata.Name().Elem()
	return m, b.done(pulumi.Map{"prometheusService": m.PrometheusService, "grafanaService": m.GrafanaService})
}

// prometheus registers Prometheus with its generated config and alert rules, as a StatefulSet whose every
// replica keeps its own series on its own claim. It finds the pods it scrapes, and the Alertmanagers, through
// their headless Services in the cluster DNS, so it needs neither the Kubernetes API nor a token.
func (b *builder) prometheus(c *config.Config) (*corev1.Service, error) {
	scrapeConfig, err := prometheusConfig(c)
	if err != nil {
		return nil, err
	}
	rules, err := alertRules(c)
	if err != nil {
		return nil, err
	}
	retention, err := retentionSize(c.Monitoring.StorageSize)
	if err != nil {
		return nil, err
	}
	replicas := c.Workloads.Prometheus.Replicas
	headless := headlessServiceName(PrometheusName)
	ports := []port{{"http", prometheusPort}}
	if _, err := b.newService("monitoring", service{name: headless, selects: PrometheusName, ports: ports, headless: true}); err != nil {
		return nil, err
	}
	if _, err := b.newStatefulSet(statefulSet{
		replicas: replicas, parallel: true, serviceName: headless,
		claims: []claimTemplate{{name: "prometheus-data", storageClass: c.Storage.ClassName, size: c.Monitoring.StorageSize}},
		pod: pod{
			name: PrometheusName, spread: true, component: "monitoring", uid: prometheusUID, options: c.Workloads.Prometheus.Pod,
			configMaps: []configMapFiles{
				{name: PrometheusConfig, files: map[string]string{"prometheus.yml": scrapeConfig}},
				{name: PrometheusRules, files: map[string]string{alertRulesFile: rules}},
			},
			volumes: corev1.VolumeArray{
				configMapVolume("config", PrometheusConfig),
				configMapVolume("rules", PrometheusRules),
			},
			containers: []container{{
				name: PrometheusName, image: c.Images.Prometheus,
				args: []string{
					"--config.file=" + prometheusConfigDir + "/prometheus.yml",
					"--storage.tsdb.path=/prometheus",
					"--storage.tsdb.retention.time=" + c.Monitoring.Retention,
					"--storage.tsdb.retention.size=" + retention,
				},
				ports: ports,
				env: corev1.EnvVarArray{corev1.EnvVarArgs{
					Name:      pulumi.String(podNameEnv),
					ValueFrom: corev1.EnvVarSourceArgs{FieldRef: corev1.ObjectFieldSelectorArgs{FieldPath: pulumi.String("metadata.name")}},
				}},
				mounts: corev1.VolumeMountArray{
					mount("config", prometheusConfigDir),
					mount("rules", prometheusRulesDir),
					mount("prometheus-data", "/prometheus"),
				},
				resources: c.Workloads.Prometheus.Resources,
				liveness:  httpProbe("/-/healthy", "http", livenessTiming),
				readiness: httpProbe("/-/ready", "http", readinessTiming),
			}},
		},
	}); err != nil {
		return nil, err
	}
	if replicas > 1 {
		if err := b.disruptionBudget(PrometheusName, "monitoring", false); err != nil {
			return nil, err
		}
	}
	return b.newService("monitoring", service{name: PrometheusName, selects: PrometheusName, ports: ports})
}

// retentionSize is Prometheus's size-based retention for a claim: retentionShare of it, in Prometheus's
// power-of-two units (its MB is a MiB).
func retentionSize(claim string) (string, error) {
	q, err := resource.ParseQuantity(claim)
	if err != nil {
		return "", fmt.Errorf("monitoring.storageSize %q: %w", claim, err)
	}
	return fmt.Sprintf("%dMB", int64(float64(q.Value())*retentionShare)>>20), nil
}
