package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

func TestWorkflowsPassActionlint(t *testing.T) {
	out, err := exec.Command(filepath.Join(repo, ".tools", "bin", "actionlint"), "-no-color").CombinedOutput()
	require.NoError(t, err, "actionlint:\n%s", out)
}

// workflow is the part of a GitHub workflow the tests read.
type workflow struct {
	// On is the workflow's triggers; YAML 1.1 reads the bare key on as true.
	On   map[string]any `json:"true"`
	Jobs map[string]struct {
		Environment string `json:"environment"`
		Needs       any    `json:"needs"`
		Uses        string `json:"uses"`
		With        map[string]any
		Strategy    struct {
			Matrix map[string][]string `json:"matrix"`
		} `json:"strategy"`
		Steps []struct {
			Uses string         `json:"uses"`
			Run  string         `json:"run"`
			With map[string]any `json:"with"`
		} `json:"steps"`
	} `json:"jobs"`
}

func readWorkflow(t *testing.T, name string) workflow {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repo, ".github", "workflows", name))
	require.NoError(t, err)
	var w workflow
	require.NoError(t, yaml.Unmarshal(raw, &w))
	return w
}

func TestPullRequestsPreviewBothStacksWithThePolicyPackAndComment(t *testing.T) {
	w := readWorkflow(t, "preview.yml")
	assert.Contains(t, w.On, "pull_request")
	preview := w.Jobs["preview"]
	assert.ElementsMatch(t, []string{"dev", "prod"}, preview.Strategy.Matrix["stack"])
	var found bool
	for _, step := range preview.Steps {
		if step.With["command"] == "preview" {
			found = true
			assert.Regexp(t, `^pulumi/actions@v\d+$`, step.Uses)
			assert.Equal(t, "policy", step.With["policyPacks"])
			assert.Equal(t, true, step.With["comment-on-pr"])
		}
	}
	assert.True(t, found, "a pulumi/actions preview step")
	var tested bool
	for _, step := range w.Jobs["test"].Steps {
		tested = tested || step.Run == "make test"
	}
	assert.True(t, tested, "pull requests run the README's test command")
}

func TestMergesApplyDevThenProdBehindEnvironments(t *testing.T) {
	deploy := readWorkflow(t, "deploy.yml")
	assert.Contains(t, deploy.On, "push")
	assert.Equal(t, "dev", deploy.Jobs["prod"].Needs, "prod waits for dev")
	for stack, env := range map[string]string{"dev": "dev", "prod": "production"} {
		job := deploy.Jobs[stack]
		assert.Equal(t, "./.github/workflows/up.yml", job.Uses)
		assert.Equal(t, stack, job.With["stack"])
		assert.Equal(t, env, job.With["environment"])
	}
	up := readWorkflow(t, "up.yml")
	job := up.Jobs["up"]
	assert.Equal(t, "${{ inputs.environment }}", job.Environment, "every apply is gated by its environment")
	// The pack judges the stack (stack policies included) in a preview; up runs only after it passed.
	preview, apply := -1, -1
	for i, step := range job.Steps {
		assert.NotEqual(t, "up", step.With["command"], "an up without a preview first applies before stack policies run")
		switch {
		case strings.HasPrefix(step.Run, "pulumi preview "):
			preview = i
			assert.Contains(t, step.Run, "--policy-pack policy")
		case strings.HasPrefix(step.Run, "pulumi up "):
			apply = i
			assert.Contains(t, step.Run, "--policy-pack policy")
		}
	}
	require.GreaterOrEqual(t, preview, 0, "a preview with the pack")
	assert.Greater(t, apply, preview, "up runs after the preview passed")
}
