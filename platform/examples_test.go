package platform

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// schemaLine is the first line of every example: editors check and complete its keys against the schema.
const schemaLine = "# yaml-language-server: $schema=../docs/stack-config.schema.json"

// secretCommand is how an example asks for a secret key: only in a comment, never with its value.
var secretCommand = regexp.MustCompile(`pulumi config set --secret (\w+) `)

// ranExample is an example stack as the program ran it under mocks.
type ranExample struct {
	cfg map[string]string
	rec *stacktest.Record
}

// object is the example's object key, decoded into out (a config type or plain JSON).
func (e ranExample) object(t *testing.T, key string, out any) {
	t.Helper()
	raw, ok := e.cfg[config.Project+":"+key]
	require.True(t, ok, "the example sets %s", key)
	require.NoError(t, json.Unmarshal([]byte(raw), out))
}

// settings is the jd-jones-config ConfigMap's data, the application pods' settings.
func (e ranExample) settings(t *testing.T) map[string]string {
	t.Helper()
	cm, ok := e.rec.Object(stacktest.ConfigMapType, "jd-jones-config")
	require.True(t, ok)
	var c corev1.ConfigMap
	require.NoError(t, cm.Decode(&c))
	return c.Data
}

// workloadNames are the names of the pod-running objects the example registered.
func (e ranExample) workloadNames() []string {
	var names []string
	for _, r := range stacktest.Workloads(e.rec) {
		names = append(names, r.ObjectName())
	}
	return names
}

