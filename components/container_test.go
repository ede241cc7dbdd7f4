package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

func TestATagIsPulledOnEveryStartADigestOnlyWhenMissing(t *testing.T) {
	const digest = "registry.example.com/jdjones/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	rec := runStack(t, "dev", map[string]string{"images": `{"api": "` + digest + `"}`})
	var pinned, tagged int
	for _, r := range stacktest.Workloads(rec) {
		for _, c := range stacktest.DecodeWorkload(t, r).Spec.Spec.Containers {
			want := corev1.PullAlways
			if c.Image == digest {
				want, pinned = corev1.PullIfNotPresent, pinned+1
			} else {
				tagged++
			}
			assert.Equal(t, want, c.ImagePullPolicy, "%s/%s (%s)", r.Name, c.Name, c.Image)
		}
	}
	assert.Positive(t, pinned, "containers running the pinned image")
	assert.Positive(t, tagged, "containers running a tag")
}
