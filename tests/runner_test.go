package tests

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/internal/runner"
	"github.com/jdjones/jd-jones-rag-infra/platform"
)

// projectWithStack is a project directory holding the repository's Pulumi.yaml and a stack file
// named stack whose content is the repository's Pulumi.<from>.yaml.
func projectWithStack(t *testing.T, stack, from string) string {
	t.Helper()
	dir := t.TempDir()
	for dst, src := range map[string]string{"Pulumi.yaml": "Pulumi.yaml", "Pulumi." + stack + ".yaml": "Pulumi." + from + ".yaml"} {
		data, err := os.ReadFile(filepath.Join(repo, src))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, dst), data, 0o644))
	}
	return dir
}

// The runner warns before applying a production stack from the local backend; production is the
// stack's environment, whatever its name.
func TestUpWarnsForProductionByEnvironmentNotName(t *testing.T) {
	const warning = "a production stack, from the local file backend"
	for _, tc := range []struct {
		name, stack, config string
		warns               bool
	}{
		{"a stack named staging with environment prod warns", "staging", "prod", true},
		{"a stack named prod with environment dev does not warn", "prod", "dev", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := session(t, tc.stack)
			var stderr bytes.Buffer
			s.Stderr = &stderr
			s.NoPolicy = true
			s.ProjectDir = projectWithStack(t, tc.stack, tc.config)
			s.Env = map[string]string{"PULUMI_CONFIG_PASSPHRASE": testPassphrase}
			s.Program = func(*pulumi.Context) error { return nil } // nothing to apply: no cluster needed
			_, err := s.Up(context.Background(), nil)
			require.NoError(t, err, stderr.String())
			assert.Equal(t, tc.warns, strings.Contains(stderr.String(), warning), "stderr:\n%s", stderr.String())
		})
	}
}

// kubeconfigWithContext writes a kubeconfig whose current context is name, pointing at no cluster.
func kubeconfigWithContext(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	data := `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: x}}]
contexts: [{name: ` + name + `, context: {cluster: c, user: u}}]
current-context: ` + name + "\n"
	require.NoError(t, os.WriteFile(path, []byte(data), 0o600))
	return path
}

// The built-in passphrase protects nothing, so the runner refuses it to change a production stack or any
// cluster but the local test control plane; a passphrase of the user's own is accepted.
func TestTheBuiltInPassphraseChangesOnlyTheLocalControlPlaneAndNeverProd(t *testing.T) {
	empty := func(*pulumi.Context) error { return nil } // nothing to apply: refusals come first
	for _, tc := range []struct {
		name, environment, context, passphrase string
		refused                                bool
	}{
		{"dev on another cluster is refused", "dev", "kind-kind", "", true},
		{"prod on the local control plane is refused", "prod", runner.LocalControlPlaneContext, "", true},
		{"prod with the built-in passphrase given explicitly is refused", "prod", runner.LocalControlPlaneContext, runner.DefaultPassphrase, true},
		{"dev on the local control plane is accepted", "dev", runner.LocalControlPlaneContext, "", false},
		{"prod with a passphrase of its own is accepted", "prod", "production-eks", testPassphrase, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := session(t, "target")
			s.NoPolicy = true
			s.ProjectDir = projectWithStack(t, "target", tc.environment)
			s.Program = empty
			s.Env = map[string]string{"KUBECONFIG": kubeconfigWithContext(t, tc.context)}
			if tc.passphrase != "" {
				s.Env["PULUMI_CONFIG_PASSPHRASE"] = tc.passphrase
			}
			ctx := context.Background()
			_, upErr := s.Up(ctx, nil)
			_, refreshErr := s.Refresh(ctx)
			_, destroyErr := s.Destroy(ctx)
			for op, err := range map[string]error{"up": upErr, "refresh": refreshErr, "destroy": destroyErr} {
				if tc.refused {
					assert.ErrorIs(t, err, runner.ErrDefaultPassphrase, op)
				} else {
					assert.NoError(t, err, op)
				}
			}
			if tc.refused {
				assert.ErrorContains(t, upErr, "refusing to apply target")
				assert.ErrorContains(t, upErr, "set PULUMI_CONFIG_PASSPHRASE")
			}
		})
	}
}

// A key of the project that the program does not read is refused before the program runs, naming
// the closest known key: an inline program is handed no list of keys, so the runner checks them.
func TestTheRunnerRefusesAMisspeltKey(t *testing.T) {
	s := session(t, "dev")
	s.NoPolicy = true
	s.ProjectDir = projectWithStack(t, "dev", "dev")
	stackFile := filepath.Join(s.ProjectDir, "Pulumi.dev.yaml")
	data, err := os.ReadFile(stackFile)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(stackFile, append(data, []byte("  jd-jones-rag-infra:postgresPasword: hunter2\n")...), 0o644))
	_, err = s.Preview(context.Background(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "config jd-jones-rag-infra:postgresPasword is not a key of this program; did you mean postgresPassword?")
	assert.NotContains(t, err.Error(), "hunter2")
}

// A render honours -policy-config like a preview does: a policy raised to mandatory stops it.
func TestRenderAppliesThePolicyConfig(t *testing.T) {
	config := filepath.Join(t.TempDir(), "policy-config.json")
	// Dev images are pinned by tag, not digest: advisory by default, blocking when raised.
	require.NoError(t, os.WriteFile(config, []byte(`{"image-pinned-by-digest": "mandatory"}`), 0o644))
	s := session(t, "dev")
	s.Program = platform.Program
	s.PolicyConfig = config
	err := s.Render(context.Background(), t.TempDir())
	require.Error(t, err, "the raised policy blocks the render")
	assert.Contains(t, err.Error(), "image-pinned-by-digest")
}

// The runner names the missing toolchain with an error value callers can test for.
func TestMissingToolchainIsAnErrorValue(t *testing.T) {
	_, _, err := runner.Toolchain(t.TempDir())
	require.ErrorIs(t, err, runner.ErrToolsMissing)
}

// An up that cannot start closes the events channel it was given exactly once, as the SDK's operations do.
func TestAnUpThatCannotStartClosesItsEventsOnce(t *testing.T) {
	ch := make(chan events.EngineEvent)
	s := &runner.Session{Repo: t.TempDir(), Stack: "dev", Program: platform.Program}
	_, err := s.Up(context.Background(), ch)
	require.ErrorIs(t, err, runner.ErrToolsMissing)
	_, open := <-ch
	assert.False(t, open, "the events channel is closed")
}
