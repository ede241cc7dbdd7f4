package tests

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/jdjones/jd-jones-rag-infra/tests/testdata/bypassstack"
)

// TestBypassesThroughPulumiAreRefusedByThePack previews the bypass stack through the real CLI,
// provider and pack binary: a DeploymentPatch adding privileged, a NamespacePatch lowering Pod
// Security, a ReplicationController, DaemonSet, Job and CronJob each missing something, an Argo
// Rollout (a custom resource) running as root and a native sidecar without probes are all refused,
// each by exactly its policy, and nothing else is mandatory.
func TestBypassesThroughPulumiAreRefusedByThePack(t *testing.T) {
	got, _ := refusedPreview(t, testdataSession(t, "bypass", "bypassstack", bypassstack.Program))
	assert.Equal(t, bypassstack.Expected, got)
}
