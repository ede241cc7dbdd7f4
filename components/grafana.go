package components

import (
	"embed"
	"fmt"
	"io/fs"
	"path"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// Names of Grafana's provisioning ConfigMaps.
const (
	grafanaDatasources = "grafana-datasources"
	grafanaProviders   = "grafana-dashboard-providers"
	grafanaDashboards  = "grafana-dashboards"
)

// dashboardFiles are the provisioned dashboards (API, Celery, Postgres and Redis); every metric they
// select is in monitoring/metrics.yml.
//
//go:embed monitoring/*.json
var dashboardFiles embed.FS

// provisionedDashboards maps each provisioned dashboard's file name to its JSON.
func provisionedDashboards() (map[string]string, error) {
	names, err := fs.Glob(dashboardFiles, "monitoring/*.json")
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, name := range names {
		data, err := dashboardFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out[path.Base(name)] = string(data)
	}
	return out, nil
}

// grafana registers Grafana with Prometheus as datasource, the platform's dashboards, and the admin
// password read from jd-jones-secrets through secretKeyRef.
//
// Grafana's state is explicitly disposable: its database is an emptyDir per replica, so a restart loses
// the login sessions and anything saved in the UI. Nothing needs saving there: the datasource and the
// dashboards are provisioned from this repository (read-only in the UI), the one user is the provisioned
// admin, and sign-up is off. A dashboard worth keeping is committed to monitoring/.
func (b *builder) grafana(c *config.Config, f *Foundation) (*corev1.Service, error) {
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
	dashboards, err := provisionedDashboards()
	if err != nil {
		return nil, fmt.Errorf("grafana dashboards: %w", err)
	}
	if _, err := b.newDeployment(deployment{
		replicas: c.Workloads.Grafana.Replicas,
		pod: pod{
			name: GrafanaName, spread: true, component: "monitoring", uid: grafanaUID, options: c.Workloads.Grafana.Pod,
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
					plainEnv("GF_USERS_ALLOW_SIGN_UP", "false"),
					plainEnv("GF_ANALYTICS_REPORTING_ENABLED", "false"),
					plainEnv("GF_ANALYTICS_CHECK_FOR_UPDATES", "false"),
					// Logs to stdout only, where the kubelet collects them: Grafana's default also writes a
					// file under its logs path, which the read-only root filesystem does not allow.
					plainEnv("GF_LOG_MODE", "console"),
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
	return b.newService("monitoring", service{name: GrafanaName, selects: GrafanaName, ports: []port{{"http", grafanaPort}}, sticky: true})
}
