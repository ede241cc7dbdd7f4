package tests

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// rendered is one object of a rendered stack with the file it came from.
type rendered struct {
	obj  *unstructured.Unstructured
	file string
	raw  []byte
}

// readRendered parses every YAML document under dir with apimachinery's decoder.
func readRendered(t *testing.T, dir string) []rendered {
	t.Helper()
	var out []rendered
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(raw), 4096)
		for {
			obj := &unstructured.Unstructured{}
			if err := dec.Decode(&obj.Object); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return err
			}
			if len(obj.Object) > 0 {
				out = append(out, rendered{obj: obj, file: path, raw: raw})
			}
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

func TestRenderWritesTheWholeInventoryWithoutLeakingSecrets(t *testing.T) {
	inventory := map[string][]string{
		"dev": {
			"Deployment/api", "Deployment/celery-worker", "Deployment/celery-beat", "Deployment/internal-portal",
			"Deployment/external-portal", "StatefulSet/prometheus", "Deployment/grafana", "StatefulSet/alertmanager",
			"StatefulSet/postgres", "StatefulSet/redis", "StatefulSet/chromadb",
			"PersistentVolumeClaim/model-cache", "PersistentVolumeClaim/uploads-data",
			"Secret/jd-jones-secrets", "ConfigMap/jd-jones-config", "ConfigMap/postgres-init", "ConfigMap/prometheus-config",
			"ConfigMap/prometheus-rules", "ConfigMap/alertmanager-config",
			"ConfigMap/grafana-datasources", "ConfigMap/grafana-dashboards", "ConfigMap/grafana-dashboard-providers",
			"HorizontalPodAutoscaler/api", "HorizontalPodAutoscaler/celery-worker", "Ingress/jd-jones-rag",
			"NetworkPolicy/default-deny", "Namespace/jd-jones-rag-dev",
		},
		"prod": {
			"Deployment/api", "Deployment/celery-worker", "Deployment/celery-beat", "Deployment/internal-portal",
			"Deployment/external-portal", "StatefulSet/prometheus", "Deployment/grafana", "StatefulSet/alertmanager",
			"StatefulSet/chromadb",
			"PersistentVolumeClaim/model-cache", "PersistentVolumeClaim/uploads-data",
			"Secret/jd-jones-secrets", "ConfigMap/jd-jones-config", "ConfigMap/prometheus-config",
			"ConfigMap/prometheus-rules", "ConfigMap/alertmanager-config",
			"HorizontalPodAutoscaler/api", "HorizontalPodAutoscaler/celery-worker", "Ingress/jd-jones-rag",
			"PodDisruptionBudget/chromadb", "NetworkPolicy/default-deny", "Namespace/jd-jones-rag",
		},
	}
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			s := session(t, stack)
			out := filepath.Join(t.TempDir(), "rendered")
			require.NoError(t, s.Render(context.Background(), out))
			objects := readRendered(t, out)
			kinds := map[string]bool{}
			for _, r := range objects {
				kinds[r.obj.GetKind()+"/"+r.obj.GetName()] = true
			}
			for _, want := range inventory[stack] {
				assert.True(t, kinds[want], "%s is rendered", want)
			}
			registered := registered(t, stack)
			assert.Less(t, len(objects), registered, "every rendered object is a registered resource")

			// Every value of a rendered Secret is a secret in state: it may appear in the Secret's own file
			// and nowhere else, and no env var carries a literal credential.
			var secrets []string
			for _, r := range objects {
				if r.obj.GetKind() != "Secret" {
					continue
				}
				data, _, _ := unstructured.NestedStringMap(r.obj.Object, "data")
				for _, v := range data {
					plain, err := base64.StdEncoding.DecodeString(v)
					require.NoError(t, err)
					secrets = append(secrets, string(plain), v)
				}
			}
			require.NotEmpty(t, secrets, "the generated secrets were rendered")
			for _, r := range objects {
				if r.obj.GetKind() == "Secret" {
					continue
				}
				for _, secret := range secrets {
					assert.NotContains(t, string(r.raw), secret, "%s leaks a secret value", filepath.Base(r.file))
				}
				assertNoLiteralCredentials(t, r)
			}
		})
	}
}

// assertNoLiteralCredentials checks a rendered workload's env, decoded into the real API type.
func assertNoLiteralCredentials(t *testing.T, r rendered) {
	t.Helper()
	var spec corev1.PodSpec
	switch r.obj.GetKind() {
	case "Deployment":
		var d appsv1.Deployment
		require.NoError(t, yaml.Unmarshal(r.raw, &d))
		spec = d.Spec.Template.Spec
	case "StatefulSet":
		var s appsv1.StatefulSet
		require.NoError(t, yaml.Unmarshal(r.raw, &s))
		spec = s.Spec.Template.Spec
	default:
		return
	}
	require.NotEmpty(t, spec.Containers, r.file)
	for _, c := range spec.Containers {
		for _, e := range c.Env {
			if strings.Contains(e.Name, "PASSWORD") || strings.Contains(e.Name, "SECRET") || strings.HasSuffix(e.Name, "_KEY") {
				assert.Empty(t, e.Value, "%s %s %s", r.obj.GetName(), c.Name, e.Name)
				require.NotNil(t, e.ValueFrom, "%s %s %s", r.obj.GetName(), c.Name, e.Name)
				assert.NotNil(t, e.ValueFrom.SecretKeyRef, "%s %s %s", r.obj.GetName(), c.Name, e.Name)
			}
		}
	}
}
