package config

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

// loadDevWithWorkloads loads a valid dev stack with the given workloads key.
func loadDevWithWorkloads(workloads string) (*Config, error) {
	return LoadFrom(MapSource{Values: map[string]string{
		"environment": "dev", "namespace": "rag", "domain": "example.com", "kubernetesVersion": "v1.34",
		"ingress": `{"clusterIssuer": "x"}`, "llm": `{"provider": "ollama"}`,
		"workloads": workloads,
	}})
}

func TestEveryPodOptionIsReadAndDecodedIntoKubernetesTypes(t *testing.T) {
	c, err := loadDevWithWorkloads(`{"celeryWorker": {"pod": {
		"env": {"HF_HUB_OFFLINE": "1"},
		"envFrom": [{"configMap": "worker-extra"}, {"secret": "worker-extra-secrets"}],
		"nodeSelector": {"node.kubernetes.io/pool": "gpu"},
		"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
		"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "gpu", "operator": "In", "values": ["a100"]}]}]}}},
		"topologySpread": [{"maxSkew": 2, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule"}],
		"priorityClassName": "rag-high",
		"imagePullSecrets": ["registry-creds"],
		"annotations": {"example.com/owner": "search"},
		"labels": {"team": "search"},
		"serviceAccountAnnotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/worker"}
	}}}`)
	require.NoError(t, err)
	o, err := c.WorkloadPod("celeryWorker")
	require.NoError(t, err)
	assert.Equal(t, "1", o.Env["HF_HUB_OFFLINE"])
	p, errs := o.Placement()
	require.Empty(t, errs)
	assert.Equal(t, []corev1.Toleration{{Key: "nvidia.com/gpu", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}, p.Tolerations)
	assert.Equal(t, "a100", p.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0].Values[0])
	assert.Equal(t, int32(2), p.TopologySpread[0].MaxSkew)
	none, err := c.WorkloadPod("api")
	require.NoError(t, err)
	assert.True(t, isZero(&none), "a workload without options has none")
}

