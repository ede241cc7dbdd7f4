package tests

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// KEDA's resources the keda autoscaling mode registers.
var (
	scaledObjectsResource          = schema.GroupVersionResource{Group: "keda.sh", Version: "v1alpha1", Resource: "scaledobjects"}
	triggerAuthenticationsResource = schema.GroupVersionResource{Group: "keda.sh", Version: "v1alpha1", Resource: "triggerauthentications"}
)

// kedaNamespace keeps this test's up apart from the other cluster tests' namespaces.
const kedaNamespace = "jd-jones-rag-keda"

// devInKEDAMode is dev's stack file scaling the Celery workers on two queues through KEDA.
const devInKEDAMode = `  jd-jones-rag-infra:workloads:
    celeryWorker:
      autoscaling:
        mode: keda
        keda:
          queues: [celery, embeddings]
          listLength: 10
`

func TestAnUpInKEDAModeRegistersAScaledObjectTheCRDsAccept(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	client := dynamicClient(t, c)
	scaledObjects := client.Resource(scaledObjectsResource).Namespace(kedaNamespace)
	auths := client.Resource(triggerAuthenticationsResource).Namespace(kedaNamespace)

	phase(t, "up of dev in keda mode registers a ScaledObject and its TriggerAuthentication, and no worker HPA", func(t *testing.T) {
		_, err := devIn(t, c, kedaNamespace, devInKEDAMode, nil).Up(ctx, nil)
		require.NoError(t, err)

		so, err := scaledObjects.Get(ctx, "celery-worker", metav1.GetOptions{})
		require.NoError(t, err)
		target, _, _ := unstructured.NestedStringMap(so.Object, "spec", "scaleTargetRef")
		assert.Equal(t, map[string]string{"apiVersion": "apps/v1", "kind": "Deployment", "name": "celery-worker"}, target)
		minReplicas, _, _ := unstructured.NestedInt64(so.Object, "spec", "minReplicaCount")
		maxReplicas, _, _ := unstructured.NestedInt64(so.Object, "spec", "maxReplicaCount")
		assert.Equal(t, []int64{1, 3}, []int64{minReplicas, maxReplicas}, "dev's worker range")
		triggers, _, _ := unstructured.NestedSlice(so.Object, "spec", "triggers")
		require.Len(t, triggers, 2)
		for i, queue := range []string{"celery", "embeddings"} {
			trigger := triggers[i].(map[string]any)
			assert.Equal(t, "redis", trigger["type"])
			assert.Equal(t, map[string]any{"address": "redis." + kedaNamespace + ".svc:6379", "listName": queue, "listLength": "10"}, trigger["metadata"])
			assert.Equal(t, "celery-worker", trigger["authenticationRef"].(map[string]any)["name"])
		}

		auth, err := auths.Get(ctx, "celery-worker", metav1.GetOptions{})
		require.NoError(t, err)
		refs, _, _ := unstructured.NestedSlice(auth.Object, "spec", "secretTargetRef")
		assert.Equal(t, []any{map[string]any{"parameter": "password", "name": "jd-jones-secrets", "key": "redis-password"}}, refs)

		_, err = c.Client.AutoscalingV2().HorizontalPodAutoscalers(kedaNamespace).Get(ctx, "celery-worker", metav1.GetOptions{})
		assert.True(t, apierrors.IsNotFound(err), "the stack registers no worker HPA (KEDA's operator would): %v", err)
		_, err = c.Client.PolicyV1().PodDisruptionBudgets(kedaNamespace).Get(ctx, "celery-worker", metav1.GetOptions{})
		assert.NoError(t, err, "the workers keep their disruption budget")
	})

	phase(t, "the CRD's schema refuses a ScaledObject whose trigger has no type", func(t *testing.T) {
		so, err := scaledObjects.Get(ctx, "celery-worker", metav1.GetOptions{})
		require.NoError(t, err)
		broken := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
			"metadata": map[string]any{"name": "broken", "namespace": kedaNamespace},
			"spec":     so.Object["spec"],
		}}
		_, err = scaledObjects.Create(ctx, broken, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		require.NoError(t, err, "the stack's own spec passes a dry run under another name")
		require.NoError(t, unstructured.SetNestedSlice(broken.Object, []any{map[string]any{
			"metadata": map[string]any{"listName": "celery"},
		}}, "spec", "triggers"))
		_, err = scaledObjects.Create(ctx, broken, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		require.Error(t, err, "a trigger without type is refused")
		assert.True(t, apierrors.IsInvalid(err), "refused as invalid: %v", err)
		assert.Contains(t, err.Error(), "spec.triggers[0].type: Required value")
	})
}
