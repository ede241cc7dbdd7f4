package tests

import (
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/jdjones/jd-jones-rag-infra/internal/runner"
)

// uploadsNamespace keeps this test's up apart from the other cluster tests' namespaces.
const uploadsNamespace = "jd-jones-rag-uploads"

// protectedClaimURN finds the URN Pulumi names when it refuses to delete a protected resource.
var protectedClaimURN = regexp.MustCompile(`"(urn:pulumi:[^"]*uploads-data)"`)

// TestSwitchingAProtectedDevStackToABucketKeepsItsClaim brings dev up with protectData, then moves its
// uploads to a bucket: the up fails on the protected claim and leaves it; once unprotected, the next
// up drops it from the state only (retainOnDelete) and the claim stays in the cluster, the same object.
func TestSwitchingAProtectedDevStackToABucketKeepsItsClaim(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	state := t.TempDir()
	onClaim := map[string]string{
		"namespace: " + namespaces["dev"]: "namespace: " + uploadsNamespace,
	}
	const protect = "  jd-jones-rag-infra:protectData: true\n"
	inBucket := map[string]string{
		"namespace: " + namespaces["dev"]: "namespace: " + uploadsNamespace,
		"      uploadsData: 5Gi\n": "      uploadsData: 5Gi\n    uploads:\n      mode: s3\n      bucket: jd-jones-uploads\n" +
			"      endpoint: http://192.0.2.10:9000\n      region: us-east-1\n      pathStyle: true\n      cidrs: [192.0.2.10/32]\n" +
			"      credentialsSecret:\n        name: uploads-s3\n",
	}
	session := func(replace map[string]string) *runner.Session {
		s := clusterSession(t, c, "dev", state)
		s.ProjectDir = stackFile(t, "dev", protect, replace)
		return s
	}
	if !c.Local {
		t.Cleanup(func() {
			s := session(inBucket)
			pulumiCLI(t, s, "state", "unprotect", "--all", "--yes")
			_, err := s.Destroy(ctx)
			assert.NoError(t, err, "destroy of the uploads test's stack")
			_ = c.Client.CoreV1().Namespaces().Delete(ctx, uploadsNamespace, metav1.DeleteOptions{})
		})
	}
	claim := func() (types.UID, bool) {
		pvc, err := c.Client.CoreV1().PersistentVolumeClaims(uploadsNamespace).Get(ctx, "uploads-data", metav1.GetOptions{})
		if err != nil {
			return "", false
		}
		return pvc.UID, true
	}

	var before types.UID
	phase(t, "up of dev with protectData creates the uploads claim", func(t *testing.T) {
		_, err := session(onClaim).Up(ctx, nil)
		require.NoError(t, err)
		var ok bool
		before, ok = claim()
		require.True(t, ok, "uploads-data exists")
		// The bucket's keys, as the stack's operator would create them before switching.
		_, err = c.Client.CoreV1().Secrets(uploadsNamespace).Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "uploads-s3"},
			StringData: map[string]string{"AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "key"},
		}, metav1.CreateOptions{})
		require.NoError(t, err)
	})

	var urn string
	phase(t, "the switch to a bucket fails on the protected claim and keeps it", func(t *testing.T) {
		_, err := session(inBucket).Up(ctx, nil)
		require.Error(t, err, "Pulumi refuses to delete the protected claim")
		assert.Contains(t, err.Error(), "protected")
		m := protectedClaimURN.FindStringSubmatch(err.Error())
		require.NotNil(t, m, "the error names the claim's URN: %v", err)
		urn = m[1]
		uid, ok := claim()
		require.True(t, ok, "uploads-data is still there")
		assert.Equal(t, before, uid, "the same object")
	})

	phase(t, "once unprotected, up drops the claim from the state and leaves it in the cluster", func(t *testing.T) {
		s := session(inBucket)
		pulumiCLI(t, s, "state", "unprotect", urn, "--yes")
		_, err := s.Up(ctx, nil)
		require.NoError(t, err)
		uid, ok := claim()
		require.True(t, ok, "retainOnDelete keeps uploads-data in the cluster")
		assert.Equal(t, before, uid, "the same object")
		api, err := c.Client.AppsV1().Deployments(uploadsNamespace).Get(ctx, "api", metav1.GetOptions{})
		require.NoError(t, err)
		for _, v := range api.Spec.Template.Spec.Volumes {
			assert.NotEqual(t, "uploads-data", v.Name, "the API no longer mounts the claim")
		}
	})
}
