package platform

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// stacks are the committed stacks.
var stacks = stacktest.Stacks

// runStack runs the program with a stack's committed configuration, plus overrides.
func runStack(t *testing.T, stack string, overrides map[string]string) *stacktest.Record {
	t.Helper()
	return stacktest.RunStack(t, Program, stack, overrides)
}

func TestInventoryWorkloadsMatchTheReview(t *testing.T) {
	type want struct {
		kind     string
		replicas int32 // zero when an HPA owns the size
		port     int32
		hpa      [2]int32 // zero when not autoscaled
	}
	// prod is the review's inventory, with four deliberate changes: the HPAs own the API's and workers'
	// sizes (the review's initial 3 and 2 would be reset by every apply); the worker's HPA floor is 2, not 1;
	// Prometheus and Grafana run two replicas, not one (production serves everything from two pods); and
	// Postgres and Redis are external endpoints. dev runs one replica of each. Issue 13 keeps Prometheus's
	// series on claims (a StatefulSet) and adds Alertmanager, reached through its headless Service only.
	expected := map[string]map[string]want{
		"prod": {
			"api":             {"Deployment", 0, 8000, [2]int32{2, 10}},
			"celery-worker":   {"Deployment", 0, 0, [2]int32{2, 8}},
			"celery-beat":     {"Deployment", 1, 0, [2]int32{}},
			"internal-portal": {"Deployment", 2, 3000, [2]int32{}},
			"external-portal": {"Deployment", 3, 3000, [2]int32{}},
			"chromadb":        {"StatefulSet", 1, 8000, [2]int32{}},
			"prometheus":      {"StatefulSet", 2, 9090, [2]int32{}},
			"grafana":         {"Deployment", 2, 3000, [2]int32{}},
			"alertmanager":    {"StatefulSet", 2, 0, [2]int32{}},
			// The managed Postgres's and Redis's exporters, one each (a second would double their series),
			// reached through their headless Services only.
			"postgres-exporter": {"Deployment", 1, 0, [2]int32{}},
			"redis-exporter":    {"Deployment", 1, 0, [2]int32{}},
		},
		"dev": {
			"api":             {"Deployment", 0, 8000, [2]int32{1, 3}},
			"celery-worker":   {"Deployment", 0, 0, [2]int32{1, 3}},
			"celery-beat":     {"Deployment", 1, 0, [2]int32{}},
			"internal-portal": {"Deployment", 1, 3000, [2]int32{}},
			"external-portal": {"Deployment", 1, 3000, [2]int32{}},
			"postgres":        {"StatefulSet", 1, 5432, [2]int32{}},
			"redis":           {"StatefulSet", 1, 6379, [2]int32{}},
			"chromadb":        {"StatefulSet", 1, 8000, [2]int32{}},
			"prometheus":      {"StatefulSet", 1, 9090, [2]int32{}},
			"grafana":         {"Deployment", 1, 3000, [2]int32{}},
			"alertmanager":    {"StatefulSet", 1, 0, [2]int32{}},
		},
	}
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			rec := runStack(t, stack, nil)
			found := map[string]bool{}
			for _, r := range append(rec.OfType(stacktest.DeploymentType), rec.OfType(stacktest.StatefulSetType)...) {
				name := r.ObjectName()
				w, ok := expected[stack][name]
				if !assert.Truef(t, ok, "unexpected workload %s %s", r.Type, name) {
					continue
				}
				found[name] = true
				got := stacktest.DecodeWorkload(t, r)
				assert.Equal(t, w.kind, got.Kind, name)
				if w.replicas == 0 {
					assert.Nil(t, got.Replicas, "%s: the HPA owns the size, so nothing may reset it", name)
				} else if assert.NotNil(t, got.Replicas, name) {
					assert.Equal(t, w.replicas, *got.Replicas, "%s replicas", name)
				}
				assert.Empty(t, r.IgnoreChanges, name)
				if w.port != 0 {
					// The pod serves the port, from whichever container (Chroma's is its proxy's).
					var ports []int32
					for _, c := range got.Spec.Spec.Containers {
						for _, p := range c.Ports {
							ports = append(ports, p.ContainerPort)
						}
					}
					assert.Contains(t, ports, w.port, "%s port", name)
					svc, ok := rec.Object(stacktest.ServiceType, name)
					if assert.Truef(t, ok, "%s has a Service", name) {
						var s corev1.Service
						require.NoError(t, svc.Decode(&s))
						assert.Equal(t, w.port, s.Spec.Ports[0].Port, "%s service port", name)
						assert.Equal(t, name, s.Spec.Selector["app.kubernetes.io/name"])
					}
				}
				hpaRes, autoscaled := rec.Object(stacktest.HPAType, name)
				assert.Equal(t, w.hpa != [2]int32{}, autoscaled, "%s autoscaled", name)
				if autoscaled {
					var h autoscalingv2.HorizontalPodAutoscaler
					require.NoError(t, hpaRes.Decode(&h))
					assert.Equal(t, w.hpa, [2]int32{*h.Spec.MinReplicas, h.Spec.MaxReplicas}, "%s HPA range", name)
					assert.Equal(t, "Deployment", h.Spec.ScaleTargetRef.Kind)
					assert.Equal(t, name, h.Spec.ScaleTargetRef.Name)
				}
			}
			for name := range expected[stack] {
				assert.Truef(t, found[name], "workload %s is missing", name)
			}
		})
	}
}

