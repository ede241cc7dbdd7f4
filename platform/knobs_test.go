package platform

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// withPodOptions is the stack's workloads key with pod options (raw JSON) added per workload key.
func withPodOptions(t *testing.T, stack string, pods map[string]string) map[string]string {
	t.Helper()
	cfg, err := stacktest.StackConfig(stack)
	require.NoError(t, err)
	workloads := map[string]map[string]any{}
	if raw, ok := cfg[config.Project+":workloads"]; ok {
		require.NoError(t, json.Unmarshal([]byte(raw), &workloads))
	}
	for key, pod := range pods {
		if workloads[key] == nil {
			workloads[key] = map[string]any{}
		}
		workloads[key]["pod"] = json.RawMessage(pod)
	}
	raw, err := json.Marshal(workloads)
	require.NoError(t, err)
	return map[string]string{"workloads": string(raw)}
}

// everyWorkloadKey lists the keys under workloads.
func everyWorkloadKey() []string {
	var keys []string
	t := reflect.TypeOf(config.Workloads{})
	for i := range t.NumField() {
		keys = append(keys, strings.Split(t.Field(i).Tag.Get("json"), ",")[0])
	}
	return keys
}

func TestAnExplicitEmptyPodChangesNoRenderedObject(t *testing.T) {
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			pods := map[string]string{}
			for _, key := range everyWorkloadKey() {
				pods[key] = `{}`
			}
			rendered := func(overrides map[string]string) map[string]any {
				out := map[string]any{}
				for _, r := range runStack(t, stack, overrides).Resources {
					out[r.URN] = r.Plain()
				}
				return out
			}
			// Two runs without options tell which values are random (generated passwords and what
			// derives from them); everything else must be identical with the empty options.
			plain, again := rendered(withPodOptions(t, stack, nil)), rendered(withPodOptions(t, stack, nil))
			empty := rendered(withPodOptions(t, stack, pods))
			assert.Equal(t, maskRandom(plain, plain, again), maskRandom(empty, plain, again))
			assert.NotEqual(t, maskRandom(plain, plain, again), maskRandom(rendered(withPodOptions(t, stack, map[string]string{"api": `{"labels": {"team": "search"}}`})), plain, again),
				"the comparison sees a change")
		})
	}
}

// maskRandom is v with every leaf at which the runs a and b differ replaced by a marker.
func maskRandom(v, a, b any) any {
	switch v := v.(type) {
	case map[string]any:
		am, _ := a.(map[string]any)
		bm, _ := b.(map[string]any)
		out := map[string]any{}
		for k, x := range v {
			out[k] = maskRandom(x, am[k], bm[k])
		}
		return out
	case []any:
		as, _ := a.([]any)
		bs, _ := b.([]any)
		out := make([]any, len(v))
		for i, x := range v {
			var ai, bi any
			if i < len(as) {
				ai = as[i]
			}
			if i < len(bs) {
				bi = bs[i]
			}
			out[i] = maskRandom(x, ai, bi)
		}
		return out
	}
	if !reflect.DeepEqual(a, b) {
		return "<random>"
	}
	return v
}

// everyKnob sets every pod option; the GPU pool's taint and label, and a topology spread override.
const everyKnob = `{
	"env": {"HF_HUB_OFFLINE": "1"},
	"envFrom": [{"configMap": "extra-settings"}, {"secret": "extra-secrets"}],
	"nodeSelector": {"node.example.com/pool": "gpu"},
	"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}, {"key": "spot", "operator": "Equal", "value": "true", "effect": "NoExecute", "tolerationSeconds": 60}],
	"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "gpu", "operator": "In", "values": ["a100"]}]}]}}},
	"topologySpread": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule"}],
	"priorityClassName": "rag-high",
	"imagePullSecrets": ["registry-creds"],
	"annotations": {"example.com/owner": "search"},
	"labels": {"team": "search"},
	"serviceAccountAnnotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/rag"}
}`