// exampleFeatures check that each example shows the feature it is named after, in the objects the program
// registers from it, with the values the example writes: an example cannot silently stop showing it.
var exampleFeatures = map[string]func(t *testing.T, e ranExample){
	"extra-objects": func(t *testing.T, e ranExample) {
		var objects []map[string]any
		e.object(t, "extraObjects", &objects)
		require.NotEmpty(t, objects)
		namespace := e.cfg[config.Project+":"+config.NamespaceKey]
		for _, want := range objects {
			apiVersion, kind := want["apiVersion"].(string), want["kind"].(string)
			name := want["metadata"].(map[string]any)["name"].(string)
			typ := "kubernetes:" + apiVersion + ":" + kind
			if !strings.Contains(apiVersion, "/") {
				typ = "kubernetes:core/" + apiVersion + ":" + kind
			}
			res, ok := e.rec.Object(typ, name)
			require.True(t, ok, "%s %s is registered as its typed resource %s", kind, name, typ)
			got := res.Plain()
			assert.Equal(t, namespace, got["metadata"].(map[string]any)["namespace"], "%s %s is in the stack's namespace", kind, name)
			for _, field := range []string{"data", "spec"} {
				if v, set := want[field]; set {
					assert.Equal(t, v, got[field], "%s %s keeps the example's %s", kind, name, field)
				}
			}
		}
	},
	"operator-mode": func(t *testing.T, e ranExample) {
		var m config.Monitoring
		e.object(t, "monitoring", &m)
		require.Equal(t, config.Operator, m.Mode)
		monitors := stacktest.CustomResources(t, e.rec, "PodMonitor")
		rules := stacktest.CustomResources(t, e.rec, "PrometheusRule")
		assert.NotEmpty(t, monitors, "a PodMonitor per scrape job")
		assert.Len(t, rules, 1, "one PrometheusRule with the alerts")
		for name, obj := range mergeMaps(monitors, rules) {
			labels := obj["metadata"].(map[string]any)["labels"].(map[string]any)
			for k, v := range m.Operator.SelectorLabels {
				assert.Equal(t, v, labels[k], "%s carries the selector label %s the operator's Prometheus selects by", name, k)
			}
		}
		for _, bundled := range []string{"prometheus", "alertmanager", "grafana"} {
			assert.NotContains(t, e.workloadNames(), bundled, "the operator's Prometheus replaces the bundled monitoring")
		}
	},
	"external-secrets": func(t *testing.T, e ranExample) {
		var es config.ExternalSecrets
		e.object(t, "externalSecrets", &es)
		got := map[string]map[string]any{}
		for _, r := range e.rec.OfType(stacktest.ExternalSecretType) {
			got[r.ObjectName()] = r.Plain()["spec"].(map[string]any)
		}
		var names []string
		for name, spec := range got {
			names = append(names, name)
			assert.Equal(t, map[string]any{"kind": es.Store.Kind, "name": es.Store.Name}, spec["secretStoreRef"], name)
			var remote []string
			for _, d := range spec["data"].([]any) {
				remote = append(remote, d.(map[string]any)["remoteRef"].(map[string]any)["key"].(string))
			}
			var want []string
			for _, key := range es.Keys[name] {
				want = append(want, key)
			}
			assert.ElementsMatch(t, want, remote, "%s syncs the remote keys the example maps", name)
		}
		var want []string
		for name := range es.Keys {
			want = append(want, name)
		}
		assert.ElementsMatch(t, want, names, "one ExternalSecret per Secret the example maps")
	},
	"stack-reference": func(t *testing.T, e ranExample) {
		var ref config.StackReference
		e.object(t, "stackReference", &ref)
		refs := e.rec.OfType("pulumi:pulumi:StackReference")
		require.Len(t, refs, 1)
		assert.Equal(t, ref.Name, refs[0].Name)
		s := e.settings(t)
		assert.Equal(t, referencedHost(ref.PostgresHost), s["POSTGRES_HOST"], "Postgres's host is the referenced stack's output")
		assert.Equal(t, referencedHost(ref.RedisHost), s["REDIS_HOST"], "Redis's host is the referenced stack's output")
	},
	"alertmanager-receivers": func(t *testing.T, e ranExample) {
		var m config.Monitoring
		e.object(t, "monitoring", &m)
		f := stacktest.ReadAlertmanagerFile(t, e.rec)
		var names []string
		for _, r := range f.Receivers {
			names = append(names, r.Name)
			require.Len(t, r.WebhookConfigs, 1, r.Name)
			assert.Equal(t, "/etc/alertmanager-receivers/webhook-url", r.WebhookConfigs[0]["url_file"], r.Name)
			require.Len(t, r.EmailConfigs, 1, r.Name)
			assert.Equal(t, m.Alertmanager.EmailTo, r.EmailConfigs[0]["to"], r.Name)
			assert.Equal(t, m.Alertmanager.SMTPSmarthost, r.EmailConfigs[0]["smarthost"], r.Name)
		}
		assert.Equal(t, []string{"critical", "warning"}, names, "alerts reach the receivers, not the null one")
		_, ok := e.rec.Object(stacktest.SecretType, "alertmanager-receivers")
		assert.True(t, ok, "the credentials are files of a Secret")
	},
	"external-endpoints-tls": func(t *testing.T, e ranExample) {
		var pg, redis config.DataService
		e.object(t, "postgres", &pg)
		e.object(t, "redis", &redis)
		require.True(t, pg.IsExternal() && redis.IsExternal() && pg.TLS.Enabled && redis.TLS.Enabled)
		assert.NotContains(t, e.workloadNames(), "postgres", "no in-cluster Postgres")
		assert.NotContains(t, e.workloadNames(), "redis", "no in-cluster Redis")
		s := e.settings(t)
		assert.Equal(t, pg.Host, s["POSTGRES_HOST"])
		assert.Equal(t, redis.Host, s["REDIS_HOST"])
		assert.Equal(t, "verify-full", s["PGSSLMODE"], "Postgres's certificate and host are verified")
		assert.Equal(t, "/etc/jd-jones/tls/postgres/"+pg.TLS.CA.Key, s["PGSSLROOTCERT"], "against the example's CA bundle")
		assert.Equal(t, "rediss", s["REDIS_SCHEME"])
		assert.Equal(t, "required", s["REDIS_SSL_CERT_REQS"])
	},
	"telemetry-otlp": telemetryExampleShowsItsFeature,
	"gateway-api": func(t *testing.T, e ranExample) {
		assert.Empty(t, e.rec.OfType(stacktest.IngressType), "no Ingress in gateway mode")
		_, ok := e.rec.Object(stacktest.GatewayType, "jd-jones-rag")
		assert.True(t, ok, "the stack's Gateway")
		routes := map[string]any{}
		for _, r := range e.rec.OfType(stacktest.HTTPRouteType) {
			routes[r.ObjectName()] = r.Plain()["spec"].(map[string]any)["parentRefs"].([]any)[0].(map[string]any)["name"]
		}
		assert.Equal(t, map[string]any{"jd-jones-rag-support": "jd-jones-rag", "jd-jones-rag-api": "jd-jones-rag", "jd-jones-rag-portal": "internal"}, routes)
	},
	"gpu-worker":   gpuWorkerExampleShowsItsFeature,
	"pod-sidecars": podSidecarsExampleShowsItsFeature,
	"pod-options": func(t *testing.T, e ranExample) {
		var w map[string]struct {
			Pod config.PodOptions `json:"pod"`
		}
		e.object(t, "workloads", &w)
		objects := map[string]string{"api": "api", "celeryWorker": "celery-worker"}
		require.NotEmpty(t, w)
		for key, options := range w {
			name, ok := objects[key]
			require.True(t, ok, "the check knows the object of workloads.%s", key)
			r, ok := e.rec.Object(stacktest.DeploymentType, name)
			require.True(t, ok, name)
			pod := stacktest.DecodeWorkload(t, r).Spec
			placement, errs := options.Pod.Placement()
			require.Empty(t, errs)
			if placement.Tolerations != nil {
				assert.Equal(t, placement.Tolerations, pod.Spec.Tolerations, "%s: tolerations", name)
			}
			if placement.Affinity != nil {
				// As the API server reads them: an empty list and no list are the same affinity.
				want, err := json.Marshal(placement.Affinity)
				require.NoError(t, err)
				got, err := json.Marshal(pod.Spec.Affinity)
				require.NoError(t, err)
				assert.JSONEq(t, string(want), string(got), "%s: affinity", name)
			}
			for i, s := range placement.TopologySpread {
				require.Len(t, pod.Spec.TopologySpreadConstraints, len(placement.TopologySpread), name)
				assert.Equal(t, s.TopologyKey, pod.Spec.TopologySpreadConstraints[i].TopologyKey, name)
				assert.Equal(t, s.WhenUnsatisfiable, pod.Spec.TopologySpreadConstraints[i].WhenUnsatisfiable, name)
			}
			for k, v := range options.Pod.NodeSelector {
				assert.Equal(t, v, pod.Spec.NodeSelector[k], "%s: node selector %s", name, k)
			}
			for k, v := range options.Pod.Labels {
				assert.Equal(t, v, pod.Labels[k], "%s: label %s", name, k)
			}
			assert.Equal(t, options.Pod.PriorityClassName, pod.Spec.PriorityClassName, name)
			for _, s := range options.Pod.ImagePullSecrets {
				assert.Contains(t, pod.Spec.ImagePullSecrets, corev1.LocalObjectReference{Name: s}, name)
			}
			for _, c := range pod.Spec.Containers {
				for k, v := range options.Pod.Env {
					assert.Contains(t, c.Env, corev1.EnvVar{Name: k, Value: v}, "%s/%s", name, c.Name)
				}
			}
		}
	},
	"keda-worker": func(t *testing.T, e ranExample) {
		var w config.Workloads
		e.object(t, "workloads", &w)
		require.Equal(t, config.AutoscaleKEDA, w.CeleryWorker.Autoscaling.Mode)
		_, ok := e.rec.Object(stacktest.HPAType, "celery-worker")
		assert.False(t, ok, "the ScaledObject replaces the workers' HPA")
		scaled := e.rec.OfType("kubernetes:keda.sh/v1alpha1:ScaledObject")
		require.Len(t, scaled, 1)
		triggers := scaled[0].Plain()["spec"].(map[string]any)["triggers"].([]any)
		var queues []string
		for _, tr := range triggers {
			queues = append(queues, tr.(map[string]any)["metadata"].(map[string]any)["listName"].(string))
		}
		assert.Equal(t, w.CeleryWorker.Autoscaling.KEDA.Queues, queues, "one trigger per queue the example lists")
		assert.Len(t, e.rec.OfType("kubernetes:keda.sh/v1alpha1:TriggerAuthentication"), 1)
	},
}