func TestClaimsMatchTheReview(t *testing.T) {
	type claim struct {
		size, mode, class string
	}
	expected := map[string]map[string]claim{
		"prod": {
			"model-cache":  {"10Gi", "ReadWriteMany", "efs-sc"},
			"uploads-data": {"20Gi", "ReadWriteMany", "efs-sc"},
			"chroma-data":  {"50Gi", "ReadWriteOnce", "gp3"},
			// monitoring.storageSize per Prometheus replica; Alertmanager's silences and notification log.
			"prometheus-data":   {"20Gi", "ReadWriteOnce", "gp3"},
			"alertmanager-data": {"1Gi", "ReadWriteOnce", "gp3"},
		},
		"dev": {
			"model-cache":       {"10Gi", "ReadWriteMany", "nfs-client"},
			"uploads-data":      {"5Gi", "ReadWriteMany", "nfs-client"},
			"postgres-data":     {"5Gi", "ReadWriteOnce", "standard"},
			"redis-data":        {"1Gi", "ReadWriteOnce", "standard"},
			"chroma-data":       {"10Gi", "ReadWriteOnce", "standard"},
			"prometheus-data":   {"20Gi", "ReadWriteOnce", "standard"},
			"alertmanager-data": {"1Gi", "ReadWriteOnce", "standard"},
		},
	}
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			rec := runStack(t, stack, nil)
			got := map[string]claim{}
			add := func(name string, spec corev1.PersistentVolumeClaimSpec) {
				q := spec.Resources.Requests[corev1.ResourceStorage]
				got[name] = claim{q.String(), string(spec.AccessModes[0]), *spec.StorageClassName}
			}
			for _, r := range rec.OfType(stacktest.PVCType) {
				var pvc corev1.PersistentVolumeClaim
				require.NoError(t, r.Decode(&pvc))
				add(pvc.Name, pvc.Spec)
			}
			for _, r := range rec.OfType(stacktest.StatefulSetType) {
				var s appsv1.StatefulSet
				require.NoError(t, r.Decode(&s))
				for _, tmpl := range s.Spec.VolumeClaimTemplates {
					add(tmpl.Name, tmpl.Spec)
				}
				assert.Equal(t, appsv1.RetainPersistentVolumeClaimRetentionPolicyType, s.Spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted)
			}
			assert.Equal(t, expected[stack], got)
		})
	}
}

