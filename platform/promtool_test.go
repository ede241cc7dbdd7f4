package platform

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// mountedConfigMap is the ConfigMap mounted at dir in the Prometheus pod, or "".
func mountedConfigMap(t *testing.T, rec *stacktest.Record, dir string) string {
	t.Helper()
	for _, r := range stacktest.Workloads(rec) {
		if r.ObjectName() != "prometheus" {
			continue
		}
		spec := stacktest.DecodeWorkload(t, r).Spec.Spec
		for _, m := range spec.Containers[0].VolumeMounts {
			if filepath.Clean(m.MountPath) != filepath.Clean(dir) {
				continue
			}
			for _, v := range spec.Volumes {
				if v.Name == m.Name && v.ConfigMap != nil {
					return v.ConfigMap.Name
				}
			}
		}
	}
	return ""
}

func TestThePrometheusConfigurationOfBothStacksPassesPromtool(t *testing.T) {
	promtool := stacktest.RequireTool(t, "promtool")
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			rec := runStack(t, stack, nil)
			config, ok := rec.Object(stacktest.ConfigMapType, "prometheus-config")
			require.True(t, ok)
			var cm corev1.ConfigMap
			require.NoError(t, config.Decode(&cm))
			var file map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(cm.Data["prometheus.yml"]), &file))

			// rule_files name paths in the pod; each is rewritten to a directory of this test holding the
			// files of the ConfigMap mounted there, so promtool checks the rules the pod would load.
			dir := t.TempDir()
			patterns, _ := file["rule_files"].([]any)
			for i, p := range patterns {
				pattern, ok := p.(string)
				require.True(t, ok, "rule_files[%d] is a path", i)
				mounted := mountedConfigMap(t, rec, filepath.Dir(pattern))
				require.NotEmpty(t, mounted, "a ConfigMap is mounted where rule_files[%d] %s looks", i, pattern)
				rules, ok := rec.Object(stacktest.ConfigMapType, mounted)
				require.True(t, ok, "ConfigMap %s", mounted)
				var rcm corev1.ConfigMap
				require.NoError(t, rules.Decode(&rcm))
				local := filepath.Join(dir, "rules", mounted)
				require.NoError(t, os.MkdirAll(local, 0o700))
				for name, content := range rcm.Data {
					require.NoError(t, os.WriteFile(filepath.Join(local, name), []byte(content), 0o600))
				}
				patterns[i] = filepath.Join(local, filepath.Base(pattern))
			}
			rewritten, err := yaml.Marshal(file)
			require.NoError(t, err)
			path := filepath.Join(dir, "prometheus.yml")
			require.NoError(t, os.WriteFile(path, rewritten, 0o600))
			out, err := exec.Command(promtool, "check", "config", "--lint=all", "--lint-fatal", path).CombinedOutput()
			require.NoError(t, err, "promtool check config:\n%s", out)
		})
	}
}