// mergeMaps is a and b together.
func mergeMaps(a, b map[string]map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// referencedHost is the host the referenced stack exports under output in these tests.
func referencedHost(output string) string { return strings.ToLower(output) + ".referenced.example.com" }

// exampleFiles are the example stack files, examples/*.yaml.
func exampleFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(stacktest.RepoRoot(), "examples", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "the examples are in examples/")
	return files
}

// runExample loads an example as the CLI would load it as Pulumi.<name>.yaml, with the secret keys its
// comments ask for set encrypted (to placeholders) and the outputs of a referenced stack, and runs the
// program over it under mocks.
func runExample(t *testing.T, file, name string) ranExample {
	t.Helper()
	cfg := exampleConfig(t, file)
	rec, err := stacktest.Run(name, cfg, Program)
	require.NoError(t, err, "examples/%s.yaml runs", name)
	return ranExample{cfg: cfg, rec: rec}
}

// exampleConfig is the configuration runExample runs an example with.
func exampleConfig(t *testing.T, file string) map[string]string {
	t.Helper()
	text, err := os.ReadFile(file)
	require.NoError(t, err)
	first, _, _ := strings.Cut(string(text), "\n")
	assert.Equal(t, schemaLine, first, "the first line points editors at the schema")
	cfg, err := stacktest.StackFileConfig(file)
	require.NoError(t, err)
	for _, key := range config.SecretKeys {
		assert.NotContains(t, cfg, config.Project+":"+key, "a credential is never in an example, only the command that sets it")
	}
	for _, m := range secretCommand.FindAllStringSubmatch(string(text), -1) {
		key := m[1]
		require.Contains(t, config.SecretKeys, key, "the example asks for a secret key of the program")
		cfg[config.Project+":"+key] = "placeholder-" + key
	}
	if raw, ok := cfg[config.Project+":stackReference"]; ok {
		var ref config.StackReference
		require.NoError(t, json.Unmarshal([]byte(raw), &ref))
		stacktest.SetStackOutputs(ref.Name, map[string]any{
			ref.PostgresHost: referencedHost(ref.PostgresHost), ref.RedisHost: referencedHost(ref.RedisHost),
		})
	}
	return cfg
}

