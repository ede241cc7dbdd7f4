package stacktest

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	appconfig "github.com/jdjones/jd-jones-rag-infra/config"
)

// RunStack runs program with a stack's committed configuration plus overrides (keys without the project
// prefix, values as the CLI passes them), failing the test on any error.
func RunStack(t *testing.T, program pulumi.RunFunc, stack string, overrides map[string]string) *Record {
	t.Helper()
	cfg, err := StackConfig(stack)
	require.NoError(t, err)
	for k, v := range overrides {
		cfg[appconfig.Project+":"+k] = v
	}
	rec, err := Run(stack, cfg, program)
	require.NoError(t, err)
	return rec
}

// RunStackWithFields is RunStack with one field of an object key at a time replaced: {"postgres": {"host":
// ""}} keeps every other field of postgres.
func RunStackWithFields(t *testing.T, program pulumi.RunFunc, stack string, fields map[string]map[string]any) *Record {
	t.Helper()
	cfg, err := StackConfig(stack)
	require.NoError(t, err)
	for object, values := range fields {
		key := appconfig.Project + ":" + object
		merged := map[string]any{}
		if raw, ok := cfg[key]; ok {
			require.NoError(t, json.Unmarshal([]byte(raw), &merged))
		}
		for k, v := range values {
			merged[k] = v
		}
		b, err := json.Marshal(merged)
		require.NoError(t, err)
		cfg[key] = string(b)
	}
	rec, err := Run(stack, cfg, program)
	require.NoError(t, err)
	return rec
}

// PodTemplate is a workload's kind, replicas and pod template, decoded into the real API types.
type PodTemplate struct {
	Kind     string
	Replicas *int32
	Spec     corev1.PodTemplateSpec
	Strategy appsv1.DeploymentStrategyType
}

// DecodeWorkload decodes a Deployment, StatefulSet, Job or CronJob into its PodTemplate.
func DecodeWorkload(t *testing.T, r Resource) PodTemplate {
	t.Helper()
	switch r.Type {
	case DeploymentType:
		var d appsv1.Deployment
		require.NoError(t, r.Decode(&d))
		return PodTemplate{Kind: "Deployment", Replicas: d.Spec.Replicas, Spec: d.Spec.Template, Strategy: d.Spec.Strategy.Type}
	case StatefulSetType:
		var s appsv1.StatefulSet
		require.NoError(t, r.Decode(&s))
		return PodTemplate{Kind: "StatefulSet", Replicas: s.Spec.Replicas, Spec: s.Spec.Template}
	case JobType:
		var j batchv1.Job
		require.NoError(t, r.Decode(&j))
		return PodTemplate{Kind: "Job", Spec: j.Spec.Template}
	case CronJobType:
		var j batchv1.CronJob
		require.NoError(t, r.Decode(&j))
		return PodTemplate{Kind: "CronJob", Spec: j.Spec.JobTemplate.Spec.Template}
	}
	t.Fatalf("%s is not a workload", r.Type)
	return PodTemplate{}
}

// Workloads are every pod-running object of a record (Deployments, StatefulSets and Jobs).
func Workloads(rec *Record) []Resource {
	var out []Resource
	for _, typ := range []string{DeploymentType, StatefulSetType, JobType} {
		out = append(out, rec.OfType(typ)...)
	}
	return out
}

// Egress is the egress rules of the NetworkPolicy name as rendered.
func Egress(t *testing.T, rec *Record, name string) []networkingv1.NetworkPolicyEgressRule {
	t.Helper()
	res, ok := rec.Object(NetworkPolicyType, name)
	require.True(t, ok, "the NetworkPolicy %s", name)
	var np networkingv1.NetworkPolicy
	require.NoError(t, res.Decode(&np))
	return np.Spec.Egress
}
