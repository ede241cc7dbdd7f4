package checks

import (
	"strings"
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// A session reuses a resource's decoding across the policies of one analysis, and decodes it again
// when the engine analyses the same URN with other properties.
func TestANewAnalysisOfAResourceSeesItsNewProperties(t *testing.T) {
	const tagged = `
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: rag}
spec:
  containers:
  - name: web
    image: %s
`
	s := engine.NewSession(false)
	first := manifest(t, strings.Replace(tagged, "%s", "registry.example.com/web:1.0", 1))
	for _, p := range []*engine.Policy{ImageTagNotLatest, ImagePinnedByDigest} {
		s.RunResource(p, first, nil)
	}
	second := manifest(t, strings.Replace(tagged, "%s", "registry.example.com/web:latest", 1))
	second.URN = first.URN
	found := s.RunResource(ImageTagNotLatest, second, nil)
	if len(found) != 1 || !strings.Contains(found[0].Message, "latest") {
		t.Fatalf("the second analysis judged stale properties: %v", found)
	}
}
