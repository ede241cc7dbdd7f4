package config

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadFromAppliesEnvironmentDefaultsFieldByField(t *testing.T) {
	c, err := LoadFrom(MapSource{Values: map[string]string{
		"environment": "prod", "namespace": "rag", "domain": "example.com", "protectData": "true", "kubernetesVersion": "v1.34",
		"cluster":   `{"context": "prod"}`,
		"ingress":   `{"clusterIssuer": "letsencrypt", "portalSourceRanges": ["192.0.2.0/24"]}`,
		"workloads": `{"api": {"maxReplicas": 20}}`,
		"postgres":  `{"mode": "external", "host": "db.example.com", "passwordSecret": {"name": "db", "key": "password"}, "cidrs": ["10.1.0.0/16"], "tls": {"enabled": true}}`,
		"redis":     `{"mode": "external", "host": "cache.example.com", "passwordSecret": {"name": "cache", "key": "password"}, "cidrs": ["10.2.0.0/16"], "tls": {"enabled": true}}`,
		"storage":   `{"rwxClassName": "efs-sc", "rwxCapableClasses": ["efs-sc"]}`,
		"llm":       `{"apiKeySecret": {"name": "llm", "key": "key"}}`,
	}})
	require.NoError(t, err)
	assert.Equal(t, 20, c.Workloads.API.MaxReplicas, "the stack's field wins")
	assert.Equal(t, 2, c.Workloads.API.MinReplicas, "the other fields keep prod's defaults")
	assert.Equal(t, 3, c.Workloads.ExternalPortal.Replicas)
	assert.Equal(t, "20Gi", c.Storage.Sizes.PostgresData, "sizes keep the review's defaults")
}

func TestLoadFromNamesEveryBadValueAtOnce(t *testing.T) {
	_, err := LoadFrom(MapSource{Values: map[string]string{
		"environment": "dev", "namespace": "Bad_NS", "domain": "example.com", "kubernetesVersion": "v1.34",
		"ingress": `{"clusterIssuer": "x"}`, "llm": `{"provider": "ollama"}`,
		"images": `{"api": "api:latest", "grafana": "grafana"}`,
	}})
	var verr ValidationError
	require.True(t, errors.As(err, &verr), "%v", err)
	assert.Equal(t, []string{"namespace", "images.api", "images.grafana"}, verr.Keys())
}