func TestEveryContainerIsProbedSizedAndRestricted(t *testing.T) {
	for _, stack := range stacks {
		rec := runStack(t, stack, nil)
		for _, r := range stacktest.Workloads(rec) {
			w := stacktest.DecodeWorkload(t, r)
			pod := w.Spec.Spec
			require.NotNil(t, pod.SecurityContext, r.Name)
			assert.True(t, *pod.SecurityContext.RunAsNonRoot, r.Name)
			assert.NotZero(t, *pod.SecurityContext.RunAsUser, r.Name)
			assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, pod.SecurityContext.SeccompProfile.Type, r.Name)
			// Prometheus finds its targets in the cluster DNS: no pod talks to the Kubernetes API.
			assert.False(t, *pod.AutomountServiceAccountToken, "%s token", r.Name)
			for _, c := range append(pod.InitContainers, pod.Containers...) {
				id := stack + "/" + r.Name + "/" + c.Name
				if w.Kind != "Job" {
					assert.NotNil(t, c.LivenessProbe, "%s liveness", id)
					assert.NotNil(t, c.ReadinessProbe, "%s readiness", id)
				}
				for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
					req, hasReq := c.Resources.Requests[name]
					lim, hasLim := c.Resources.Limits[name]
					if assert.True(t, hasReq && hasLim, "%s %s request and limit", id, name) {
						assert.LessOrEqual(t, req.Cmp(lim), 0, "%s %s request above limit", id, name)
					}
				}
				sc := c.SecurityContext
				require.NotNil(t, sc, id)
				assert.True(t, *sc.RunAsNonRoot, id)
				assert.False(t, *sc.AllowPrivilegeEscalation, id)
				assert.False(t, *sc.Privileged, id)
				assert.True(t, *sc.ReadOnlyRootFilesystem, id)
				assert.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop, id)
				assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, sc.SeccompProfile.Type, id)
				assert.NotRegexp(t, `:latest$|^[^:@]+$`, c.Image, id)
			}
		}
	}
}

func TestProbesFollowEachComponentsContract(t *testing.T) {
	rec := runStack(t, "dev", nil)
	probes := func(name string) (liveness, readiness *corev1.Probe) {
		r, ok := rec.Object(stacktest.DeploymentType, name)
		if !ok {
			r, ok = rec.Object(stacktest.StatefulSetType, name)
		}
		require.True(t, ok, name)
		c := stacktest.DecodeWorkload(t, r).Spec.Spec.Containers[0]
		return c.LivenessProbe, c.ReadinessProbe
	}
	live, ready := probes("prometheus")
	assert.Equal(t, "/-/healthy", live.HTTPGet.Path)
	assert.Equal(t, "/-/ready", ready.HTTPGet.Path)
	live, ready = probes("grafana")
	assert.Equal(t, "/api/health", live.HTTPGet.Path)
	assert.Equal(t, "/api/health", ready.HTTPGet.Path)
	live, _ = probes("celery-worker")
	assert.Contains(t, live.Exec.Command[2], "find /tmp/worker_heartbeat -mmin -2")
	live, _ = probes("celery-beat")
	assert.Contains(t, live.Exec.Command[2], "find /tmp/beat_heartbeat -mmin -2")
	live, ready = probes("postgres")
	assert.Equal(t, "pg_isready", live.Exec.Command[0])
	assert.Equal(t, "pg_isready", ready.Exec.Command[0])
	live, ready = probes("redis")
	assert.Contains(t, ready.Exec.Command[2], "redis-cli -h 127.0.0.1 ping")
	assert.Contains(t, live.Exec.Command[2], "LOADING")
	live, _ = probes("chromadb")
	assert.Equal(t, "/api/v2/heartbeat", live.HTTPGet.Path)

	// The worker's probe commands are the image's contract, so the stack may replace them.
	custom := runStack(t, "dev", map[string]string{"probes": `{"workerLiveness": ["celery-healthcheck", "--live"]}`})
	r, _ := custom.Object(stacktest.DeploymentType, "celery-worker")
	assert.Equal(t, []string{"celery-healthcheck", "--live"}, stacktest.DecodeWorkload(t, r).Spec.Spec.Containers[0].LivenessProbe.Exec.Command)
}

