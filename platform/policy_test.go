package platform

import (
	"testing"

	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// evaluateStack feeds every Kubernetes object a stack registers under mocks through the policy pack's
// own decoding and checks, with the production flag the pack would derive from the stack's config.
func evaluateStack(t *testing.T, stack string, edit func(*stacktest.Record)) []checks.Finding {
	t.Helper()
	cfg, err := stacktest.StackConfig(stack)
	require.NoError(t, err)
	rec, err := stacktest.Run(stack, cfg, Program)
	require.NoError(t, err)
	if edit != nil {
		edit(rec)
	}
	production, _ := checks.DetectProduction(config.Project, stack, func(key string) (string, bool) {
		v, ok := cfg[key]
		return v, ok
	})
	assert.Equal(t, stack == "prod", production, "the pack sees %s as production=%v", stack, stack == "prod")
	return stacktest.Evaluate(rec, production)
}

func TestBothStacksPassThePolicyPack(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			findings := evaluateStack(t, stack, nil)
			assert.NotEmpty(t, findings, "the pack ran (the images are not digest-pinned, an advisory finding)")
			for _, f := range checks.Blocking(findings) {
				t.Errorf("mandatory violation: %s", f)
			}
		})
	}
}

func TestThePolicyPackCatchesAProgramRegression(t *testing.T) {
	// Drop the API container's liveness probe from what the program registered, as a regression would.
	findings := evaluateStack(t, "prod", func(rec *stacktest.Record) {
		for i, r := range rec.Resources {
			if r.Type == stacktest.DeploymentType && r.ObjectName() == "api" {
				inputs := r.Inputs.Copy()
				container := inputs["spec"].ObjectValue()["template"].ObjectValue()["spec"].ObjectValue()["containers"].ArrayValue()[0].ObjectValue()
				delete(container, presource.PropertyKey("livenessProbe"))
				rec.Resources[i].Inputs = inputs
			}
		}
	})
	blocking := checks.Blocking(findings)
	require.Len(t, blocking, 1, "%v", blocking)
	assert.Equal(t, "workload-probes", blocking[0].Policy)
	assert.Contains(t, blocking[0].Message, `Deployment "api" container "api"`)
	assert.Contains(t, blocking[0].Message, "livenessProbe")
}