func TestBadPodOptionsAreRefusedNamingTheirKey(t *testing.T) {
	cases := []struct {
		name, workloads, key, text string
	}{
		{"a credential cannot be smuggled in through env", `{"api": {"pod": {"env": {"POSTGRES_PASSWORD": "hunter2"}}}}`, "workloads.api.pod.env.POSTGRES_PASSWORD", "is set by the platform"},
		{"the Redis password cannot be overridden", `{"celeryWorker": {"pod": {"env": {"REDIS_PASSWORD": "x"}}}}`, "workloads.celeryWorker.pod.env.REDIS_PASSWORD", "cannot be overridden"},
		{"a setting of jd-jones-config cannot be overridden", `{"api": {"pod": {"env": {"POSTGRES_HOST": "evil.example.com"}}}}`, "workloads.api.pod.env.POSTGRES_HOST", "is set by the platform"},
		{"the metrics port cannot be overridden", `{"api": {"pod": {"env": {"METRICS_PORT": "80"}}}}`, "workloads.api.pod.env.METRICS_PORT", "is set by the platform"},
		{"an env name is a C identifier", `{"api": {"pod": {"env": {"1BAD-NAME": "x"}}}}`, "workloads.api.pod.env.1BAD-NAME", "C identifier"},
		{"an envFrom names a ConfigMap or a Secret, not both", `{"api": {"pod": {"envFrom": [{"configMap": "a", "secret": "b"}]}}}`, "workloads.api.pod.envFrom[0]", "exactly one of configMap or secret"},
		{"an envFrom names something", `{"api": {"pod": {"envFrom": [{}]}}}`, "workloads.api.pod.envFrom[0]", "exactly one of configMap or secret"},
		{"an envFrom name is a DNS subdomain", `{"grafana": {"pod": {"envFrom": [{"secret": "Not_A_Name"}]}}}`, "workloads.grafana.pod.envFrom[0]", "DNS-1123 subdomain"},
		{"an envFrom entry has no other fields", `{"api": {"pod": {"envFrom": [{"configMap": "a", "prefix": "X_"}]}}}`, "workloads.api.pod.envFrom[0].prefix", "is not a field of workloads.api.pod.envFrom[0]; the fields are configMap, secret"},
		{"a node selector key is a qualified name", `{"api": {"pod": {"nodeSelector": {"bad key": "x"}}}}`, "workloads.api.pod.nodeSelector", "qualified names"},
		{"a node selector value is a label value", `{"api": {"pod": {"nodeSelector": {"pool": "not valid!"}}}}`, "workloads.api.pod.nodeSelector.pool", "must be a label value"},
		{"a label cannot take over the selector's name", `{"api": {"pod": {"labels": {"app.kubernetes.io/name": "postgres"}}}}`, "workloads.api.pod.labels.app.kubernetes.io/name", "selector labels"},
		{"a label cannot take over the selector's instance", `{"api": {"pod": {"labels": {"app.kubernetes.io/instance": "other"}}}}`, "workloads.api.pod.labels.app.kubernetes.io/instance", "cannot be set"},
		{"a label value is a label value", `{"api": {"pod": {"labels": {"team": "-search-"}}}}`, "workloads.api.pod.labels.team", "must be a label value"},
		{"an annotation key is a qualified name", `{"api": {"pod": {"annotations": {"not/a/key": "x"}}}}`, "workloads.api.pod.annotations", "qualified names"},
		{"an annotation cannot unconfine AppArmor", `{"api": {"pod": {"annotations": {"container.apparmor.security.beta.kubernetes.io/api": "unconfined"}}}}`, "workloads.api.pod.annotations.container.apparmor.security.beta.kubernetes.io/api", "loosens a container's confinement"},
		{"an annotation cannot forge a rollout checksum", `{"api": {"pod": {"annotations": {"checksum/jd-jones-config": "0"}}}}`, "workloads.api.pod.annotations.checksum/jd-jones-config", "written by the platform"},
		{"a ServiceAccount annotation key is a qualified name", `{"api": {"pod": {"serviceAccountAnnotations": {"eks amazonaws": "x"}}}}`, "workloads.api.pod.serviceAccountAnnotations", "qualified names"},
		{"a priority class is a DNS subdomain", `{"api": {"pod": {"priorityClassName": "High Priority"}}}`, "workloads.api.pod.priorityClassName", "must name a PriorityClass"},
		{"an image pull secret is a DNS subdomain", `{"api": {"pod": {"imagePullSecrets": ["ok", "Not OK"]}}}`, "workloads.api.pod.imagePullSecrets[1]", "must name a Secret"},
		{"a misspelt toleration field is refused", `{"celeryWorker": {"pod": {"tolerations": [{"key": "gpu", "operator": "Exists", "effect": "NoExecute", "tolerationSecond": 60}]}}}`, "workloads.celeryWorker.pod.tolerations[0].tolerationSecond", "did you mean tolerationSeconds?"},
		{"a toleration's operator is Equal or Exists", `{"celeryWorker": {"pod": {"tolerations": [{"key": "gpu", "operator": "Matches"}]}}}`, "workloads.celeryWorker.pod.tolerations[0].operator", "must be Equal or Exists"},
		{"a toleration's effect is a taint effect", `{"celeryWorker": {"pod": {"tolerations": [{"key": "gpu", "operator": "Exists", "effect": "Never"}]}}}`, "workloads.celeryWorker.pod.tolerations[0].effect", "must be NoSchedule"},
		{"a toleration field of the wrong type is refused", `{"celeryWorker": {"pod": {"tolerations": [{"tolerationSeconds": "60"}]}}}`, "workloads.celeryWorker.pod.tolerations[0].tolerationSeconds", `= "60": must be an integer`},
		{"an affinity cannot turn on hostNetwork", `{"api": {"pod": {"affinity": {"hostNetwork": true}}}}`, "workloads.api.pod.affinity.hostNetwork", "the fields are nodeAffinity, podAffinity, podAntiAffinity"},
		{"an affinity cannot carry a security context", `{"api": {"pod": {"affinity": {"nodeAffinity": {"securityContext": {"privileged": true}}}}}}`, "workloads.api.pod.affinity.nodeAffinity.securityContext", "is not a field of workloads.api.pod.affinity.nodeAffinity"},
		{"an affinity field is spelt as the API spells it", `{"api": {"pod": {"affinity": {"NodeAffinity": {}}}}}`, "workloads.api.pod.affinity.NodeAffinity", "did you mean nodeAffinity?"},
		{"a spread constraint has no unknown fields", `{"api": {"pod": {"topologySpread": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "hostPID": true}]}}}`, "workloads.api.pod.topologySpread[0].hostPID", "is not a field of workloads.api.pod.topologySpread[0]"},
		{"a spread constraint's skew is at least one", `{"api": {"pod": {"topologySpread": [{"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}]}}}`, "workloads.api.pod.topologySpread[0].maxSkew", "must be at least 1"},
		{"a spread constraint says what to do when unsatisfiable", `{"api": {"pod": {"topologySpread": [{"maxSkew": 1, "topologyKey": "zone"}]}}}`, "workloads.api.pod.topologySpread[0].whenUnsatisfiable", "must be DoNotSchedule or ScheduleAnyway"},
		{"a sidecar's size takes no pod options", `{"postgresExporter": {"pod": {"nodeSelector": {"pool": "db"}}}}`, "workloads.postgresExporter.pod", "set workloads.postgres.pod instead"},
		{"an unknown pod option is refused", `{"api": {"pod": {"hostNetwork": true}}}`, "workloads.api.pod.hostNetwork", "is not a field of workloads.api.pod"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadDevWithWorkloads(tc.workloads)
			var verr ValidationError
			require.True(t, errors.As(err, &verr), "%v", err)
			require.Contains(t, verr.Keys(), tc.key, "%v", err)
			assert.Contains(t, err.Error(), tc.text)
		})
	}
}

func TestAnEmptyPodOptionsObjectIsValidAndSetsNothing(t *testing.T) {
	c, err := loadDevWithWorkloads(`{"api": {"pod": {}}, "postgresExporter": {"pod": {}}}`)
	require.NoError(t, err)
	assert.True(t, isZero(&c.Workloads.API.Pod))
}
