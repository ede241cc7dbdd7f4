package components_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/platform"
	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// renderedStacks are both committed stacks and every example that runs under mocks without a
// referenced stack's outputs (operator mode, uploads to S3, External Secrets, TLS endpoints …).
func renderedStacks(t *testing.T) map[string]*stacktest.Record {
	t.Helper()
	out := map[string]*stacktest.Record{}
	for _, s := range stacktest.Stacks {
		out[s] = runStack(t, s, nil)
	}
	files, err := filepath.Glob(filepath.Join(stacktest.RepoRoot(), "examples", "*.yaml"))
	require.NoError(t, err)
	for _, f := range files {
		switch filepath.Base(f) {
		case "stack-reference.yaml": // reads another stack's outputs, which this test does not provide
			continue
		case "pod-sidecars.yaml": // adds volumes and a sidecar of its own, not the platform's
			continue
		}
		cfg, err := stacktest.StackFileConfig(f)
		require.NoError(t, err)
		rec, err := stacktest.Run("dev", cfg, platform.Program)
		require.NoError(t, err, f)
		out[filepath.Base(f)] = rec
	}
	return out
}

// podTemplates are every pod template of a record, CronJobs' included, by object name.
func podTemplates(t *testing.T, rec *stacktest.Record) map[string]corev1.PodSpec {
	out := map[string]corev1.PodSpec{}
	for _, r := range append(stacktest.Workloads(rec), rec.OfType(stacktest.CronJobType)...) {
		out[r.ObjectName()] = stacktest.DecodeWorkload(t, r).Spec.Spec
	}
	return out
}

func TestThePlatformsVolumesPathsContainersPortsClaimsAndSecretsAreAllListedInConfig(t *testing.T) {
	for stack, rec := range renderedStacks(t) {
		for name, spec := range podTemplates(t, rec) {
			for _, v := range spec.Volumes {
				assert.Contains(t, config.PlatformVolumes, v.Name, "%s: %s's volume", stack, name)
				if v.PersistentVolumeClaim != nil {
					assert.Contains(t, config.PlatformClaims, v.PersistentVolumeClaim.ClaimName, "%s: %s's claim", stack, name)
				}
			}
			for _, c := range append(slices.Clone(spec.InitContainers), spec.Containers...) {
				assert.Contains(t, config.PlatformContainers, c.Name, "%s: %s's container", stack, name)
				for _, p := range c.Ports {
					assert.Contains(t, config.PlatformPorts, p.Name, "%s: %s/%s's port", stack, name, c.Name)
				}
				for _, m := range c.VolumeMounts {
					assert.Contains(t, config.PlatformVolumes, m.Name, "%s: %s/%s mounts a volume", stack, name, c.Name)
					assert.True(t, slices.ContainsFunc(config.PlatformMountPaths, func(p string) bool {
						return m.MountPath == p || strings.HasPrefix(m.MountPath, p+"/")
					}), "%s: %s/%s mounts %s, which config.PlatformMountPaths does not cover", stack, name, c.Name, m.MountPath)
				}
			}
		}
		for _, r := range rec.OfType(stacktest.StatefulSetType) {
			var s appsv1.StatefulSet
			require.NoError(t, r.Decode(&s))
			for _, c := range s.Spec.VolumeClaimTemplates {
				assert.Contains(t, config.PlatformClaimTemplates, c.Name, "%s: %s's claim template", stack, r.ObjectName())
			}
		}
		for _, r := range rec.OfType(persistentVolumeClaimType) {
			assert.Contains(t, config.PlatformClaims, r.ObjectName(), "%s: a claim", stack)
		}
		for _, r := range rec.OfType(stacktest.SecretType) {
			assert.Contains(t, config.PlatformSecrets, r.ObjectName(), "%s: a Secret", stack)
		}
		for name, obj := range stacktest.CustomResources(t, rec, "ExternalSecret") {
			target, _ := obj["spec"].(map[string]any)["target"].(map[string]any)
			assert.Contains(t, config.PlatformSecrets, target["name"], "%s: ExternalSecret %s's target", stack, name)
		}
	}
}

