package platform

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResourceURNsStayTheSame guards the URNs users' state already holds: a changed name, type or parent
// means Pulumi replaces the object. After a deliberate change, rewrite the files with
// JDJ_UPDATE_URNS=1 go test -run TestResourceURNsStayTheSame ./platform and review the diff.
func TestResourceURNsStayTheSame(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			var urns []string
			for _, r := range runStack(t, stack, nil).Resources {
				urns = append(urns, r.URN)
			}
			slices.Sort(urns)
			got := strings.Join(urns, "\n") + "\n"
			file := filepath.Join("testdata", "urns-"+stack+".txt")
			if os.Getenv("JDJ_UPDATE_URNS") != "" {
				require.NoError(t, os.WriteFile(file, []byte(got), 0o644))
			}
			want, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.Equal(t, string(want), got)
		})
	}
}
