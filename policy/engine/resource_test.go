package engine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// The manifest parser must read YAML exactly as kubectl's sigs.k8s.io/yaml does (YAML 1.1 booleans,
// numbers as JSON numbers, non-string keys as strings, null), only faster.
func TestManifestYAMLReadsAsKubectlReadsIt(t *testing.T) {
	docs := []string{
		`
apiVersion: v1
kind: ConfigMap
metadata: {name: tricky, labels: {enabled: "yes"}, annotations: null}
data:
  yes: on
  plain: 0755
  octal: "0755"
  float: 1.5e3
  big: 12345678901234
  empty:
  list: [1, two, 3.0, no, ~]
  1: one
  true: t
`,
		grafanaManifest,
	}
	for _, doc := range docs {
		var want map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(doc), &want))
		got, err := parseYAMLObject([]byte(doc))
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
}

func TestManifestYAMLRefusesWhatKubectlRefuses(t *testing.T) {
	for _, doc := range []string{"- a\n- b\n", "key: [unclosed\n", "a: b\n  c: d\n"} {
		_, err := parseYAMLObject([]byte(doc))
		assert.Error(t, err, doc)
	}
}

// grafanaManifest is an object as the Kubernetes provider renders it.
var grafanaManifest = func() string {
	raw, err := os.ReadFile(filepath.Join("testdata", "rendered-grafana.yaml"))
	if err != nil {
		panic(err)
	}
	return string(raw)
}()
