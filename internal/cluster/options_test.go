package cluster

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStartRefusesMissingFoldersBeforeStartingAnything: an empty folder option would stand for the working
// directory (bench once globbed it for CRDs and tried to create Pulumi.yaml as one), so Start names the
// option and starts nothing.
func TestStartRefusesMissingFoldersBeforeStartingAnything(t *testing.T) {
	dir, empty := t.TempDir(), t.TempDir()
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{BinDir: dir, CRDDir: dir}, "cluster options need Dir and BinDir"},
		{Options{Dir: dir, CRDDir: dir}, "cluster options need Dir and BinDir"},
		{Options{Dir: dir, BinDir: dir}, "no CRD folder given (Options.CRDDir): `make tools` fills .tools/crds"},
		{Options{Dir: dir, BinDir: dir, CRDDir: empty}, "no CRD manifests in " + empty + ": run `make tools`"},
	} {
		c, err := Start(context.Background(), tc.opts)
		assert.Nil(t, c)
		assert.EqualError(t, err, tc.want, "%+v", tc.opts)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing was started or written")
}
