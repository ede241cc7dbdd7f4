package components

import (
	_ "embed"
	"fmt"

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

// Names of Grafana's provisioning ConfigMaps.
const (
	grafanaDatasources = "grafana-datasources"
	grafanaProviders   = "grafana-dashboard-providers"
	grafanaDashboards  = "grafana-dashboards"
)

// ragDashboard is the API and Celery dashboard.
//
//go:embed monitoring/rag-dashboard.json
var ragDashboard string

// MonitoringLayer is Prometheus, discovering the namespace's annotated pods, and Grafana provisioned with
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

// NewMonitoringLayer registers Prometheus with its discovery RBAC and Grafana with its provisioning.
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

// grafana registers Grafana with Prometheus as datasource, the RAG dashboard, and the admin password
// read from jd-jones-secrets through secretKeyRef.
func (l *layer) grafana(c *config.Config, f *Foundation) (*corev1.Service, error) {
	datasources := map[string]string{"prometheus.yaml": fmt.Sprintf(`apiVersion: 1
datasources:
  - name: Prometheus
    uid: prometheus
    type: prometheus
    access: proxy
    url: http://%s:%d
    isDefault: true
    editable: false
`, PrometheusName, prometheusPort)}
	providers := map[string]string{"dashboards.yaml": `apiVersion: 1
providers:
  - name: jd-jones-rag
    folder: JD Jones RAG
    type: file
    disableDeletion: true
    allowUiUpdates: false
    options:
      path: /var/lib/grafana/dashboards
`}
	dashboards := map[string]string{"rag-api-celery.json": ragDashboard}
	if _, err := l.newDeployment(deployment{
		replicas: c.Workloads.Grafana.Replicas,
		pod: pod{
			name: GrafanaName, spread: true, component: "monitoring", uid: grafanaUID,
			configMaps: []configMapFiles{
				{name: grafanaDatasources, files: datasources},
				{name: grafanaProviders, files: providers},
				{name: grafanaDashboards, files: dashboards},
			},
			// Grafana reads its admin password from jd-jones-secrets, and nothing of jd-jones-config.
			annotations: f.secretRolloutAnnotations(),
			volumes: corev1.VolumeArray{
				emptyDirVolume("data", "1Gi"),
				configMapVolume("datasources", grafanaDatasources),
				configMapVolume("providers", grafanaProviders),
				configMapVolume("dashboards", grafanaDashboards),
			},
			containers: []container{{
				name: GrafanaName, image: c.Images.Grafana,
				ports: []port{{"http", grafanaPort}},
				env: corev1.EnvVarArray{
					plainEnv("GF_SECURITY_ADMIN_USER", "admin"),
					f.credentials.grafana.env("GF_SECURITY_ADMIN_PASSWORD"),
					plainEnv("GF_PATHS_DATA", "/var/lib/grafana"),
					plainEnv("GF_ANALYTICS_REPORTING_ENABLED", "false"),
					plainEnv("GF_ANALYTICS_CHECK_FOR_UPDATES", "false"),
				},
				mounts: corev1.VolumeMountArray{
					mount("data", "/var/lib/grafana"),
					mount("datasources", "/etc/grafana/provisioning/datasources"),
					mount("providers", "/etc/grafana/provisioning/dashboards"),
					mount("dashboards", "/var/lib/grafana/dashboards"),
				},
				resources: c.Workloads.Grafana.Resources,
				liveness:  httpProbe("/api/health", "http", probeTiming{initialDelay: 60, period: 20, timeout: 5, failures: 3}),
				readiness: httpProbe("/api/health", "http", readinessTiming),
			}},
		},
	}); err != nil {
		return nil, err
	}
	// Each replica keeps login sessions in its own database, so a client stays with one replica.
	return l.newService("monitoring", service{name: GrafanaName, selects: GrafanaName, ports: []port{{"http", grafanaPort}}, sticky: true})
}
