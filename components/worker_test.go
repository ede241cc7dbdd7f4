package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

func TestCeleryBeatRunsOnceWithRecreate(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		r, ok := runStack(t, stack, nil).Object(stacktest.DeploymentType, "celery-beat")
		require.True(t, ok)
		w := stacktest.DecodeWorkload(t, r)
		assert.Equal(t, int32(1), *w.Replicas)
		assert.Equal(t, appsv1.RecreateDeploymentStrategyType, w.Strategy)
	}
}

func TestCeleryStartsSlowlyAndStopsWarmly(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		rec := runStack(t, stack, nil)
		grace := map[string]int64{}
		for _, r := range stacktest.Workloads(rec) {
			w := stacktest.DecodeWorkload(t, r)
			grace[r.ObjectName()] = *w.Spec.Spec.TerminationGracePeriodSeconds
			if name := r.ObjectName(); name == "celery-worker" || name == "celery-beat" {
				c := w.Spec.Spec.Containers[0]
				require.NotNil(t, c.StartupProbe, "%s/%s: a slow first heartbeat must not restart-loop it", stack, name)
				assert.Equal(t, c.LivenessProbe.Exec.Command, c.StartupProbe.Exec.Command, "%s/%s starts when it is first alive", stack, name)
				assert.GreaterOrEqual(t, c.StartupProbe.PeriodSeconds*c.StartupProbe.FailureThreshold, int32(120), "%s/%s gets minutes to start", stack, name)
			}
		}
		assert.Equal(t, int64(600), grace["celery-worker"], "a worker's warm shutdown lets its running tasks finish")
		assert.Equal(t, int64(30), grace["api"])
		assert.Equal(t, int64(30), grace["celery-beat"])
	}
	rec := runStack(t, "dev", map[string]string{"workloads": `{"celeryWorker": {"terminationGracePeriodSeconds": 1800}}`})
	worker, ok := rec.Object(stacktest.DeploymentType, "celery-worker")
	require.True(t, ok)
	assert.Equal(t, int64(1800), *stacktest.DecodeWorkload(t, worker).Spec.Spec.TerminationGracePeriodSeconds)
}
