package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// exporterDeployment decodes a managed service's exporter Deployment and its only container.
func exporterDeployment(t *testing.T, rec *stacktest.Record, name string) (appsv1.Deployment, corev1.Container) {
	t.Helper()
	r, ok := rec.Object(stacktest.DeploymentType, name)
	require.True(t, ok, "%s is rendered", name)
	var d appsv1.Deployment
	require.NoError(t, r.Decode(&d))
	require.Len(t, d.Spec.Template.Spec.Containers, 1)
	return d, d.Spec.Template.Spec.Containers[0]
}

// envOf are a container's literal environment values; secretRefs its variables read from Secrets.
func envOf(c corev1.Container) (plain map[string]string, secretRefs map[string]corev1.SecretKeySelector) {
	plain, secretRefs = map[string]string{}, map[string]corev1.SecretKeySelector{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			secretRefs[e.Name] = *e.ValueFrom.SecretKeyRef
		case e.ValueFrom == nil:
			plain[e.Name] = e.Value
		}
	}
	return plain, secretRefs
}

func TestProdMeasuresItsExternalDataServicesWithExportersOverVerifiedTLS(t *testing.T) {
	prod := runStack(t, "prod", nil)

	pg, pgc := exporterDeployment(t, prod, "postgres-exporter")
	assert.Equal(t, int32(1), *pg.Spec.Replicas)
	assert.Equal(t, "quay.io/prometheuscommunity/postgres-exporter:v0.17.1", pgc.Image)
	plain, secrets := envOf(pgc)
	assert.Equal(t, "jd-jones-rag.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com:5432/jdjones?sslmode=verify-full&sslrootcert=/etc/jd-jones/tls/postgres/ca.crt",
		plain["DATA_SOURCE_URI"], "verify-full against the mounted RDS bundle")
	assert.Equal(t, "jdjones_app", plain["DATA_SOURCE_USER"])
	require.Contains(t, secrets, "DATA_SOURCE_PASS")
	assert.Equal(t, corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "jd-jones-managed-data"}, Key: "postgres-password"},
		secrets["DATA_SOURCE_PASS"], "the password comes from the managed Secret")
	assert.NotContains(t, plain, "DATA_SOURCE_PASS")
	assert.Contains(t, pgc.VolumeMounts, corev1.VolumeMount{Name: "postgres-ca", MountPath: "/etc/jd-jones/tls/postgres", ReadOnly: true})

	rd, rdc := exporterDeployment(t, prod, "redis-exporter")
	assert.Equal(t, int32(1), *rd.Spec.Replicas)
	assert.Equal(t, "oliver006/redis_exporter:v1.67.0", rdc.Image)
	plain, secrets = envOf(rdc)
	assert.Equal(t, "rediss://master.jd-jones-rag.abc123.euw1.cache.amazonaws.com:6379", plain["REDIS_ADDR"], "TLS to the managed Redis")
	assert.NotContains(t, plain, "REDIS_EXPORTER_TLS_CA_CERT_FILE", "no bundle configured: the system's trust store verifies Redis")
	assert.NotContains(t, plain, "REDIS_EXPORTER_SKIP_TLS_VERIFICATION")
	assert.Equal(t, "db0=celery", plain["REDIS_EXPORTER_CHECK_SINGLE_KEYS"])
	assert.Equal(t, corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "jd-jones-managed-data"}, Key: "redis-password"},
		secrets["REDIS_PASSWORD"])
	assert.NotContains(t, plain, "REDIS_PASSWORD")

	for _, c := range []corev1.Container{pgc, rdc} {
		assert.Empty(t, c.Args, "%s: nothing on the command line", c.Name)
		assert.NotNil(t, c.LivenessProbe, c.Name)
		assert.NotNil(t, c.ReadinessProbe, c.Name)
		require.NotNil(t, c.SecurityContext, c.Name)
		assert.False(t, *c.SecurityContext.AllowPrivilegeEscalation, c.Name)
	}

	// Each is found through its headless Service and scraped under the service's name, as in the cluster.
	for _, svc := range []string{"postgres-exporter-headless", "redis-exporter-headless"} {
		_, ok := prod.Object(stacktest.ServiceType, svc)
		assert.True(t, ok, svc)
	}
	var scrape struct {
		ScrapeConfigs []struct {
			JobName      string `json:"job_name"`
			DNSSDConfigs []struct {
				Names []string `json:"names"`
				Port  int      `json:"port"`
			} `json:"dns_sd_configs"`
			RelabelConfigs []map[string]string `json:"relabel_configs"`
		} `json:"scrape_configs"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(stacktest.ConfigMapFile(t, prod, "prometheus-config", "prometheus.yml")), &scrape))
	jobs := map[string]string{}
	for _, j := range scrape.ScrapeConfigs {
		if len(j.DNSSDConfigs) > 0 {
			jobs[j.JobName] = j.DNSSDConfigs[0].Names[0]
			assert.Equal(t, j.JobName, j.RelabelConfigs[0]["replacement"], "app equals job")
		}
	}
	assert.Equal(t, "postgres-exporter-headless.jd-jones-rag.svc", jobs["postgres"])
	assert.Equal(t, "redis-exporter-headless.jd-jones-rag.svc", jobs["redis"])
}

func TestDevRunsNoExternalExporters(t *testing.T) {
	dev := runStack(t, "dev", nil)
	for _, name := range []string{"postgres-exporter", "redis-exporter"} {
		_, ok := dev.Object(stacktest.DeploymentType, name)
		assert.False(t, ok, "%s: dev's exporters are sidecars of its in-cluster data services", name)
	}
}
