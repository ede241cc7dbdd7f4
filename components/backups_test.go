package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/components"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

func TestProdSnapshotsChromaNightlyWithARoleLimitedToSnapshots(t *testing.T) {
	rec := runStack(t, "prod", nil)
	jobs := rec.OfType(stacktest.CronJobType)
	require.Len(t, jobs, 1)
	var job batchv1.CronJob
	require.NoError(t, jobs[0].Decode(&job))
	assert.Equal(t, "0 3 * * *", job.Spec.Schedule)
	assert.Equal(t, batchv1.ForbidConcurrent, job.Spec.ConcurrencyPolicy)
	pod := job.Spec.JobTemplate.Spec.Template.Spec
	assert.Equal(t, "volume-snapshots", pod.ServiceAccountName)
	env := map[string]string{}
	for _, e := range pod.Containers[0].Env {
		env[e.Name] = e.Value
	}
	assert.Equal(t, map[string]string{"CLAIMS": "chroma-data-chromadb-0", "CLASS": "ebs-csi-snapshots", "KEEP": "7"}, env,
		"prod snapshots the one data claim it keeps in the cluster")

	roles := rec.OfType(stacktest.RoleType)
	require.Len(t, roles, 1, "the snapshot job's Role is the stack's only Role")
	var role rbacv1.Role
	require.NoError(t, roles[0].Decode(&role))
	assert.Equal(t, []rbacv1.PolicyRule{{
		APIGroups: []string{"snapshot.storage.k8s.io"}, Resources: []string{"volumesnapshots"},
		Verbs: []string{"create", "get", "list", "delete"},
	}}, role.Rules)

	script, ok := rec.Object(stacktest.ConfigMapType, "volume-snapshots")
	require.True(t, ok)
	var cm corev1.ConfigMap
	require.NoError(t, script.Decode(&cm))
	sh := cm.Data["snapshot.sh"]
	assert.Contains(t, sh, "kubectl create -f -")
	assert.Contains(t, sh, `-l "backup.jdjones.com/claim=${claim}" --sort-by=.metadata.creationTimestamp`)

	// The manifest the script feeds kubectl, with the shell's values, is a VolumeSnapshot of the claim.
	manifest, err := components.SnapshotInScript(sh, "chroma-data-chromadb-0", "20261126030000", "ebs-csi-snapshots")
	require.NoError(t, err)
	var snap unstructured.Unstructured
	require.NoError(t, yaml.Unmarshal([]byte(manifest), &snap.Object))
	assert.Equal(t, "snapshot.storage.k8s.io/v1", snap.GetAPIVersion())
	assert.Equal(t, "VolumeSnapshot", snap.GetKind())
	assert.Equal(t, "chroma-data-chromadb-0-20261126030000", snap.GetName())
	source, _, _ := unstructured.NestedString(snap.Object, "spec", "source", "persistentVolumeClaimName")
	assert.Equal(t, "chroma-data-chromadb-0", source)

	// The backups wait for the StatefulSet whose claim they snapshot, named itself: a dependency on the
	// data layer's component would be expanded into whichever children it had registered by then.
	backups := rec.OfType("jdjones:rag:Backups")
	require.Len(t, backups, 1)
	chroma, ok := rec.Object(stacktest.StatefulSetType, "chromadb")
	require.True(t, ok)
	assert.Contains(t, backups[0].Dependencies, chroma.URN)
}

func TestDevTakesNoSnapshotsUntilAScheduleIsSet(t *testing.T) {
	assert.Empty(t, runStack(t, "dev", nil).OfType(stacktest.CronJobType))
	rec := runStack(t, "dev", map[string]string{"backups": `{"schedule": "@daily", "snapshotClass": "csi-hostpath-snapclass", "apiServerCIDRs": ["172.18.0.0/16"], "apiServerPort": 6443, "keep": 3}`})
	jobs := rec.OfType(stacktest.CronJobType)
	require.Len(t, jobs, 1)
	var job batchv1.CronJob
	require.NoError(t, jobs[0].Decode(&job))
	env := map[string]string{}
	for _, e := range job.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Env {
		env[e.Name] = e.Value
	}
	assert.Equal(t, "postgres-data-postgres-0 redis-data-redis-0 chroma-data-chromadb-0", env["CLAIMS"], "dev keeps all three in the cluster")
	assert.Equal(t, "3", env["KEEP"])
}
