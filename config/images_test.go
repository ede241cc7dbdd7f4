package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestImageReferencesMustBePinned(t *testing.T) {
	digest := "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	cases := []struct {
		ref, problem string
	}{
		{"redis:7.4.2-alpine", ""},
		{"registry.example.com:5000/team/api:1.2.3", ""},
		{"grafana/grafana@" + digest, ""},
		{"grafana/grafana:11.5.2@" + digest, ""},
		{"", "must be an image reference repo:tag or repo@sha256:digest"},
		{"grafana/grafana", "must carry an explicit tag (repo:tag) or digest (repo@sha256:...)"},
		{"registry.example.com:5000/team/api", "must carry an explicit tag (repo:tag) or digest (repo@sha256:...)"},
		{"nginx:latest", "must not use the mutable tag latest; pin a version tag or digest"},
		{"nginx:", "must carry an explicit tag (repo:tag) or digest (repo@sha256:...)"},
		{"nginx@sha256:abc", "digest must be @sha256: followed by 64 hex characters"},
		{"nginx 1.27", "must not contain spaces"},
		{"localhost:5000/org/app:1.2", ""},
		{"Grafana/Grafana:11.5.2", "repository must be lowercase"},
		{"nginx:" + strings.Repeat("1", 129), "tag must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'"},
		{"nginx@sha256:" + strings.Repeat("z", 64), "digest must be @sha256: followed by 64 hex characters"},
		{"nginx@sha512:" + strings.Repeat("0", 128), "digest must be @sha256: followed by 64 hex characters"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.problem, ImageProblem(tc.ref), tc.ref)
	}
}
