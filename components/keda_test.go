package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/platform"
	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// kedaWorkers is workloads.celeryWorker.autoscaling.mode keda on two queues.
var kedaWorkers = map[string]string{"workloads": `{"celeryWorker": {"minReplicas": 2, "maxReplicas": 6,
	"autoscaling": {"mode": "keda", "keda": {"queues": ["celery", "embeddings"], "listLength": 10}}}}`}

func TestKEDAModeScalesTheWorkersOnTheirQueuesInsteadOfAnHPA(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		t.Run(stack, func(t *testing.T) {
			rec := runStack(t, stack, kedaWorkers)
			_, ok := rec.Object(stacktest.HPAType, "celery-worker")
			assert.False(t, ok, "the ScaledObject's own HPA replaces the stack's")
			_, ok = rec.Object(stacktest.HPAType, "api")
			assert.True(t, ok, "the API keeps its HPA")
			_, ok = rec.Object(stacktest.PDBType, "celery-worker")
			assert.True(t, ok, "the workers keep their disruption budget")
			d, ok := rec.Object(stacktest.DeploymentType, "celery-worker")
			require.True(t, ok)
			var dep appsv1.Deployment
			require.NoError(t, d.Decode(&dep))
			assert.Nil(t, dep.Spec.Replicas, "the ScaledObject owns the size")

			scaled := kedaResources(t, rec, "ScaledObject")
			require.Len(t, scaled, 1)
			so := scaled["celery-worker"]
			require.NotNil(t, so)
			assert.Equal(t, "keda.sh/v1alpha1", so["apiVersion"])
			spec := so["spec"].(map[string]any)
			assert.Equal(t, map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": "celery-worker"}, spec["scaleTargetRef"])
			assert.EqualValues(t, 2, spec["minReplicaCount"])
			assert.EqualValues(t, 6, spec["maxReplicaCount"])
			triggers := spec["triggers"].([]any)
			require.Len(t, triggers, 2)
			address, tls := "redis.jd-jones-rag-dev.svc:6379", any(nil)
			if stack == "prod" {
				address, tls = "master.jd-jones-rag.abc123.euw1.cache.amazonaws.com:6379", "true"
			}
			for i, queue := range []string{"celery", "embeddings"} {
				trigger := triggers[i].(map[string]any)
				assert.Equal(t, "redis", trigger["type"])
				assert.Equal(t, map[string]any{"name": "celery-worker"}, trigger["authenticationRef"])
				metadata := trigger["metadata"].(map[string]any)
				assert.Equal(t, queue, metadata["listName"])
				assert.Equal(t, "10", metadata["listLength"])
				assert.Equal(t, address, metadata["address"])
				assert.Equal(t, tls, metadata["enableTLS"], "TLS exactly when Redis is managed")
				assert.NotContains(t, metadata, "password", "the password comes through the TriggerAuthentication")
			}

			auths := kedaResources(t, rec, "TriggerAuthentication")
			require.Len(t, auths, 1)
			password := map[string]any{"parameter": "password", "name": "jd-jones-secrets", "key": "redis-password"}
			if stack == "prod" {
				password = map[string]any{"parameter": "password", "name": "jd-jones-managed-data", "key": "redis-password"}
			}
			assert.Equal(t, map[string]any{"secretTargetRef": []any{password}}, auths["celery-worker"]["spec"])

			for _, f := range checks.Blocking(stacktest.Evaluate(rec, stack == "prod")) {
				t.Errorf("mandatory violation: %s", f)
			}
		})
	}
}

func TestKEDAOperatorIsAdmittedToRedisPortOnly(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		t.Run(stack, func(t *testing.T) {
			rec := runStack(t, stack, kedaWorkers)
			var admitted []networkingv1.NetworkPolicyIngressRule
			for _, r := range rec.OfType(stacktest.NetworkPolicyType) {
				var np networkingv1.NetworkPolicy
				require.NoError(t, r.Decode(&np))
				for _, rule := range np.Spec.Ingress {
					for _, from := range rule.From {
						if from.NamespaceSelector != nil && from.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] == "keda" {
							assert.Equal(t, "allow-to-redis", np.Name)
							assert.Equal(t, map[string]string{"app.kubernetes.io/name": "keda-operator"}, from.PodSelector.MatchLabels)
							admitted = append(admitted, rule)
						}
					}
				}
			}
			if stack == "prod" {
				assert.Empty(t, admitted, "an external Redis needs no in-namespace allow")
				return
			}
			require.Len(t, admitted, 1)
			require.Len(t, admitted[0].Ports, 1)
			assert.Equal(t, int32(6379), admitted[0].Ports[0].Port.IntVal)
		})
	}
}

