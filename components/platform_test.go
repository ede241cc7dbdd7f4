package components_test

import (
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/platform"
)

// runStack runs the whole program with a stack's committed configuration, plus overrides: a component's
// tests judge what it registers inside the platform it is part of.
func runStack(t *testing.T, stack string, overrides map[string]string) *stacktest.Record {
	t.Helper()
	return stacktest.RunStack(t, platform.Program, stack, overrides)
}
