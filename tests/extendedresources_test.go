package tests

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// TestTheAPIServerAcceptsTheRenderedGPUAndRefusesAFractionalOne applies the celery-worker Deployment
// rendered with workloads.celeryWorker.resources.extended to the local control plane: the API server,
// the authority on extended resources, accepts one GPU requested and limited equally, and refuses the
// same Deployment with half a GPU and with a request below its limit, which the stack's validation and
// the pack refuse too.
func TestTheAPIServerAcceptsTheRenderedGPUAndRefusesAFractionalOne(t *testing.T) {
	c := startCluster(t)
	rec := renderStack(t, "dev", map[string]string{"workloads": `{"celeryWorker": {"resources": {"extended": {"nvidia.com/gpu": "1", "hugepages-2Mi": "4Mi"}}}}`})
	r, ok := rec.Object(stacktest.DeploymentType, "celery-worker")
	require.True(t, ok)
	var d appsv1.Deployment
	require.NoError(t, r.Decode(&d))
	createNamespace(t, c, rec, d.Namespace)
	deployments := c.Client.AppsV1().Deployments(d.Namespace)
	ctx := context.Background()
	gpu := corev1.ResourceName("nvidia.com/gpu")

	created, err := deployments.Create(ctx, d.DeepCopy(), metav1.CreateOptions{})
	require.NoError(t, err, "the API server accepts the rendered GPU worker")
	res := created.Spec.Template.Spec.Containers[0].Resources
	assert.Equal(t, resource.MustParse("1"), res.Limits[gpu])
	assert.Equal(t, resource.MustParse("1"), res.Requests[gpu])

	for name, change := range map[string]func(*corev1.ResourceRequirements){
		"half a GPU": func(r *corev1.ResourceRequirements) {
			r.Requests[gpu], r.Limits[gpu] = resource.MustParse("500m"), resource.MustParse("500m")
		},
		"a GPU request below its limit": func(r *corev1.ResourceRequirements) {
			r.Limits[gpu] = resource.MustParse("2")
		},
	} {
		bad := d.DeepCopy()
		bad.Name = "celery-worker-bad"
		change(&bad.Spec.Template.Spec.Containers[0].Resources)
		_, err := deployments.Create(ctx, bad, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		assert.True(t, apierrors.IsInvalid(err), "%s: the API server refuses it, got %v", name, err)
	}
}