// credentialName matches env var names that carry credentials.
var credentialName = regexp.MustCompile(`(?i)(^|_)(password|passwd|pass|secret|token|key|apikey|auth|credentials?)(_|$)`)

func TestNoEnvVarCarriesALiteralSecret(t *testing.T) {
	for _, stack := range stacks {
		rec := runStack(t, stack, nil)
		for _, r := range stacktest.Workloads(rec) {
			for _, c := range stacktest.DecodeWorkload(t, r).Spec.Spec.Containers {
				for _, e := range c.Env {
					if !credentialName.MatchString(e.Name) {
						continue
					}
					assert.Empty(t, e.Value, "%s/%s env %s is a literal", r.Name, c.Name, e.Name)
					if assert.NotNil(t, e.ValueFrom, "%s/%s env %s", r.Name, c.Name, e.Name) {
						assert.NotNil(t, e.ValueFrom.SecretKeyRef, "%s/%s env %s", r.Name, c.Name, e.Name)
					}
				}
			}
		}
		for _, r := range rec.OfType(stacktest.SecretType) {
			for key, v := range stacktest.SecretData(t, r) {
				assert.True(t, v.IsSecret() || v.IsComputed(), "%s data %s must be a Pulumi secret", r.Name, key)
			}
		}
	}
}

func TestOutputsExposeURLsAndASecretPassword(t *testing.T) {
	cfg, err := stacktest.StackConfig("dev")
	require.NoError(t, err)
	var got map[string]stacktest.Awaited
	_, err = stacktest.Run("dev", cfg, func(ctx *pulumi.Context) error {
		p, err := Build(ctx)
		if err != nil {
			return err
		}
		got, err = stacktest.AwaitAll(ctx, Outputs(p))
		return err
	})
	require.NoError(t, err)
	assert.Equal(t, "jd-jones-rag-dev", got["namespace"].Value)
	assert.Equal(t, "https://support.dev.jdjones.com", got["supportUrl"].Value)
	assert.Equal(t, "https://portal.dev.jdjones.com", got["portalUrl"].Value)
	assert.Equal(t, "https://api.dev.jdjones.com", got["apiUrl"].Value)
	assert.True(t, got["grafanaAdminPassword"].Secret, "grafanaAdminPassword is a secret output")
	assert.False(t, got["apiUrl"].Secret)
	services := got["services"].Value.(map[string]string)
	for _, name := range []string{"api", "external-portal", "internal-portal", "postgres", "redis", "chromadb", "prometheus", "grafana"} {
		assert.Equal(t, name, services[name], "service %s", name)
	}
}

func TestDisruptionBudgetsCoverEveryReplicatedWorkload(t *testing.T) {
	expected := map[string]map[string]string{
		// name -> "maxUnavailable=1" for replicated serving workloads, "minAvailable=1" for a protected single replica
		"prod": {"api": "maxUnavailable=1", "celery-worker": "maxUnavailable=1", "external-portal": "maxUnavailable=1",
			"internal-portal": "maxUnavailable=1", "prometheus": "maxUnavailable=1", "grafana": "maxUnavailable=1",
			"alertmanager": "maxUnavailable=1", "chromadb": "minAvailable=1"},
		"dev": {"api": "maxUnavailable=1", "celery-worker": "maxUnavailable=1"},
	}
	for _, stack := range stacks {
		got := map[string]string{}
		for _, r := range runStack(t, stack, nil).OfType(stacktest.PDBType) {
			var pdb policyv1.PodDisruptionBudget
			require.NoError(t, r.Decode(&pdb))
			switch {
			case pdb.Spec.MaxUnavailable != nil:
				got[pdb.Name] = "maxUnavailable=" + pdb.Spec.MaxUnavailable.String()
			case pdb.Spec.MinAvailable != nil:
				got[pdb.Name] = "minAvailable=" + pdb.Spec.MinAvailable.String()
			}
			assert.Equal(t, pdb.Name, pdb.Spec.Selector.MatchLabels["app.kubernetes.io/name"])
		}
		assert.Equal(t, expected[stack], got, stack)
	}
}