func TestKEDAModeTakesItsTLSBundleFromWhereRedisKeepsIt(t *testing.T) {
	rec := runStack(t, "prod", map[string]string{
		"workloads": `{"celeryWorker": {"autoscaling": {"mode": "keda"}}}`,
		"redis": `{"mode": "external", "host": "redis.example.com", "port": 6380, "passwordSecret": {"name": "managed", "key": "pw"},
			"cidrs": ["10.0.0.0/24"], "tls": {"enabled": true, "ca": {"secret": "redis-ca"}}}`,
	})
	auth := kedaResources(t, rec, "TriggerAuthentication")["celery-worker"]["spec"]
	assert.Equal(t, map[string]any{"secretTargetRef": []any{
		map[string]any{"parameter": "password", "name": "managed", "key": "pw"},
		map[string]any{"parameter": "ca", "name": "redis-ca", "key": "ca.crt"},
	}}, auth)
	trigger := kedaResources(t, rec, "ScaledObject")["celery-worker"]["spec"].(map[string]any)["triggers"].([]any)[0]
	assert.Equal(t, "redis.example.com:6380", trigger.(map[string]any)["metadata"].(map[string]any)["address"])
}

func TestKEDAModeIsValidated(t *testing.T) {
	for _, tc := range []struct{ name, workloads, want string }{
		{"an unknown mode", `{"celeryWorker": {"autoscaling": {"mode": "KEDA"}}}`,
			`config jd-jones-rag-infra:workloads.celeryWorker.autoscaling.mode = "KEDA": must be one of hpa, keda`},
		{"keda for the API", `{"api": {"autoscaling": {"mode": "keda"}}}`,
			`config jd-jones-rag-infra:workloads.api.autoscaling.mode = "keda": must be hpa: only celeryWorker scales on a queue's length (workloads.celeryWorker)`},
		{"no queue", `{"celeryWorker": {"autoscaling": {"mode": "keda", "keda": {"queues": []}}}}`,
			`config jd-jones-rag-infra:workloads.celeryWorker.autoscaling.keda.queues = []: must name at least one Celery queue (celery is Celery's default) in keda mode`},
		{"a queue that is a glob", `{"celeryWorker": {"autoscaling": {"mode": "keda", "keda": {"queues": ["cel*"]}}}}`,
			`config jd-jones-rag-infra:workloads.celeryWorker.autoscaling.keda.queues[0] = "cel*": must be a Celery queue name: letters, digits, _ . : - (at most 200)`},
		{"no waiting task", `{"celeryWorker": {"autoscaling": {"mode": "keda", "keda": {"listLength": 0}}}}`,
			`config jd-jones-rag-infra:workloads.celeryWorker.autoscaling.keda.listLength = 0: must be at least 1 waiting task per worker pod`},
		{"a bad namespace", `{"celeryWorker": {"autoscaling": {"mode": "keda", "keda": {"operatorNamespace": "KEDA"}}}}`,
			`config jd-jones-rag-infra:workloads.celeryWorker.autoscaling.keda.operatorNamespace = "KEDA": must be a DNS-1123 label`},
		{"a pod label that is no label", `{"celeryWorker": {"autoscaling": {"mode": "keda", "keda": {"operatorPodLabels": {"bad key": "x"}}}}}`,
			`config jd-jones-rag-infra:workloads.celeryWorker.autoscaling.keda.operatorPodLabels = "bad key": keys must be qualified names`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := stacktest.StackConfig("dev")
			require.NoError(t, err)
			cfg[config.Project+":workloads"] = tc.workloads
			_, err = stacktest.Run("dev", cfg, platform.Program)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// kedaResources are the objects of one KEDA kind, by name.
func kedaResources(t *testing.T, rec *stacktest.Record, kind string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, r := range rec.OfType("kubernetes:keda.sh/v1alpha1:" + kind) {
		var obj map[string]any
		require.NoError(t, r.Decode(&obj))
		out[r.ObjectName()] = obj
	}
	return out
}

func TestKEDAOperatorPodLabelsReplaceTheChartsDefault(t *testing.T) {
	rec := runStack(t, "dev", map[string]string{"workloads": `{"celeryWorker": {"autoscaling": {"mode": "keda",
		"keda": {"operatorNamespace": "autoscaling", "operatorPodLabels": {"app": "keda-operator"}}}}}`})
	found := false
	for _, r := range rec.OfType(stacktest.NetworkPolicyType) {
		var np networkingv1.NetworkPolicy
		require.NoError(t, r.Decode(&np))
		for _, rule := range np.Spec.Ingress {
			for _, from := range rule.From {
				if from.NamespaceSelector != nil && from.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] == "autoscaling" {
					found = true
					assert.Equal(t, map[string]string{"app": "keda-operator"}, from.PodSelector.MatchLabels)
				}
			}
		}
	}
	assert.True(t, found, "the operator's namespace is admitted to Redis")
}

func TestKEDAModeReadsACABundleFromAConfigMap(t *testing.T) {
	rec := runStack(t, "prod", map[string]string{
		"workloads": `{"celeryWorker": {"autoscaling": {"mode": "keda"}}}`,
		"redis": `{"mode": "external", "host": "redis.example.com", "port": 6379, "passwordSecret": {"name": "managed", "key": "pw"},
			"cidrs": ["10.0.0.0/24"], "tls": {"enabled": true, "ca": {"configMap": "redis-ca", "key": "bundle.pem"}}}`,
	})
	assert.Equal(t, map[string]any{
		"secretTargetRef":    []any{map[string]any{"parameter": "password", "name": "managed", "key": "pw"}},
		"configMapTargetRef": []any{map[string]any{"parameter": "ca", "name": "redis-ca", "key": "bundle.pem"}},
	}, kedaResources(t, rec, "TriggerAuthentication")["celery-worker"]["spec"])
}
