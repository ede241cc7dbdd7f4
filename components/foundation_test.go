package components_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/platform"
)

// plainSecretsDigest is the digest the stack used to annotate pods with: an unkeyed SHA-256 over the
// Secret's keys and values, which anyone with a guess at a value can recompute.
func plainSecretsDigest(data map[string]string) string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(data)) {
		fmt.Fprintf(h, "%s\x00%s\x00", k, data[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestSecretChecksumsChangeWithTheSecretsAndRevealNothing(t *testing.T) {
	const annotation = "checksum/jd-jones-secrets"
	run := func(jwt string) (map[string]string, string) {
		t.Helper()
		cfg, err := stacktest.StackConfig("dev")
		require.NoError(t, err)
		cfg[config.Project+":jwtSecret"] = jwt
		rec, err := stacktest.RunWithFixedPasswords("dev", cfg, platform.Program)
		require.NoError(t, err)
		r, ok := rec.Object(stacktest.DeploymentType, "api")
		require.True(t, ok)
		return stacktest.PlainSecretData(t, rec, "jd-jones-secrets"), stacktest.DecodeWorkload(t, r).Spec.Annotations[annotation]
	}
	data, sum := run("a-supplied-jwt-secret-of-enough-length-0123456789")
	_, again := run("a-supplied-jwt-secret-of-enough-length-0123456789")
	rotatedData, rotated := run("a-rotated-jwt-secret-of-enough-length-9876543210")

	assert.Regexp(t, `^[0-9a-f]{64}$`, sum)
	assert.Equal(t, sum, again, "the same secrets give the same annotation: nothing rolls")
	assert.NotEqual(t, sum, rotated, "a rotated secret rolls the pods that read it")
	assert.NotEqual(t, plainSecretsDigest(data), sum, "the annotation is not a digest anyone can recompute from a guess")
	assert.NotEqual(t, plainSecretsDigest(rotatedData), rotated)
	for _, v := range data {
		assert.NotContains(t, sum, v)
	}
}

func TestNamespaceEnforcesRestrictedPodSecurity(t *testing.T) {
	r, ok := runStack(t, "dev", nil).Object(stacktest.NamespaceType, "jd-jones-rag-dev")
	require.True(t, ok)
	var ns corev1.Namespace
	require.NoError(t, r.Decode(&ns))
	for _, mode := range []string{"enforce", "audit", "warn"} {
		assert.Equal(t, "restricted", ns.Labels["pod-security.kubernetes.io/"+mode], mode)
	}
	assert.Equal(t, "v1.34", ns.Labels["pod-security.kubernetes.io/enforce-version"], "enforced as the cluster's version defines it")
	assert.Equal(t, "latest", ns.Labels["pod-security.kubernetes.io/warn-version"], "warned of as the latest rules would")
	r, ok = runStack(t, "dev", map[string]string{"kubernetesVersion": "v1.33"}).Object(stacktest.NamespaceType, "jd-jones-rag-dev")
	require.True(t, ok)
	require.NoError(t, r.Decode(&ns))
	assert.Equal(t, "v1.33", ns.Labels["pod-security.kubernetes.io/enforce-version"])
}

func TestSuppliedSecretsReplaceGeneratedOnes(t *testing.T) {
	rec := runStack(t, "dev", map[string]string{"jwtSecret": "a-supplied-jwt-secret-of-enough-length-0123456789"})
	for _, pw := range rec.OfType(stacktest.PasswordType) {
		assert.NotEqual(t, "jd-jones-rag-foundation-jwt-secret", pw.Name, "a supplied secret is not generated")
	}
	secret, ok := rec.Object(stacktest.SecretType, "jd-jones-secrets")
	require.True(t, ok)
	jwt := stacktest.SecretData(t, secret)["jwt-secret"]
	require.True(t, jwt.IsSecret())
	assert.Equal(t, "a-supplied-jwt-secret-of-enough-length-0123456789", jwt.SecretValue().Element.StringValue())
}