func TestEveryKnobReachesEveryKindOfWorkload(t *testing.T) {
	// prod runs each kind: the API as a Deployment, ChromaDB as a StatefulSet, the migration as a Job and
	// the snapshots as a CronJob.
	pods := map[string]string{"api": everyKnob, "chroma": everyKnob, "migration": everyKnob, "volumeSnapshots": everyKnob}
	rec := runStack(t, "prod", withPodOptions(t, "prod", pods))
	for _, w := range []struct{ typ, name, account string }{
		{stacktest.DeploymentType, "api", "api"},
		{stacktest.StatefulSetType, "chromadb", "chromadb"},
		{stacktest.JobType, "", "db-migrate"},
		{stacktest.CronJobType, "volume-snapshots", "volume-snapshots"},
	} {
		var r stacktest.Resource
		for _, candidate := range rec.OfType(w.typ) {
			if w.name == "" || candidate.ObjectName() == w.name {
				r = candidate
			}
		}
		require.NotEmpty(t, r.URN, "%s %s", w.typ, w.name)
		tmpl := stacktest.DecodeWorkload(t, r).Spec
		spec, id := tmpl.Spec, w.typ+" "+w.account
		assert.Equal(t, map[string]string{"node.example.com/pool": "gpu"}, spec.NodeSelector, id)
		require.Len(t, spec.Tolerations, 2, id)
		assert.Equal(t, corev1.Toleration{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}, spec.Tolerations[0], id)
		require.NotNil(t, spec.Tolerations[1].TolerationSeconds, id)
		assert.Equal(t, int64(60), *spec.Tolerations[1].TolerationSeconds, id)
		require.NotNil(t, spec.Affinity, id)
		assert.Equal(t, []string{"a100"}, spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0].Values, id)
		require.Len(t, spec.TopologySpreadConstraints, 1, "%s: the override replaces the default spread", id)
		spread := spec.TopologySpreadConstraints[0]
		assert.Equal(t, corev1.DoNotSchedule, spread.WhenUnsatisfiable, id)
		assert.Equal(t, tmpl.Labels["app.kubernetes.io/name"], spread.LabelSelector.MatchLabels["app.kubernetes.io/name"], "%s: a spread without a selector counts the workload's pods", id)
		assert.Equal(t, "rag-high", spec.PriorityClassName, id)
		assert.Equal(t, []corev1.LocalObjectReference{{Name: "registry-creds"}}, spec.ImagePullSecrets, id)
		assert.Equal(t, "search", tmpl.Annotations["example.com/owner"], id)
		assert.Equal(t, "search", tmpl.Labels["team"], id)
		assert.NotEqual(t, "search", tmpl.Labels["app.kubernetes.io/name"], id)
		assert.Equal(t, w.account, spec.ServiceAccountName, id)
		for _, c := range append(spec.InitContainers, spec.Containers...) {
			assert.Equal(t, corev1.EnvVar{Name: "HF_HUB_OFFLINE", Value: "1"}, c.Env[0], "%s/%s", id, c.Name)
			require.GreaterOrEqual(t, len(c.EnvFrom), 2, "%s/%s", id, c.Name)
			assert.Equal(t, "extra-settings", c.EnvFrom[0].ConfigMapRef.Name, "%s/%s", id, c.Name)
			assert.Equal(t, "extra-secrets", c.EnvFrom[1].SecretRef.Name, "%s/%s", id, c.Name)
			if len(c.EnvFrom) > 2 {
				assert.Equal(t, "jd-jones-config", c.EnvFrom[len(c.EnvFrom)-1].ConfigMapRef.Name, "%s/%s: the platform's settings come last, so they win", id, c.Name)
			}
		}
	}
	// The API, ChromaDB and the migration (db-migrate) get ServiceAccounts of their own, without a token; the snapshot
	// job's existing ServiceAccount (it needs its token) carries the annotations.
	accounts := map[string]corev1.ServiceAccount{}
	for _, r := range rec.OfType(stacktest.ServiceAccountType) {
		var sa corev1.ServiceAccount
		require.NoError(t, r.Decode(&sa))
		accounts[sa.Name] = sa
	}
	for _, name := range []string{"api", "chromadb", "db-migrate", "volume-snapshots"} {
		sa, ok := accounts[name]
		if assert.True(t, ok, "ServiceAccount %s", name) {
			assert.Equal(t, "arn:aws:iam::123456789012:role/rag", sa.Annotations["eks.amazonaws.com/role-arn"], name)
			if name != "volume-snapshots" {
				require.NotNil(t, sa.AutomountServiceAccountToken, name)
				assert.False(t, *sa.AutomountServiceAccountToken, name)
			}
		}
	}
	api, _ := rec.Object(stacktest.DeploymentType, "api")
	assert.False(t, *stacktest.DecodeWorkload(t, api).Spec.Spec.AutomountServiceAccountToken, "the API's pod mounts no API token")
	assert.Contains(t, strings.Join(api.Dependencies, " "), "api-serviceaccount", "the Deployment waits for its ServiceAccount")
}

