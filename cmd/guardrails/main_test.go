package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const grafanaWithLiteralPassword = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: grafana, namespace: monitoring}
spec:
  replicas: 1
  selector: {matchLabels: {app: grafana}}
  template:
    metadata: {labels: {app: grafana}}
    spec:
      containers:
        - name: grafana
          image: grafana/grafana:11.5.2
          env: [{name: GF_SECURITY_ADMIN_PASSWORD, value: jdjones-admin}]
`

func TestAManifestWithALiteralPasswordIsBlocked(t *testing.T) {
	var out bytes.Buffer
	code, err := run([]string{"-quiet", "-"}, strings.NewReader(grafanaWithLiteralPassword), &out)
	require.NoError(t, err)
	assert.Equal(t, 1, code)
	assert.Contains(t, out.String(), `Deployment "grafana" container "grafana": env GF_SECURITY_ADMIN_PASSWORD has a literal value`)
	assert.NotContains(t, out.String(), "advisory", "-quiet prints blocking findings only")
}

func TestADirectoryOfManifestsIsReadRecursively(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "1-manifest"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "1-manifest", "grafana.yaml"), []byte(grafanaWithLiteralPassword), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "NOTES.txt"), []byte("not a manifest"), 0o644))
	var out bytes.Buffer
	code, err := run([]string{dir}, nil, &out)
	require.NoError(t, err)
	assert.Equal(t, 1, code)
	assert.Contains(t, out.String(), "1 objects,")
}

func TestAnExceptionUnblocksTheRun(t *testing.T) {
	config := filepath.Join(t.TempDir(), "config.json")
	require.NoError(t, os.WriteFile(config, []byte(`{"version": 2, "policies": {"all": "advisory"}}`), 0o644))
	var out bytes.Buffer
	code, err := run([]string{"-config", config, "-"}, strings.NewReader(grafanaWithLiteralPassword), &out)
	require.NoError(t, err)
	assert.Equal(t, 0, code, out.String())
	assert.Contains(t, out.String(), "0 blocking")
}

func TestABadParameterInTheConfigIsRefusedNamingPolicyAndKey(t *testing.T) {
	config := filepath.Join(t.TempDir(), "config.json")
	require.NoError(t, os.WriteFile(config, []byte(`{"version": 2, "policies": {"serving-deployment-replicas": {"minReplicas": "two"}}}`), 0o644))
	var out bytes.Buffer
	code, err := run([]string{"-config", config, "-"}, strings.NewReader(grafanaWithLiteralPassword), &out)
	assert.Equal(t, 2, code)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `policy "serving-deployment-replicas": parameter "minReplicas": want an integer, got the string "two"`)
}