func TestAConfigChangeRollsOnlyThePodsThatReadIt(t *testing.T) {
	annotations := func(rec *stacktest.Record) map[string]map[string]string {
		out := map[string]map[string]string{}
		for _, r := range stacktest.Workloads(rec) {
			out[r.Name] = stacktest.DecodeWorkload(t, r).Spec.Annotations
		}
		return out
	}
	// readers are the workloads whose pod spec really reads jd-jones-config (envFrom, a key or a volume),
	// judged from the spec, not from the checksum annotation under test.
	readers := map[string]bool{}
	rec := runStack(t, "dev", nil)
	for _, r := range stacktest.Workloads(rec) {
		readers[r.Name] = stacktest.ReadsConfigMap(stacktest.DecodeWorkload(t, r).Spec.Spec, "jd-jones-config")
	}
	before := annotations(rec)
	after := annotations(runStack(t, "dev", map[string]string{"llm": `{"provider": "ollama", "model": "llama3.2:3b", "embeddingModel": "nomic-embed-text", "baseUrl": "http://ollama.ollama.svc.cluster.local:11434", "namespace": "ollama"}`}))
	for name, a := range before {
		// Only this checksum: the generated passwords, and so the secrets checksum, differ per mock run.
		changed := a["checksum/jd-jones-config"] != after[name]["checksum/jd-jones-config"]
		assert.Equal(t, readers[name], changed, "%s rolls exactly when it reads jd-jones-config", name)
	}
	for _, name := range []string{"jd-jones-rag-api-api", "jd-jones-rag-workers-celery-worker", "jd-jones-rag-workers-celery-beat"} {
		assert.NotEmpty(t, before[name]["checksum/jd-jones-config"], name)
		assert.Contains(t, before[name], "checksum/jd-jones-secrets", name)
	}
	// Prometheus and Postgres roll when their own config changes.
	assert.NotEmpty(t, before["jd-jones-rag-monitoring-prometheus"]["checksum/prometheus-config"])
	assert.NotEmpty(t, before["jd-jones-rag-data-postgres"]["checksum/postgres-init"])
}

func TestProdUsesExternalEndpointsAndExternalCredentials(t *testing.T) {
	rec := runStack(t, "prod", nil)
	for _, name := range []string{"postgres", "redis"} {
		_, ok := rec.Object(stacktest.StatefulSetType, name)
		assert.False(t, ok, "prod runs no in-cluster %s", name)
	}
	cm, ok := rec.Object(stacktest.ConfigMapType, "jd-jones-config")
	require.True(t, ok)
	var settings corev1.ConfigMap
	require.NoError(t, cm.Decode(&settings))
	assert.Equal(t, "jd-jones-rag.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com", settings.Data["POSTGRES_HOST"])
	assert.Equal(t, "master.jd-jones-rag.abc123.euw1.cache.amazonaws.com", settings.Data["REDIS_HOST"])

	api, _ := rec.Object(stacktest.DeploymentType, "api")
	refs := map[string]string{}
	for _, e := range stacktest.DecodeWorkload(t, api).Spec.Spec.Containers[0].Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			refs[e.Name] = e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		}
	}
	assert.Equal(t, map[string]string{
		"POSTGRES_PASSWORD": "jd-jones-managed-data/postgres-password",
		"REDIS_PASSWORD":    "jd-jones-managed-data/redis-password",
		"JWT_SECRET":        "jd-jones-secrets/jwt-secret",
		"LLM_API_KEY":       "jd-jones-llm/api-key",
		"CHROMA_TOKEN":      "chroma-token/token",
	}, refs)
	// Only the secrets this stack generates are generated.
	var generated []string
	for _, pw := range rec.OfType(stacktest.PasswordType) {
		generated = append(generated, pw.Name)
	}
	slices.Sort(generated)
	assert.Equal(t, []string{"jd-jones-rag-foundation-checksum-key", "jd-jones-rag-foundation-chroma-token",
		"jd-jones-rag-foundation-grafana-admin-password", "jd-jones-rag-foundation-jwt-secret"}, generated)
}