// sidecarsExample is the configuration of examples/pod-sidecars.yaml.
func sidecarsExample(t *testing.T) map[string]string {
	t.Helper()
	cfg, err := stacktest.StackFileConfig(filepath.Join(stacktest.RepoRoot(), "examples", "pod-sidecars.yaml"))
	require.NoError(t, err)
	return cfg
}

// apiPod is the API Deployment's pod spec.
func apiPod(t *testing.T, rec *stacktest.Record) corev1.PodSpec {
	t.Helper()
	api, ok := rec.Object(stacktest.DeploymentType, "api")
	require.True(t, ok)
	return stacktest.DecodeWorkload(t, api).Spec.Spec
}

func TestPodVolumesMountInTheMainContainerOnlyAndSidecarsRunFirstWithTheRestrictedContext(t *testing.T) {
	rec, err := stacktest.Run("dev", sidecarsExample(t), platform.Program)
	require.NoError(t, err)
	spec := apiPod(t, rec)
	names := func(vs []corev1.Volume) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.Name)
		}
		return out
	}
	assert.Subset(t, names(spec.Volumes), []string{"rag-extra", "shipper-config", "shipper-state"})
	assert.Equal(t, "tmp", spec.Volumes[0].Name, "the platform's volumes come first")
	main := spec.Containers[0]
	require.Equal(t, "api", main.Name)
	assert.Contains(t, main.VolumeMounts, corev1.VolumeMount{Name: "rag-extra", MountPath: "/etc/rag/extra", ReadOnly: true})
	require.NotEmpty(t, spec.InitContainers)
	sidecar := spec.InitContainers[0]
	assert.Equal(t, "log-shipper", sidecar.Name, "the sidecar starts before the platform's init containers")
	require.NotNil(t, sidecar.RestartPolicy)
	assert.Equal(t, corev1.ContainerRestartPolicyAlways, *sidecar.RestartPolicy, "a native sidecar")
	assert.Equal(t, asJSON(t, main.SecurityContext), asJSON(t, sidecar.SecurityContext), "the sidecar runs with the platform's restricted context")
	assert.Equal(t, corev1.PullAlways, sidecar.ImagePullPolicy, "a tag is pulled on every start, as the platform's images are")
	for _, c := range append(slices.Clone(spec.InitContainers), spec.Containers[1:]...) {
		for _, m := range c.VolumeMounts {
			assert.NotEqual(t, "rag-extra", m.Name, "%s does not mount the main container's extra volume", c.Name)
		}
	}
	if len(spec.InitContainers) > 1 {
		assert.NotEqual(t, corev1.ContainerRestartPolicyAlways, ptrValue(spec.InitContainers[1].RestartPolicy), "the platform's init containers still run to completion")
	}
	// Every platform container's context is the same restricted one, so the sidecar's equals all of them.
	for _, r := range stacktest.Workloads(rec) {
		for _, c := range stacktest.DecodeWorkload(t, r).Spec.Spec.Containers {
			assert.Equal(t, asJSON(t, sidecar.SecurityContext), asJSON(t, c.SecurityContext), "%s/%s", r.ObjectName(), c.Name)
		}
	}
}

func TestAnExporterPodMountsExtraVolumesOnlyInItsMainContainer(t *testing.T) {
	rec := stacktest.RunStackWithFields(t, platform.Program, "dev", map[string]map[string]any{"workloads": {
		"postgres": map[string]any{"pod": map[string]any{
			"volumes":      []any{map[string]any{"name": "extra-conf", "configMap": map[string]any{"name": "pg-extra"}}},
			"volumeMounts": []any{map[string]any{"name": "extra-conf", "mountPath": "/etc/postgresql/extra", "readOnly": true}},
		}},
	}})
	pg, ok := rec.Object(stacktest.StatefulSetType, "postgres")
	require.True(t, ok)
	spec := stacktest.DecodeWorkload(t, pg).Spec.Spec
	require.GreaterOrEqual(t, len(spec.Containers), 2)
	assert.Contains(t, spec.Containers[0].VolumeMounts, corev1.VolumeMount{Name: "extra-conf", MountPath: "/etc/postgresql/extra", ReadOnly: true})
	for _, c := range append(slices.Clone(spec.InitContainers), spec.Containers[1:]...) {
		for _, m := range c.VolumeMounts {
			assert.NotEqual(t, "extra-conf", m.Name, "%s is not the workload's own container", c.Name)
		}
	}
}

