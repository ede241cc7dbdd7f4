package checks

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

func TestContainerResourcesJudgesExtendedResources(t *testing.T) {
	const sized = `cpu: 500m, memory: 1Gi`
	deployment := func(requests, limits string) []string {
		return []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: celery-worker}
spec:
  template:
    spec:
      containers:
      - {name: worker, image: "worker:1", resources: {requests: {` + sized + requests + `}, limits: {` + sized + limits + `}}}
`}
	}
	runTable(t, ContainerResources, []checkCase{
		{name: "a whole GPU requested as much as it is limited passes", manifests: deployment(`, nvidia.com/gpu: "1", hugepages-2Mi: 4Mi`, `, nvidia.com/gpu: "1", hugepages-2Mi: 4Mi`)},
		{name: "a GPU given only as a limit passes: the API server defaults the request to it", manifests: deployment(``, `, amd.com/gpu: "2"`)},
		{name: "a fractional GPU is flagged", manifests: deployment(`, nvidia.com/gpu: "0.5"`, `, nvidia.com/gpu: "0.5"`), want: []string{
			`Deployment "celery-worker" container "worker": resources.limits.nvidia.com/gpu is 500m: it must be a whole number greater than zero: an extended resource such as a GPU is not shared, so it cannot be split; give nvidia.com/gpu a whole quantity Kubernetes accepts`,
			`Deployment "celery-worker" container "worker": resources.requests.nvidia.com/gpu is 500m: it must be a whole number greater than zero: an extended resource such as a GPU is not shared, so it cannot be split; give nvidia.com/gpu a whole quantity Kubernetes accepts`,
		}},
		{name: "a GPU requested below its limit is flagged", manifests: deployment(`, nvidia.com/gpu: "1"`, `, nvidia.com/gpu: "2"`), want: []string{
			`Deployment "celery-worker" container "worker": resources.requests.nvidia.com/gpu is 1 but its limit is 2: an extended resource cannot be overcommitted; set resources.requests.nvidia.com/gpu equal to resources.limits.nvidia.com/gpu`,
		}},
		{name: "a GPU requested without a limit is flagged", manifests: deployment(`, nvidia.com/gpu: "1"`, ``), want: []string{
			`Deployment "celery-worker" container "worker": resources.requests.nvidia.com/gpu is 1 but its limit is unset: an extended resource cannot be overcommitted; set resources.requests.nvidia.com/gpu equal to resources.limits.nvidia.com/gpu`,
		}},
		{name: "hugepages off the page size are flagged", manifests: deployment(`, hugepages-2Mi: 3Mi`, `, hugepages-2Mi: 3Mi`), want: []string{
			`Deployment "celery-worker" container "worker": resources.limits.hugepages-2Mi is 3Mi: it must be a positive multiple of the page size 2Mi; give hugepages-2Mi a whole quantity Kubernetes accepts`,
			`Deployment "celery-worker" container "worker": resources.requests.hugepages-2Mi is 3Mi: it must be a positive multiple of the page size 2Mi; give hugepages-2Mi a whole quantity Kubernetes accepts`,
		}},
		{name: "a GPU whose limits are unknown during preview is not judged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: celery-worker}
spec: {template: {spec: {containers: [{name: worker, image: "worker:1", resources: {requests: {cpu: 1, memory: 1Gi, nvidia.com/gpu: "1"}, limits: "<unknown>"}}]}}}
`}, undecided: []string{
			cannotDecide(`Deployment "celery-worker" container "worker"`, "container-resources", "spec.template.spec.containers[0].resources.limits.cpu"),
			cannotDecide(`Deployment "celery-worker" container "worker"`, "container-resources", "spec.template.spec.containers[0].resources.limits.memory"),
			cannotDecide(`Deployment "celery-worker" container "worker"`, "container-resources", `spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]`),
		}},
	})
}

// Through the whole pack: a compliant GPU pod raises nothing mandatory; a fractional GPU in any
// pod-bearing kind is refused by container-resources alone.
func TestAFractionalGPUIsRefusedInEveryPodBearingKindAndAWholeOneIsNot(t *testing.T) {
	withGPU := func(quantity string) string {
		return strings.Replace(compliantPod, "resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 256Mi}}",
			`resources: {requests: {cpu: 100m, memory: 128Mi, nvidia.com/gpu: "`+quantity+`"}, limits: {cpu: 500m, memory: 256Mi, nvidia.com/gpu: "`+quantity+`"}}`, 1)
	}
	require.NotEqual(t, compliantPod, withGPU("1"), "the app container's resources are found")
	for _, k := range podBearingKindsUnderTest {
		t.Run(k.kind, func(t *testing.T) {
			name := strings.ToLower(k.kind)
			assert.Empty(t, blocking(parse(t, compliantNeighbours, podBearing(k.apiVersion, k.kind, name, withGPU("1"))), engine.Options{}), "the compliant twin passes")
			got := blocking(parse(t, compliantNeighbours, podBearing(k.apiVersion, k.kind, name, withGPU("0.5"))), engine.Options{})
			require.Len(t, got, 2, "%v", got)
			for _, g := range got {
				assert.True(t, strings.HasPrefix(g, "container-resources: "), g)
				assert.Contains(t, g, `nvidia.com/gpu is 500m: it must be a whole number`)
			}
		})
	}
}