func TestWithoutServiceAccountAnnotationsNoServiceAccountIsAdded(t *testing.T) {
	rec := runStack(t, "prod", withPodOptions(t, "prod", map[string]string{"api": `{"nodeSelector": {"pool": "general"}}`}))
	for _, r := range rec.OfType(stacktest.ServiceAccountType) {
		assert.Equal(t, "volume-snapshots", r.ObjectName(), "the snapshot job's is the only ServiceAccount")
	}
	api, _ := rec.Object(stacktest.DeploymentType, "api")
	assert.Empty(t, stacktest.DecodeWorkload(t, api).Spec.Spec.ServiceAccountName, "the default ServiceAccount, without a token")
}

// evaluateWith is evaluateStack with config overrides: the pack's verdict on what the program registers.
func evaluateWith(t *testing.T, stack string, overrides map[string]string) []checks.Finding {
	t.Helper()
	return stacktest.Evaluate(runStack(t, stack, overrides), stack == "prod")
}

func TestARealisticProdWithKnobsPassesThePolicyPack(t *testing.T) {
	// IRSA for the API and the workers, the workers on the GPU pool, a priority class and a private registry.
	irsa := func(role string) string {
		return `"serviceAccountAnnotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/` + role + `"}`
	}
	pods := map[string]string{
		"api": `{` + irsa("rag-api") + `, "priorityClassName": "rag-high", "imagePullSecrets": ["ghcr-creds"]}`,
		"celeryWorker": `{` + irsa("rag-worker") + `, "priorityClassName": "rag-high", "imagePullSecrets": ["ghcr-creds"],
			"nodeSelector": {"karpenter.k8s.aws/instance-gpu-manufacturer": "nvidia"},
			"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]}`,
	}
	findings := evaluateWith(t, "prod", withPodOptions(t, "prod", pods))
	for _, f := range checks.Blocking(findings) {
		t.Errorf("mandatory violation: %s", f)
	}
	for _, f := range findings {
		assert.NotEqual(t, "service-account-token-unused", f.Policy, "%s", f)
	}
}

func TestNoKnobWeakensAWorkloadInThePacksEyes(t *testing.T) {
	// Every knob on every workload that takes them: the pack (restricted security context, no literal
	// credentials, no duplicate env, unused tokens, ...) finds nothing it did not find without them.
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			pods := map[string]string{}
			for _, key := range everyWorkloadKey() {
				if key != "postgresExporter" && key != "redisExporter" {
					pods[key] = everyKnob
				}
			}
			before := map[string]bool{}
			for _, f := range evaluateWith(t, stack, nil) {
				before[f.String()] = true
			}
			for _, f := range evaluateWith(t, stack, withPodOptions(t, stack, pods)) {
				assert.True(t, before[f.String()], "a finding only with every knob set: %s", f)
			}
		})
	}
}

func TestEveryVariableThePlatformSetsIsReservedFromTheKnobs(t *testing.T) {
	for _, stack := range stacks {
		rec := runStack(t, stack, nil)
		for _, r := range append(stacktest.Workloads(rec), rec.OfType(stacktest.CronJobType)...) {
			spec := stacktest.DecodeWorkload(t, r).Spec.Spec
			for _, c := range append(spec.InitContainers, spec.Containers...) {
				for _, e := range c.Env {
					assert.Contains(t, config.PlatformEnv, e.Name, "%s %s/%s", stack, r.Name, c.Name)
				}
			}
		}
		settings, ok := rec.Object(stacktest.ConfigMapType, "jd-jones-config")
		require.True(t, ok)
		var cm corev1.ConfigMap
		require.NoError(t, settings.Decode(&cm))
		for name := range cm.Data {
			assert.Contains(t, config.PlatformEnv, name, "%s jd-jones-config", stack)
		}
	}
}
