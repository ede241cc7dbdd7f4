package components_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

func TestTheAPIServesMetricsOnAPortNoIngressRoutes(t *testing.T) {
	rec := runStack(t, "dev", nil)
	api, ok := rec.Object(stacktest.DeploymentType, "api")
	require.True(t, ok)
	ctr := stacktest.DecodeWorkload(t, api).Spec.Spec.Containers[0]
	ports := map[string]int32{}
	for _, p := range ctr.Ports {
		ports[p.Name] = p.ContainerPort
	}
	assert.Equal(t, map[string]int32{"http": 8000, "metrics": 9100}, ports)
	assert.Contains(t, ctr.Env, corev1.EnvVar{Name: "METRICS_PORT", Value: "9100"})
	cm, ok := rec.Object(stacktest.ConfigMapType, "prometheus-config")
	require.True(t, ok)
	var promConfig corev1.ConfigMap
	require.NoError(t, cm.Decode(&promConfig))
	assert.Contains(t, promConfig.Data["prometheus.yml"], "api-metrics.jd-jones-rag-dev.svc", "Prometheus finds the API's pods through its headless metrics Service")
	assert.NotContains(t, promConfig.Data["prometheus.yml"], "kubernetes_sd_configs", "Prometheus needs no Kubernetes API access")
}

func TestMigrationGatesTheApiAndWorkers(t *testing.T) {
	rec := runStack(t, "dev", nil)
	jobs := rec.OfType(stacktest.JobType)
	require.Len(t, jobs, 1)
	job := jobs[0]
	var j batchv1.Job
	require.NoError(t, job.Decode(&j))
	assert.Empty(t, j.Name, "the Job's name is generated so a new image replaces it cleanly")
	assert.Equal(t, []string{"alembic", "upgrade", "head"}, j.Spec.Template.Spec.Containers[0].Command)
	assert.Equal(t, corev1.RestartPolicyNever, j.Spec.Template.Spec.RestartPolicy)
	for _, name := range []string{"api", "celery-worker", "celery-beat"} {
		r, ok := rec.Object(stacktest.DeploymentType, name)
		require.True(t, ok)
		assert.Contains(t, r.Dependencies, job.URN, "%s waits for the migration", name)
	}
	data, ok := rec.Object(stacktest.StatefulSetType, "postgres")
	require.True(t, ok)
	assert.Contains(t, job.Dependencies, data.URN, "the migration waits for in-cluster Postgres")
}

func TestTheMigrationEnablesPgvectorFirstInEveryStack(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		rec := runStack(t, stack, nil)
		jobs := rec.OfType(stacktest.JobType)
		require.Len(t, jobs, 1)
		spec := stacktest.DecodeWorkload(t, jobs[0]).Spec.Spec
		require.Len(t, spec.InitContainers, 1, stack)
		step := spec.InitContainers[0]
		assert.Equal(t, "enable-pgvector", step.Name)
		assert.Equal(t, []string{"psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-c", "CREATE EXTENSION IF NOT EXISTS vector"}, step.Command)
		assert.True(t, strings.HasPrefix(step.Image, "pgvector/pgvector:"), "psql comes from the Postgres image")
		env := map[string]corev1.EnvVar{}
		for _, e := range step.Env {
			env[e.Name] = e
		}
		assert.Equal(t, "$(POSTGRES_HOST)", env["PGHOST"].Value)
		assert.Equal(t, "$(POSTGRES_USER)", env["PGUSER"].Value)
		require.NotNil(t, env["PGPASSWORD"].ValueFrom, "the password comes from a Secret")
		assert.Empty(t, env["PGPASSWORD"].Value)
		want := "jd-jones-secrets"
		if stack == "prod" {
			want = "jd-jones-managed-data"
		}
		assert.Equal(t, want, env["PGPASSWORD"].ValueFrom.SecretKeyRef.Name, stack)
		assert.Equal(t, "jd-jones-config", step.EnvFrom[0].ConfigMapRef.Name, "PGSSLMODE and PGSSLROOTCERT come with the settings")
	}
}

func TestPulumiWaitsForTheMigrationAsLongAsKubernetesRunsIt(t *testing.T) {
	jobs := runStack(t, "prod", nil).OfType(stacktest.JobType)
	require.Len(t, jobs, 1)
	var job batchv1.Job
	require.NoError(t, jobs[0].Decode(&job))
	deadline := time.Duration(*job.Spec.ActiveDeadlineSeconds) * time.Second
	for _, timeout := range []string{jobs[0].CreateTimeout, jobs[0].UpdateTimeout} {
		d, err := time.ParseDuration(timeout)
		require.NoError(t, err, "a custom timeout is set")
		assert.Greater(t, d, deadline, "the await outlasts activeDeadlineSeconds")
	}
}
