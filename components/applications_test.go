package components

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// runDev builds the platform under mocks with the dev stack's committed configuration.
func runDev(t *testing.T) *stacktest.Record {
	t.Helper()
	cfg, err := stacktest.StackConfig("dev")
	require.NoError(t, err)
	rec, err := stacktest.Run("dev", cfg, func(ctx *pulumi.Context) error {
		c, err := config.Load(ctx)
		if err != nil {
			return err
		}
		_, err = NewPlatform(ctx, "jd-jones-rag", &PlatformArgs{Config: c})
		return err
	})
	require.NoError(t, err)
	return rec
}

// admitted maps each NetworkPolicy's target to the pods its rules admit, per port.
func admitted(t *testing.T, rec *stacktest.Record) map[string]map[int32][]string {
	t.Helper()
	out := map[string]map[int32][]string{}
	for _, r := range rec.OfType("kubernetes:networking.k8s.io/v1:NetworkPolicy") {
		var np networkingv1.NetworkPolicy
		require.NoError(t, r.Decode(&np))
		target := np.Spec.PodSelector.MatchLabels["app.kubernetes.io/name"]
		for _, rule := range np.Spec.Ingress {
			for _, peer := range rule.From {
				if peer.PodSelector == nil {
					continue
				}
				for _, p := range rule.Ports {
					if out[target] == nil {
						out[target] = map[int32][]string{}
					}
					out[target][p.Port.IntVal] = append(out[target][p.Port.IntVal], peer.PodSelector.MatchExpressions[0].Values...)
				}
			}
		}
	}
	return out
}

func TestAWorkerAddedToTheTableGetsItsDeploymentProbesAndFlows(t *testing.T) {
	// A second Celery queue worker, described in one place only.
	embeddings := application{
		name: "celery-embeddings", registeredBy: workerLayerType, component: "worker",
		image: "worker", command: "worker", size: "celeryWorker",
		health:   probeContract{liveness: "workerLiveness", readiness: "workerReadiness"},
		calls:    []string{PostgresName, RedisName, ChromaName},
		settings: true, sharedStorage: true,
	}
	saved := applications
	applications = append(slices.Clone(applications), embeddings)
	t.Cleanup(func() { applications = saved })

	rec := runDev(t)
	r, ok := rec.Object("kubernetes:apps/v1:Deployment", "celery-embeddings")
	require.True(t, ok, "the new worker has a Deployment")
	assert.Equal(t, "urn:pulumi:dev::jd-jones-rag-infra::jdjones:rag:Platform$jdjones:rag:WorkerLayer$kubernetes:apps/v1:Deployment::jd-jones-rag-workers-celery-embeddings", r.URN)
	var d appsv1.Deployment
	require.NoError(t, r.Decode(&d))
	c := d.Spec.Template.Spec.Containers[0]
	assert.Equal(t, "ghcr.io/jdjones/rag-api:1.0.0", c.Image)
	assert.Equal(t, []string{"celery", "-A", "app.worker", "worker", "--loglevel=INFO"}, c.Command)
	require.NotNil(t, c.LivenessProbe)
	assert.Contains(t, c.LivenessProbe.Exec.Command[2], "find /tmp/worker_heartbeat -mmin -2")
	assert.Equal(t, []string{"test", "-e", "/tmp/worker_ready"}, c.ReadinessProbe.Exec.Command)
	assert.Nil(t, d.Spec.Replicas, "its HPA owns the size")
	assert.NotEmpty(t, d.Spec.Template.Annotations["checksum/jd-jones-config"], "it rolls with the settings it reads")
	assert.Len(t, d.Spec.Template.Spec.Volumes, 3, "/tmp and both shared claims")

	hpa, ok := rec.Object("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "celery-embeddings")
	require.True(t, ok, "an autoscaled size brings an HPA")
	var h autoscalingv2.HorizontalPodAutoscaler
	require.NoError(t, hpa.Decode(&h))
	assert.Equal(t, "celery-embeddings", h.Spec.ScaleTargetRef.Name)
	_, ok = rec.Object("kubernetes:policy/v1:PodDisruptionBudget", "celery-embeddings")
	assert.True(t, ok, "and a disruption budget")

	migration := rec.OfType("kubernetes:batch/v1:Job")
	require.Len(t, migration, 1)
	assert.Contains(t, r.Dependencies, migration[0].URN, "it waits for the migration like its layer's other workers")

	flows := admitted(t, rec)
	assert.Contains(t, flows["postgres"][5432], "celery-embeddings")
	assert.Contains(t, flows["redis"][6379], "celery-embeddings")
	assert.Contains(t, flows["chromadb"][8000], "celery-embeddings")
	assert.NotContains(t, flows, "celery-embeddings", "it serves nothing, so nothing is admitted to it")
	_, ok = rec.Object("kubernetes:core/v1:Service", "celery-embeddings")
	assert.False(t, ok, "and it has no Service")
}

func TestEveryApplicationNamesExistingConfigKeys(t *testing.T) {
	c := config.Defaults(config.Dev)
	for _, app := range applications {
		in := applicationInputs{config: &c, foundation: &Foundation{}, storage: &SharedStorage{}}
		_, _, err := app.configuredPod(in)
		assert.NoError(t, err, app.name)
	}
	broken := applications[0]
	broken.size = "apiServer"
	_, _, err := broken.configuredPod(applicationInputs{config: &c, foundation: &Foundation{}, storage: &SharedStorage{}})
	assert.EqualError(t, err, "application api: no config key workloads.apiServer")
}

func TestPodsBehindAServiceKeepServingWhileTheirEndpointIsRemoved(t *testing.T) {
	rec := runDev(t)
	served := map[string]bool{}
	for _, r := range rec.OfType("kubernetes:core/v1:Service") {
		served[r.ObjectName()] = true
	}
	for _, app := range applications {
		if app.runOnce {
			continue
		}
		r, ok := rec.Object("kubernetes:apps/v1:Deployment", app.name)
		require.True(t, ok, app.name)
		var d appsv1.Deployment
		require.NoError(t, r.Decode(&d))
		c := d.Spec.Template.Spec.Containers[0]
		if !served[app.name] {
			assert.Nil(t, c.Lifecycle, "%s serves nothing: it stops at once", app.name)
			continue
		}
		require.NotNil(t, c.Lifecycle, "%s has a preStop drain", app.name)
		require.NotNil(t, c.Lifecycle.PreStop.Sleep, "%s drains with the kubelet's sleep, which needs no shell in the image", app.name)
		assert.EqualValues(t, 10, c.Lifecycle.PreStop.Sleep.Seconds, app.name)
		assert.Less(t, c.Lifecycle.PreStop.Sleep.Seconds, *d.Spec.Template.Spec.TerminationGracePeriodSeconds, "%s keeps time to finish its requests", app.name)
	}

	// A short grace period keeps half of itself for the process.
	c := config.Defaults(config.Dev)
	c.Workloads.API.TerminationGracePeriodSeconds = 6
	p, _, err := applications[0].configuredPod(applicationInputs{config: &c, foundation: &Foundation{}, storage: &SharedStorage{}})
	require.NoError(t, err)
	assert.Equal(t, 3, p.containers[0].drainSeconds)
}
