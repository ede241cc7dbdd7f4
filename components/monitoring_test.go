package components_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// decodedStatefulSet is a StatefulSet the program registers, decoded.
func decodedStatefulSet(t *testing.T, rec *stacktest.Record, name string) appsv1.StatefulSet {
	t.Helper()
	r, ok := rec.Object(stacktest.StatefulSetType, name)
	require.True(t, ok, "StatefulSet %s", name)
	var s appsv1.StatefulSet
	require.NoError(t, r.Decode(&s))
	return s
}

// envFieldPath is the field an env var of c takes from the downward API, or "".
func envFieldPath(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			return e.ValueFrom.FieldRef.FieldPath
		}
	}
	return ""
}

// prometheusFile is the part of prometheus.yml these tests read.
type prometheusFile struct {
	Global struct {
		ExternalLabels map[string]string `json:"external_labels"`
	} `json:"global"`
	RuleFiles []string `json:"rule_files"`
	Alerting  struct {
		AlertRelabelConfigs []map[string]string `json:"alert_relabel_configs"`
		Alertmanagers       []struct {
			DNSSDConfigs []struct {
				Names []string `json:"names"`
				Type  string   `json:"type"`
				Port  int      `json:"port"`
			} `json:"dns_sd_configs"`
		} `json:"alertmanagers"`
	} `json:"alerting"`
	ScrapeConfigs []struct {
		JobName string `json:"job_name"`
	} `json:"scrape_configs"`
}

func readPrometheusFile(t *testing.T, rec *stacktest.Record) prometheusFile {
	t.Helper()
	var f prometheusFile
	require.NoError(t, yaml.Unmarshal([]byte(stacktest.ConfigMapFile(t, rec, "prometheus-config", "prometheus.yml")), &f))
	return f
}

func TestPrometheusKeepsItsSeriesOnAClaimOfTheConfiguredSize(t *testing.T) {
	cases := []struct {
		stack, monitoring string
		replicas          int32
		class, size       string
		retention         []string
	}{
		{"dev", "", 1, "standard", "20Gi", []string{"--storage.tsdb.retention.time=15d", "--storage.tsdb.retention.size=17408MB"}},
		{"prod", "", 2, "gp3", "20Gi", []string{"--storage.tsdb.retention.time=15d", "--storage.tsdb.retention.size=17408MB"}},
		{"prod", `{"retention": "30d", "storageSize": "100Gi"}`, 2, "gp3", "100Gi", []string{"--storage.tsdb.retention.time=30d", "--storage.tsdb.retention.size=87040MB"}},
	}
	for _, tc := range cases {
		t.Run(tc.stack+" "+tc.monitoring, func(t *testing.T) {
			overrides := map[string]string{}
			if tc.monitoring != "" {
				overrides["monitoring"] = tc.monitoring
			}
			rec := runStack(t, tc.stack, overrides)
			_, isDeployment := rec.Object(stacktest.DeploymentType, "prometheus")
			assert.False(t, isDeployment, "Prometheus is no longer a Deployment")
			s := decodedStatefulSet(t, rec, "prometheus")
			assert.Equal(t, tc.replicas, *s.Spec.Replicas)
			assert.Equal(t, appsv1.ParallelPodManagement, s.Spec.PodManagementPolicy, "the replicas do not wait for one another")
			assert.Equal(t, "prometheus-headless", s.Spec.ServiceName)
			require.Len(t, s.Spec.VolumeClaimTemplates, 1)
			claim := s.Spec.VolumeClaimTemplates[0]
			assert.Equal(t, "prometheus-data", claim.Name)
			assert.Equal(t, tc.class, *claim.Spec.StorageClassName)
			size := claim.Spec.Resources.Requests[corev1.ResourceStorage]
			assert.Equal(t, tc.size, size.String())
			c := s.Spec.Template.Spec.Containers[0]
			for _, flag := range tc.retention {
				assert.Contains(t, c.Args, flag)
			}
			assert.Contains(t, c.VolumeMounts, corev1.VolumeMount{Name: "prometheus-data", MountPath: "/prometheus"})
			for _, v := range s.Spec.Template.Spec.Volumes {
				assert.NotEqual(t, "data", v.Name, "no emptyDir holds the series any more")
			}
		})
	}
}

