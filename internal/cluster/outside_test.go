package cluster

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAnOutsideServerKeepsItsStateInTheNodesFolder starts an outside server after planting, in runc's
// shared default folder, the state a killed run of an earlier harness left for a server of the same name
// (what made a CI run fail with "container with given ID already exists"): the node's runc keeps its own
// state, so the server starts, and its state goes with the node's folder.
func TestAnOutsideServerKeepsItsStateInTheNodesFolder(t *testing.T) {
	c, images := startRealNode(t)
	redis, err := images.Get("redis")
	require.NoError(t, err)

	stale := filepath.Join(sharedRuncRoot, outsideNamespacePrefix+"echo")
	require.NoError(t, os.MkdirAll(stale, 0o711))
	t.Cleanup(func() {
		assert.NoError(t, os.RemoveAll(stale))
		// The folders made for it, where nothing else is (Remove fails on, and leaves, a folder with anything in it).
		for dir := sharedRuncRoot; dir != "/run"; dir = filepath.Dir(dir) {
			_ = os.Remove(dir)
		}
	})

	const addr = "198.51.100.10" // TEST-NET-2: documentation only (this VM sits in TEST-NET-1), inside the namespace the harness makes
	require.NoError(t, c.StartOutsideServer(OutsideServer{
		Name: "echo", Addresses: []string{addr}, Image: redis, User: "999:999",
		Command: []string{"redis-server", "--port", "6379", "--save", "", "--protected-mode", "no"},
	}))
	ctx := context.Background()
	require.NoError(t, poll(ctx, 30*time.Second, "PING to the outside server", func() (bool, error) {
		return RedisPing(net.JoinHostPort(addr, "6379"), nil) == "+PONG\r\n", nil
	}), c.OutsideLog("echo"))
	assert.DirExists(t, filepath.Join(c.node.paths.runcRoot(), "k8s.io", outsideNamespacePrefix+"echo"),
		"the server's runc state is in the node's folder")
}

func TestSweepingRemovesOnlyOutsideServersStateFromRuncsSharedFolder(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"jdj-out-redis", "jdj-out-postgres", "jdj-outer", "0a1b2c3d", "jdj-node"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, name, "state"), 0o711))
	}
	removeSharedRuncState(root)
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	assert.Equal(t, []string{"0a1b2c3d", "jdj-node", "jdj-outer"}, left)
}
