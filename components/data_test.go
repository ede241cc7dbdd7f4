package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

func TestDataIsProtectedInProdOnly(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		rec := runStack(t, stack, nil)
		protected := stack == "prod"
		for _, r := range append(rec.OfType(stacktest.PVCType), rec.OfType(stacktest.NamespaceType)...) {
			assert.Equal(t, protected, r.Protect, "%s %s protect", stack, r.Name)
			assert.Equal(t, protected, r.RetainOnDelete, "%s %s retainOnDelete", stack, r.Name)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestAClaimRestoredFromASnapshotNamesItAsItsDataSource(t *testing.T) {
	rec := runStack(t, "dev", map[string]string{"backups": `{"restoreFrom": {"chromaData": "chroma-data-chromadb-0-20261126030000"}}`})
	for _, name := range []string{"chromadb", "postgres"} {
		r, ok := rec.Object(stacktest.StatefulSetType, name)
		require.True(t, ok)
		var sts appsv1.StatefulSet
		require.NoError(t, r.Decode(&sts))
		source := sts.Spec.VolumeClaimTemplates[0].Spec.DataSource
		if name == "postgres" {
			assert.Nil(t, source, "a claim without a snapshot starts empty")
			continue
		}
		require.NotNil(t, source)
		assert.Equal(t, corev1.TypedLocalObjectReference{
			APIGroup: ptr("snapshot.storage.k8s.io"), Kind: "VolumeSnapshot", Name: "chroma-data-chromadb-0-20261126030000",
		}, *source)
	}
}
