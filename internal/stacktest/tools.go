package stacktest

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// RequireTool is a checker `make tools` builds into .tools/bin (promtool, amtool), at the version of the
// stack's image. Without it the test fails, unless -short, which skips it.
func RequireTool(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(RepoRoot(), ".tools", "bin", name)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if testing.Short() {
		t.Skipf("%s is not built; -short skips the tests that run it", name)
	}
	t.Fatalf("%s is missing at %s: `make tools` builds it (tools/build.sh %s)", name, path, name)
	return ""
}

// RequireServer finds a server's binary (Debian's, which `make tools` installs) on PATH or at one of paths.
// Without it the test fails, unless -short, which skips it.
func RequireServer(t *testing.T, name string, paths ...string) string {
	t.Helper()
	if path, err := exec.LookPath(name); err == nil {
		return path
	}
	for _, path := range paths {
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	if testing.Short() {
		t.Skipf("%s is not installed; -short skips the tests of real servers", name)
	}
	t.Fatalf("%s is not installed: `make tools` installs Debian's package (tools/build.sh debian-packages)", name)
	return ""
}

// FreePort is a loopback TCP port nothing listens on.
func FreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// ReplaceOnce replaces the one occurrence of old in s, failing when there is not exactly one.
func ReplaceOnce(t *testing.T, s, old, replacement string) string {
	t.Helper()
	require.Equal(t, 1, strings.Count(s, old), "the rendered configuration has %q once", old)
	return strings.Replace(s, old, replacement, 1)
}

// StartServer starts a server in a process group of its own, which the test kills at its end (nginx's
// workers too), printing the server's output on failure.
func StartServer(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(name, args...) //nolint:gosec // G204: a server binary RequireServer found, started by a test
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(name), out.String())
		}
	})
	return cmd
}

// Eventually retries check every 100 ms for 15 s, failing the test with what it waited for.
func Eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !check(); time.Sleep(100 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "timed out waiting until %s", what)
	}
}