func TestTheSidecarsExamplePassesThePackAndItsBrokenTwinsDoNot(t *testing.T) {
	cfg := sidecarsExample(t)
	rec, err := stacktest.Run("dev", cfg, platform.Program)
	require.NoError(t, err)
	assert.Empty(t, checks.Blocking(stacktest.Evaluate(rec, false)), "the example passes the pack")

	api, ok := rec.Object(stacktest.DeploymentType, "api")
	require.True(t, ok)
	// broken evaluates the stack with the API's rendered sidecar changed by breakSidecar.
	broken := func(breakSidecar func(sidecar map[string]any)) []checks.Finding {
		plain := api.Plain()
		spec := plain["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
		breakSidecar(spec["initContainers"].([]any)[0].(map[string]any))
		var resources []checks.Resource
		for _, r := range stacktest.PolicyResources(rec) {
			if r.URN == api.URN {
				r = checks.ResourceFromInputs(api.Type, api.Name, resource.NewPropertyMapFromMap(plain))
				r.URN = api.URN
			}
			resources = append(resources, r)
		}
		return checks.Blocking(checks.Evaluate(resources, checks.Options{}))
	}
	for _, tc := range []struct {
		name, policy string
		breakSidecar func(sidecar map[string]any)
	}{
		{"a privileged sidecar", "pod-security-standards", func(s map[string]any) {
			s["securityContext"].(map[string]any)["privileged"] = true
		}},
		{"a sidecar without a liveness probe", "workload-probes", func(s map[string]any) { delete(s, "livenessProbe") }},
		{"a sidecar without resources", "container-resources", func(s map[string]any) { delete(s, "resources") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			findings := broken(tc.breakSidecar)
			assert.True(t, slices.ContainsFunc(findings, func(f checks.Finding) bool {
				return f.Policy == tc.policy && strings.Contains(f.Message, `"log-shipper"`)
			}), "%s refuses it: %+v", tc.policy, findings)
		})
	}

	t.Run("a sidecar with a literal credential", func(t *testing.T) {
		rec := stacktest.RunStackWithFields(t, platform.Program, "dev", map[string]map[string]any{"workloads": {
			"api": map[string]any{"pod": map[string]any{"sidecars": []any{map[string]any{
				"name": "proxy", "image": "proxy:1.0",
				"env":            []any{map[string]any{"name": "DB_PASSWORD", "value": "hunter2"}},
				"resources":      map[string]any{"requests": map[string]any{"cpu": "10m", "memory": "32Mi"}, "limits": map[string]any{"cpu": "100m", "memory": "64Mi"}},
				"livenessProbe":  map[string]any{"tcpSocket": map[string]any{"port": 5432}},
				"readinessProbe": map[string]any{"tcpSocket": map[string]any{"port": 5432}},
			}}}},
		}})
		findings := checks.Blocking(stacktest.Evaluate(rec, false))
		assert.True(t, slices.ContainsFunc(findings, func(f checks.Finding) bool {
			return f.Policy == "no-literal-credentials" && strings.Contains(f.Message, "DB_PASSWORD")
		}), "no-literal-credentials refuses it: %+v", findings)
	})
}

// asJSON is v as the API server stores it (an empty list and an absent one are the same: omitted), for
// comparing what the SDK renders as [] with what it leaves out.
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// ptrValue is *p, or the zero value for nil.
func ptrValue[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// persistentVolumeClaimType is the type token of a PersistentVolumeClaim.
const persistentVolumeClaimType = "kubernetes:core/v1:PersistentVolumeClaim"
