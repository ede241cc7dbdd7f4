package platform

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// gpuWorkerExampleShowsItsFeature checks that examples/gpu-worker.yaml gives the Celery workers one
// GPU, requested and limited equally, on the tainted GPU node pool.
func gpuWorkerExampleShowsItsFeature(t *testing.T, e ranExample) {
	r, ok := e.rec.Object(stacktest.DeploymentType, "celery-worker")
	require.True(t, ok)
	pod := stacktest.DecodeWorkload(t, r).Spec.Spec
	gpu := corev1.ResourceName("nvidia.com/gpu")
	for _, c := range pod.Containers {
		assert.Equal(t, resource.MustParse("1"), c.Resources.Limits[gpu], "%s: a GPU limit", c.Name)
		assert.Equal(t, resource.MustParse("1"), c.Resources.Requests[gpu], "%s: a GPU request equal to it", c.Name)
	}
	assert.Equal(t, "gpu", pod.NodeSelector["node.kubernetes.io/pool"])
	require.NotEmpty(t, pod.Tolerations)
	assert.Equal(t, "nvidia.com/gpu", pod.Tolerations[0].Key)
}