func TestEveryExampleRunsPassesThePolicyPackAndShowsItsFeature(t *testing.T) {
	for _, file := range exampleFiles(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			e := runExample(t, file, name)
			require.NotEmpty(t, stacktest.PolicyResources(e.rec))
			production, _ := checks.DetectProduction(config.Project, name, func(key string) (string, bool) {
				v, ok := e.cfg[key]
				return v, ok
			})
			assert.Equal(t, e.cfg[config.Project+":"+config.EnvironmentKey] == string(config.Prod), production, "the pack judges a prod example as production")
			findings := stacktest.Evaluate(e.rec, production)
			assert.NotEmpty(t, findings, "the pack ran (the images are not digest-pinned, an advisory finding)")
			for _, f := range checks.Blocking(findings) {
				t.Errorf("mandatory violation: %s", f)
			}
			check, ok := exampleFeatures[name]
			require.True(t, ok, "examples/%s.yaml has a check of its feature in exampleFeatures", name)
			check(t, e)
		})
	}
}

// The check that no extraObjects entry replaces one of the platform's objects renders the platform under
// mocks: it must do so with every example's configuration (secret keys, stack references, prod).
func TestEveryExampleRefusesAnExtraObjectThatReplacesThePlatformsConfigMap(t *testing.T) {
	for _, file := range exampleFiles(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			cfg := exampleConfig(t, file)
			cfg[config.Project+":extraObjects"] = `[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "jd-jones-config"}}]`
			rec, err := stacktest.Run(name, cfg, Program)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `extraObjects[0] = "ConfigMap/jd-jones-config": is an object the stack already registers`)
			assert.NotContains(t, err.Error(), "rendering the platform", "the platform renders under mocks")
			assert.Empty(t, rec.Resources, "nothing is registered")
		})
	}
}

