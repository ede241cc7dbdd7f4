package config

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	}
	for _, tc := range cases {
		assert.Equal(t, tc.problem, ImageProblem(tc.ref), tc.ref)
	}
}

func TestLoadFromAppliesEnvironmentDefaultsFieldByField(t *testing.T) {
	c, err := LoadFrom(MapSource{
		"environment": "prod", "namespace": "rag", "domain": "example.com",
		"ingress":   `{"clusterIssuer": "letsencrypt"}`,
		"workloads": `{"api": {"maxReplicas": 20}}`,
		"postgres":  `{"mode": "external", "host": "db.example.com", "passwordSecret": {"name": "db", "key": "password"}}`,
		"redis":     `{"mode": "external", "host": "cache.example.com", "passwordSecret": {"name": "cache", "key": "password"}}`,
		"storage":   `{"rwxClassName": "efs-sc", "rwxCapableClasses": ["efs-sc"]}`,
		"llm":       `{"apiKeySecret": {"name": "llm", "key": "key"}}`,
	})
	require.NoError(t, err)
	assert.Equal(t, 20, c.Workloads.API.MaxReplicas, "the stack's field wins")
	assert.Equal(t, 2, c.Workloads.API.MinReplicas, "the other fields keep prod's defaults")
	assert.Equal(t, 3, c.Workloads.ExternalPortal.Replicas)
	assert.Equal(t, "20Gi", c.Storage.Sizes.PostgresData, "sizes keep the review's defaults")
}

func TestLoadFromNamesEveryBadValueAtOnce(t *testing.T) {
	_, err := LoadFrom(MapSource{
		"environment": "dev", "namespace": "Bad_NS", "domain": "example.com",
		"ingress": `{"clusterIssuer": "x"}`, "llm": `{"provider": "ollama"}`,
		"images": `{"api": "api:latest", "grafana": "grafana"}`,
	})
	var verr ValidationError
	require.True(t, errors.As(err, &verr), "%v", err)
	assert.Equal(t, []string{"namespace", "images.api", "images.grafana"}, verr.Keys())
}
