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

// wrongCased is a Deployment whose security context, probe and resources are spelled in the wrong
// case: the API server drops them, so they must not satisfy the checks.
const wrongCased = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: rag}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: ghcr.io/jdjones/api:1.0
          SecurityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}
          LivenessProbe: {httpGet: {path: /healthz, port: 8000}}
          Resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 256Mi}}
`

func TestWrongCasedFieldsAreRefusedNotCounted(t *testing.T) {
	var out bytes.Buffer
	code, err := run([]string{"-quiet", "-"}, strings.NewReader(wrongCased), &out)
	require.NoError(t, err)
	assert.Equal(t, 1, code)
	for _, want := range []string{
		`spec.template.spec.containers[0].SecurityContext is not a field of apps/v1 Deployment (field names are case-sensitive); rename it to securityContext`,
		`Deployment "api": Pod Security restricted (v1.34) forbids runAsNonRoot != true: pod or container "api" must set securityContext.runAsNonRoot=true`,
		`Deployment "api" container "api": no livenessProbe`,
		`Deployment "api" container "api": no requests.cpu`,
	} {
		assert.Contains(t, out.String(), want)
	}
}

func TestADocumentAfterATabbedSeparatorIsJudged(t *testing.T) {
	stream := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: rag}\n---\t# the grafana deployment\n" + grafanaWithLiteralPassword
	var out bytes.Buffer
	code, err := run([]string{"-quiet", "-"}, strings.NewReader(stream), &out)
	require.NoError(t, err)
	assert.Equal(t, 1, code)
	assert.Contains(t, out.String(), "2 objects,")
	assert.Contains(t, out.String(), `env GF_SECURITY_ADMIN_PASSWORD has a literal value`)
}
