package tests

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/jdjones/jd-jones-rag-infra/internal/cluster"
)

var externalSecretsResource = schema.GroupVersionResource{Group: "external-secrets.io", Version: "v1", Resource: "externalsecrets"}

// externalSecretsNamespace keeps this test's up apart from the other cluster tests' namespaces.
const externalSecretsNamespace = "jd-jones-rag-es"

// devWithExternalSecrets is dev's stack file with a store and one synced Secret.
const devWithExternalSecrets = `  jd-jones-rag-infra:externalSecrets:
    store:
      kind: ClusterSecretStore
      name: test-store
    refreshInterval: 30m
    keys:
      jd-jones-llm:
        api-key: dev/llm/api-key
`

func TestAnUpWithExternalSecretsWaitsForTheStoreAndTheCRDValidatesThem(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	client := dynamicClient(t, c)
	externalSecrets := client.Resource(externalSecretsResource).Namespace(externalSecretsNamespace)

	phase(t, "up of dev with externalSecrets waits until the operator reports the ExternalSecret Ready", func(t *testing.T) {
		s := clusterSession(t, c, "dev", t.TempDir())
		s.ProjectDir = stackFile(t, "dev", devWithExternalSecrets, map[string]string{"namespace: " + namespaces["dev"]: "namespace: " + externalSecretsNamespace})
		if !c.Local {
			t.Cleanup(func() {
				_, err := s.Destroy(ctx)
				assert.NoError(t, err, "destroy of the external secrets' up")
			})
		}
		upErr := make(chan error, 1)
		go func() {
			_, err := s.Up(ctx, nil)
			upErr <- err
		}()

		// No operator runs here: the test plays it once the API server holds the ExternalSecret.
		var es *unstructured.Unstructured
		require.Eventually(t, func() bool {
			var err error
			es, err = externalSecrets.Get(ctx, "jd-jones-llm", metav1.GetOptions{})
			return err == nil
		}, 10*time.Minute, time.Second, "the ExternalSecret reaches the API server")

		spec, _, _ := unstructured.NestedMap(es.Object, "spec")
		assert.Equal(t, map[string]any{
			"refreshInterval": "30m",
			"secretStoreRef":  map[string]any{"kind": "ClusterSecretStore", "name": "test-store"},
			"target":          map[string]any{"name": "jd-jones-llm", "creationPolicy": "Owner", "deletionPolicy": "Retain"},
			"data":            []any{map[string]any{"secretKey": "api-key", "remoteRef": map[string]any{"key": "dev/llm/api-key", "conversionStrategy": "Default", "decodingStrategy": "None", "metadataPolicy": "None"}}},
		}, spec, "the spec as sent, with the CRD's defaults")

		select {
		case err := <-upErr:
			t.Fatalf("up finished before the ExternalSecret was Ready: %v", err)
		case <-time.After(10 * time.Second):
		}
		jobs, err := c.Client.BatchV1().Jobs(externalSecretsNamespace).List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		assert.Empty(t, jobs.Items, "the migration, and the API and workers after it, wait for the ExternalSecret")
		deployments, err := c.Client.AppsV1().Deployments(externalSecretsNamespace).Get(ctx, "api", metav1.GetOptions{})
		assert.True(t, apierrors.IsNotFound(err), "no api Deployment before the ExternalSecret is Ready: %v", deployments.GetName())

		_, err = c.Client.CoreV1().Secrets(externalSecretsNamespace).Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "jd-jones-llm"},
			StringData: map[string]string{"api-key": "from-the-store"},
		}, metav1.CreateOptions{})
		require.NoError(t, err)
		require.NoError(t, unstructured.SetNestedSlice(es.Object, []any{map[string]any{
			"type": "Ready", "status": "True", "reason": "SecretSynced", "message": "secret synced",
			"lastTransitionTime": time.Now().UTC().Format(time.RFC3339),
		}}, "status", "conditions"))
		_, err = externalSecrets.UpdateStatus(ctx, es, metav1.UpdateOptions{})
		require.NoError(t, err, "the operator's status update")

		select {
		case err := <-upErr:
			require.NoError(t, err, "up completes once the ExternalSecret is Ready")
		case <-time.After(15 * time.Minute):
			t.Fatal("up still running 15 minutes after the ExternalSecret became Ready")
		}
		assertRunningIn(t, c, "dev", externalSecretsNamespace)
	})

	phase(t, "the CRD's schema refuses an ExternalSecret whose remoteRef has no key", func(t *testing.T) {
		es, err := externalSecrets.Get(ctx, "jd-jones-llm", metav1.GetOptions{})
		require.NoError(t, err)
		broken := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
			"metadata": map[string]any{"name": "broken", "namespace": externalSecretsNamespace},
			"spec":     es.Object["spec"],
		}}
		_, err = externalSecrets.Create(ctx, broken, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		require.NoError(t, err, "the stack's own spec passes a dry run under another name")
		require.NoError(t, unstructured.SetNestedSlice(broken.Object, []any{map[string]any{
			"secretKey": "api-key", "remoteRef": map[string]any{"property": "value"},
		}}, "spec", "data"))
		_, err = externalSecrets.Create(ctx, broken, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		require.Error(t, err, "a remoteRef without key is refused")
		assert.True(t, apierrors.IsInvalid(err), "refused as invalid: %v", err)
		assert.Contains(t, err.Error(), "spec.data[0].remoteRef.key: Required value")
	})
}

// dynamicClient talks to c as its admin, for custom resources.
func dynamicClient(t *testing.T, c *cluster.Cluster) dynamic.Interface {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	require.NoError(t, err)
	client, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	return client
}
