package components

import (
	_ "embed"
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/config"
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
