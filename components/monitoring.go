package components

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// Ports and user ids of the monitoring images.
const (
	prometheusPort = 9090
	grafanaPort    = 3000
	prometheusUID  = 65534
	grafanaUID     = 472
)

// MonitoringLayer is Prometheus, finding its targets in the cluster DNS, and Grafana provisioned with
// Prometheus as its datasource and the platform's dashboard; Grafana's admin password comes from a Secret.
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
	l, err := register(ctx, "MonitoringLayer", name, m, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	c := args.Config
	prometheus, err := l.prometheus(c)
	if err != nil {
		return nil, err
	}
	grafana, err := l.grafana(c, args.Foundation)
	if err != nil {
		return nil, err
	}
	m.PrometheusService = prometheus.Metadata.Name().Elem()
	m.GrafanaService = grafana.Metadata.Name().Elem()
	return m, l.done(pulumi.Map{"prometheusService": m.PrometheusService, "grafanaService": m.GrafanaService})
}

// prometheus registers Prometheus with its generated config. It finds the pods it scrapes through their
// headless Services in the cluster DNS, so it needs neither the Kubernetes API nor a token.
func (l *layer) prometheus(c *config.Config) (*corev1.Service, error) {
	scrapeConfig, err := prometheusConfig(c)
	if err != nil {
		return nil, err
	}
	if _, err := l.newDeployment(deployment{
		replicas: c.Workloads.Prometheus.Replicas,
		pod: pod{
			name: PrometheusName, spread: true, component: "monitoring", uid: prometheusUID,
			configMaps: []configMapFiles{{name: PrometheusConfig, files: map[string]string{"prometheus.yml": scrapeConfig}}},
			volumes: corev1.VolumeArray{
				configMapVolume("config", PrometheusConfig),
				emptyDirVolume("data", "8Gi"),
			},
			containers: []container{{
				name: PrometheusName, image: c.Images.Prometheus,
				args: []string{
					"--config.file=/etc/prometheus/prometheus.yml",
					"--storage.tsdb.path=/prometheus",
					"--storage.tsdb.retention.time=15d",
					"--storage.tsdb.retention.size=6GB",
				},
				ports:     []port{{"http", prometheusPort}},
				mounts:    corev1.VolumeMountArray{mount("config", "/etc/prometheus"), mount("data", "/prometheus")},
				resources: c.Workloads.Prometheus.Resources,
				liveness:  httpProbe("/-/healthy", "http", livenessTiming),
				readiness: httpProbe("/-/ready", "http", readinessTiming),
			}},
		},
	}); err != nil {
		return nil, err
	}
	return l.newService("monitoring", service{name: PrometheusName, selects: PrometheusName, ports: []port{{"http", prometheusPort}}})
}