func TestResourceQuantitiesComeFromConfig(t *testing.T) {
	rec := runStack(t, "dev", map[string]string{"workloads": `{"api": {"resources": {"requests": {"cpu": "250m", "memory": "300Mi"}, "limits": {"cpu": "1500m", "memory": "2Gi"}}}}`})
	r, _ := rec.Object(stacktest.DeploymentType, "api")
	res := stacktest.DecodeWorkload(t, r).Spec.Spec.Containers[0].Resources
	assert.True(t, resource.MustParse("250m").Equal(res.Requests[corev1.ResourceCPU]))
	assert.True(t, resource.MustParse("2Gi").Equal(res.Limits[corev1.ResourceMemory]))
	// A partial override keeps the other fields of the environment's defaults.
	hpa, _ := rec.Object(stacktest.HPAType, "api")
	var h autoscalingv2.HorizontalPodAutoscaler
	require.NoError(t, hpa.Decode(&h))
	assert.Equal(t, int32(3), h.Spec.MaxReplicas)
}

func TestEveryObjectIsCreatedWithTheStacksOwnProvider(t *testing.T) {
	for _, stack := range stacks {
		rec := runStack(t, stack, nil)
		providers := rec.OfType("pulumi:providers:kubernetes")
		require.Len(t, providers, 1, "%s: one explicit Kubernetes provider", stack)
		provider := providers[0]
		assert.True(t, provider.Inputs["enableSecretMutable"].BoolValue(), "Secrets are updated in place, not replaced")
		context := provider.Inputs["context"]
		if stack == "prod" {
			assert.Equal(t, "jd-jones-rag-prod", context.StringValue(), "prod deploys to its own context")
		} else {
			assert.True(t, context.IsNull(), "dev follows the ambient current context")
		}
		for _, r := range rec.Resources {
			if strings.HasPrefix(r.Type, "kubernetes:") {
				assert.True(t, strings.HasPrefix(r.Provider, provider.URN+"::"), "%s %s is created with the stack's provider, not the default one (%s)", stack, r.URN, r.Provider)
			}
		}
	}
	// A kubeconfig of the stack's own, given as a secret, goes to the provider as a secret.
	cfg, err := stacktest.StackConfig("prod")
	require.NoError(t, err)
	cfg[config.Project+":cluster"] = `{}`
	cfg[config.Project+":kubeconfig"] = "apiVersion: v1\nkind: Config\n"
	rec, err := stacktest.Run("prod", cfg, Program)
	require.NoError(t, err, "a kubeconfig binds prod as well as a context does")
	kubeconfig := rec.OfType("pulumi:providers:kubernetes")[0].Inputs["kubeconfig"]
	assert.True(t, kubeconfig.IsSecret(), "the kubeconfig stays a secret in the provider's inputs")
}

func TestARenderDirectoryReachesTheStacksOwnProvider(t *testing.T) {
	cfg, err := stacktest.StackConfig("prod")
	require.NoError(t, err)
	cfg["kubernetes:renderYamlToDirectory"] = "/tmp/rendered"
	rec, err := stacktest.Run("prod", cfg, Program)
	require.NoError(t, err)
	provider := rec.OfType("pulumi:providers:kubernetes")[0]
	assert.Equal(t, "/tmp/rendered", provider.Inputs["renderYamlToDirectory"].StringValue(), "render writes YAML through the explicit provider, with no cluster")
	assert.True(t, provider.Inputs["context"].IsNull(), "the provider refuses a context beside a render directory")
}