func TestEachPrometheusReplicaLabelsItsSeriesWithItsPodName(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		rec := runStack(t, stack, nil)
		f := readPrometheusFile(t, rec)
		// Prometheus 3 expands ${VAR} in external labels without a feature flag (config/config.go's Load).
		assert.Equal(t, map[string]string{"replica": "${POD_NAME}"}, f.Global.ExternalLabels, stack)
		c := decodedStatefulSet(t, rec, "prometheus").Spec.Template.Spec.Containers[0]
		assert.Equal(t, "metadata.name", envFieldPath(c, "POD_NAME"), "%s: POD_NAME is the pod's name", stack)
		for _, arg := range c.Args {
			assert.NotContains(t, arg, "--enable-feature", stack)
		}
		// The replicas' alerts differ only in the replica label; without it Alertmanager sees one alert.
		assert.Equal(t, []map[string]string{{"action": "labeldrop", "regex": "replica"}}, f.Alerting.AlertRelabelConfigs, stack)
	}
}

func TestPrometheusEvaluatesTheRulesAndAlertsEveryAlertmanager(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		t.Run(stack, func(t *testing.T) {
			rec := runStack(t, stack, nil)
			namespace := map[string]string{"dev": "jd-jones-rag-dev", "prod": "jd-jones-rag"}[stack]
			f := readPrometheusFile(t, rec)
			require.Len(t, f.Alerting.Alertmanagers, 1)
			require.Len(t, f.Alerting.Alertmanagers[0].DNSSDConfigs, 1)
			sd := f.Alerting.Alertmanagers[0].DNSSDConfigs[0]
			// An A lookup of the headless Service answers every replica's address.
			assert.Equal(t, []string{"alertmanager-headless." + namespace + ".svc"}, sd.Names)
			assert.Equal(t, "A", sd.Type)
			assert.Equal(t, 9093, sd.Port)
			svc, ok := rec.Object(stacktest.ServiceType, "alertmanager-headless")
			require.True(t, ok)
			var s corev1.Service
			require.NoError(t, svc.Decode(&s))
			assert.Equal(t, corev1.ClusterIPNone, s.Spec.ClusterIP)
			assert.Equal(t, "alertmanager", s.Spec.Selector["app.kubernetes.io/name"])
			assert.Equal(t, "alertmanager-headless", decodedStatefulSet(t, rec, "alertmanager").Spec.ServiceName)

			var jobs []string
			for _, j := range f.ScrapeConfigs {
				jobs = append(jobs, j.JobName)
			}
			assert.Contains(t, jobs, "alertmanager", "Prometheus scrapes the Alertmanagers too")

			// The rule file is the alerts helper's, mounted where rule_files looks.
			assert.Equal(t, []string{"/etc/prometheus-rules/*.yml"}, f.RuleFiles)
			rules := stacktest.ConfigMapFile(t, rec, "prometheus-rules", "alerts.yml")
			assert.True(t, strings.HasPrefix(strings.TrimSpace(rules), "#") || strings.HasPrefix(rules, "groups:"))
			assert.Contains(t, rules, "alert: TargetDown")
			pod := decodedStatefulSet(t, rec, "prometheus").Spec.Template
			assert.True(t, stacktest.ReadsConfigMap(pod.Spec, "prometheus-rules"))
			assert.Contains(t, pod.Spec.Containers[0].VolumeMounts, corev1.VolumeMount{Name: "rules", MountPath: "/etc/prometheus-rules"})
			assert.NotEmpty(t, pod.Annotations["checksum/prometheus-rules"])
		})
	}
}

func TestANewAlertThresholdRollsPrometheusAlone(t *testing.T) {
	annotations := func(rec *stacktest.Record) map[string]map[string]string {
		out := map[string]map[string]string{}
		for _, r := range stacktest.Workloads(rec) {
			out[r.ObjectName()] = stacktest.DecodeWorkload(t, r).Spec.Annotations
		}
		return out
	}
	before := annotations(runStack(t, "dev", nil))
	after := annotations(runStack(t, "dev", map[string]string{"monitoring": `{"alerts": {"apiErrorRatio": 0.1}}`}))
	assert.NotEqual(t, before["prometheus"]["checksum/prometheus-rules"], after["prometheus"]["checksum/prometheus-rules"])
	assert.Equal(t, before["prometheus"]["checksum/prometheus-config"], after["prometheus"]["checksum/prometheus-config"])
	for name, a := range before {
		if name != "prometheus" {
			assert.NotContains(t, a, "checksum/prometheus-rules", name)
		}
	}
}

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
	for _, stack := range stacktest.Stacks {
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