func TestEveryFeatureCheckHasItsExample(t *testing.T) {
	var names []string
	for _, file := range exampleFiles(t) {
		names = append(names, strings.TrimSuffix(filepath.Base(file), ".yaml"))
	}
	for name := range exampleFeatures {
		assert.True(t, slices.Contains(names, name), "examples/%s.yaml exists", name)
	}
}

func TestTheExamplesREADMEListsEveryExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(stacktest.RepoRoot(), "examples", "README.md"))
	require.NoError(t, err)
	for _, file := range exampleFiles(t) {
		assert.Contains(t, string(readme), "("+filepath.Base(file)+")", "examples/README.md links %s", filepath.Base(file))
	}
}

// podSidecarsExampleShowsItsFeature checks that the API's pod carries the example's volumes, its main
// container the example's mounts, and its first init containers the example's sidecars, as native
// sidecars with their images and probes.
func podSidecarsExampleShowsItsFeature(t *testing.T, e ranExample) {
	var w map[string]struct {
		Pod config.PodOptions `json:"pod"`
	}
	e.object(t, "workloads", &w)
	extras, errs := w["api"].Pod.Extras()
	require.Empty(t, errs)
	require.NotEmpty(t, extras.Volumes)
	require.NotEmpty(t, extras.VolumeMounts)
	require.NotEmpty(t, extras.Sidecars)
	r, ok := e.rec.Object(stacktest.DeploymentType, "api")
	require.True(t, ok)
	spec := stacktest.DecodeWorkload(t, r).Spec.Spec
	// As the API server reads them: an empty list and no list are the same.
	same := func(want, got any, what string) {
		w, err := json.Marshal(want)
		require.NoError(t, err)
		g, err := json.Marshal(got)
		require.NoError(t, err)
		assert.JSONEq(t, string(w), string(g), what)
	}
	for _, v := range extras.Volumes {
		i := slices.IndexFunc(spec.Volumes, func(got corev1.Volume) bool { return got.Name == v.Name })
		require.GreaterOrEqual(t, i, 0, "the pod has volume %s", v.Name)
		same(v, spec.Volumes[i], "volume "+v.Name)
	}
	for _, m := range extras.VolumeMounts {
		assert.Contains(t, spec.Containers[0].VolumeMounts, m, "the API's container mounts %s", m.MountPath)
	}
	require.GreaterOrEqual(t, len(spec.InitContainers), len(extras.Sidecars))
	for i, want := range extras.Sidecars {
		got := spec.InitContainers[i]
		assert.Equal(t, want.Name, got.Name, "sidecar %d comes before the platform's init containers", i)
		assert.Equal(t, want.Image, got.Image)
		require.NotNil(t, got.RestartPolicy)
		assert.Equal(t, corev1.ContainerRestartPolicyAlways, *got.RestartPolicy, "%s is a native sidecar", got.Name)
		assert.Equal(t, want.LivenessProbe.HTTPGet.Path, got.LivenessProbe.HTTPGet.Path)
		assert.Equal(t, want.ReadinessProbe.HTTPGet.Path, got.ReadinessProbe.HTTPGet.Path)
		same(want.VolumeMounts, got.VolumeMounts, got.Name+"'s mounts")
	}
}
