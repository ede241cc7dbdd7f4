package platform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// TestRenderedObjectsStayTheSame guards every object both stacks render, byte for byte: inputs, options
// and dependencies of every resource (generated passwords fixed by name). An opt-in feature left unset
// must not change them. After a deliberate change, rewrite the files with
// JDJ_UPDATE_OBJECTS=1 go test -run TestRenderedObjectsStayTheSame ./platform and review the diff.
func TestRenderedObjectsStayTheSame(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			got := canonicalObjects(t, stack)
			file := filepath.Join("testdata", "objects-"+stack+".json")
			if os.Getenv("JDJ_UPDATE_OBJECTS") != "" {
				require.NoError(t, os.WriteFile(file, got, 0o644))
			}
			want, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got), "rendered objects of %s changed", stack)
		})
	}
}

// TestCanonicalObjectsAreDeterministic proves the comparison above can only fail on a real change: two
// runs of the same stack give the same bytes.
func TestCanonicalObjectsAreDeterministic(t *testing.T) {
	assert.Equal(t, string(canonicalObjects(t, "prod")), string(canonicalObjects(t, "prod")))
}

// canonicalObjects runs stack's committed configuration with fixed passwords and returns its canonical JSON.
func canonicalObjects(t *testing.T, stack string) []byte {
	t.Helper()
	cfg, err := stacktest.StackConfig(stack)
	require.NoError(t, err)
	rec, err := stacktest.RunDeterministic(stack, cfg, Program)
	require.NoError(t, err)
	out, err := rec.Canonical()
	require.NoError(t, err)
	return append(out, '\n')
}
