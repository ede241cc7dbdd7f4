package tests

import (
	"context"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/tests/testdata/bypassstack"
)

// TestBypassesThroughPulumiAreRefusedByThePack previews the bypass stack through the real CLI,
// provider and pack binary: a DeploymentPatch adding privileged, a NamespacePatch lowering Pod
// Security, a ReplicationController, DaemonSet, Job and CronJob each missing something, an Argo
// Rollout (a custom resource) running as root and a native sidecar without probes are all refused,
// each by exactly its policy, and nothing else is mandatory.
func TestBypassesThroughPulumiAreRefusedByThePack(t *testing.T) {
	s := session(t, "bypass")
	s.ProjectDir = filepath.Join(repo, "tests", "testdata", "bypassstack")
	s.Project, s.Program = "bypass-stack", bypassstack.Program
	ch, wait := collect()
	_, err := s.Preview(context.Background(), ch)
	require.Error(t, err, "the preview fails")
	got := map[string][]string{}
	for _, v := range mandatory(violations(wait())) {
		got[v.Policy] = append(got[v.Policy], v.Resource)
	}
	for _, names := range got {
		sort.Strings(names)
	}
	assert.Equal(t, bypassstack.Expected, got)
}
