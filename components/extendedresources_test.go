package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

func TestAnExtendedResourceIsRequestedAndLimitedEqually(t *testing.T) {
	rec := runStack(t, "dev", map[string]string{"workloads": `{"celeryWorker": {"resources": {"extended": {"nvidia.com/gpu": "1", "hugepages-2Mi": "4Mi"}}}}`})
	for _, r := range stacktest.Workloads(rec) {
		for _, c := range stacktest.DecodeWorkload(t, r).Spec.Spec.Containers {
			gpuRequest, requested := c.Resources.Requests["nvidia.com/gpu"]
			gpuLimit, limited := c.Resources.Limits["nvidia.com/gpu"]
			if r.ObjectName() != "celery-worker" {
				assert.False(t, requested || limited, "%s/%s asks for no GPU", r.ObjectName(), c.Name)
				continue
			}
			require.True(t, requested && limited, "the worker requests and limits its GPU")
			assert.Equal(t, resource.MustParse("1"), gpuRequest)
			assert.Equal(t, gpuRequest, gpuLimit, "Kubernetes refuses an extended resource whose request differs from its limit")
			assert.Equal(t, resource.MustParse("4Mi"), c.Resources.Requests["hugepages-2Mi"])
			assert.Equal(t, resource.MustParse("4Mi"), c.Resources.Limits["hugepages-2Mi"])
			assert.Contains(t, c.Resources.Requests, corev1.ResourceCPU, "cpu and memory stay as configured")
			assert.Contains(t, c.Resources.Limits, corev1.ResourceMemory)
		}
	}
	for _, f := range stacktest.Evaluate(rec, false) {
		assert.NotEqual(t, "container-resources", f.Policy, "a GPU is no resource finding: %+v", f)
	}
}
