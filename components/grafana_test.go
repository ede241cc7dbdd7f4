package components_test

import (
	"testing"

	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

func TestGrafanaPasswordComesFromARandomPasswordThroughASecret(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		rec := runStack(t, stack, nil)
		r, ok := rec.Object(stacktest.DeploymentType, "grafana")
		require.True(t, ok)
		var ref *corev1.SecretKeySelector
		for _, e := range stacktest.DecodeWorkload(t, r).Spec.Spec.Containers[0].Env {
			if e.Name == "GF_SECURITY_ADMIN_PASSWORD" {
				require.Empty(t, e.Value)
				ref = e.ValueFrom.SecretKeyRef
			}
		}
		require.NotNil(t, ref, "GF_SECURITY_ADMIN_PASSWORD is set")
		secret, ok := rec.Object(stacktest.SecretType, ref.Name)
		require.True(t, ok, "secret %s exists", ref.Name)
		value := stacktest.SecretData(t, secret)[presource.PropertyKey(ref.Key)]
		require.True(t, value.IsSecret(), "the password is a Pulumi secret in the Secret")

		var generated []string
		for _, pw := range rec.OfType(stacktest.PasswordType) {
			if pw.Name == "jd-jones-rag-foundation-grafana-admin-password" {
				generated = append(generated, pw.Name)
				assert.GreaterOrEqual(t, pw.Inputs["length"].NumberValue(), 32.0)
				assert.Contains(t, secret.Dependencies, pw.URN, "the Secret is fed by the RandomPassword")
			}
		}
		assert.Len(t, generated, 1)
	}
}

// TestGrafanaLogsToStdoutOnlyUnderItsReadOnlyRoot: Grafana's image also logs to a file under
// /var/log/grafana by default, which its read-only root does not allow (a finding of the real node).
func TestGrafanaLogsToStdoutOnlyUnderItsReadOnlyRoot(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		r, ok := runStack(t, stack, nil).Object(stacktest.DeploymentType, "grafana")
		require.True(t, ok)
		container := stacktest.DecodeWorkload(t, r).Spec.Spec.Containers[0]
		require.NotNil(t, container.SecurityContext.ReadOnlyRootFilesystem)
		assert.True(t, *container.SecurityContext.ReadOnlyRootFilesystem, "%s: Grafana's root is read-only", stack)
		mode := ""
		for _, e := range container.Env {
			if e.Name == "GF_LOG_MODE" {
				mode = e.Value
			}
		}
		assert.Equal(t, "console", mode, "%s: GF_LOG_MODE", stack)
	}
}
