package stacktest

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

// ConfigMapFile is one file of a ConfigMap the program registers, failing the test when either is missing.
func ConfigMapFile(t *testing.T, rec *Record, name, file string) string {
	t.Helper()
	r, ok := rec.Object(ConfigMapType, name)
	require.True(t, ok, "ConfigMap %s", name)
	var cm corev1.ConfigMap
	require.NoError(t, r.Decode(&cm))
	content, ok := cm.Data[file]
	require.True(t, ok, "ConfigMap %s has %s", name, file)
	return content
}

// CustomResources are the objects of one Prometheus Operator kind (PodMonitor, PrometheusRule), by name.
func CustomResources(t *testing.T, rec *Record, kind string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, r := range rec.OfType(MonitoringCRTypePrefix + kind) {
		var obj map[string]any
		require.NoError(t, r.Decode(&obj))
		out[r.ObjectName()] = obj
	}
	return out
}

// SecretData is a Secret's stringData with each value marked secret when the whole map is.
func SecretData(t *testing.T, r Resource) resource.PropertyMap {
	t.Helper()
	data := r.Inputs["stringData"]
	if !data.IsSecret() {
		require.True(t, data.IsObject(), "%s stringData", r.Name)
		return data.ObjectValue()
	}
	out := resource.PropertyMap{}
	for k, v := range data.SecretValue().Element.ObjectValue() {
		if !v.IsSecret() {
			v = resource.MakeSecret(v)
		}
		out[k] = v
	}
	return out
}

// PlainSecretData is the stringData of the Secret name as plain strings, failing the test when a value is
// not a Pulumi secret.
func PlainSecretData(t *testing.T, rec *Record, name string) map[string]string {
	t.Helper()
	r, ok := rec.Object(SecretType, name)
	require.True(t, ok, "Secret %s exists", name)
	out := map[string]string{}
	for k, v := range SecretData(t, r) {
		require.True(t, v.IsSecret(), "%s/%s is a Pulumi secret", name, k)
		out[string(k)] = v.SecretValue().Element.StringValue()
	}
	return out
}

// ReadsConfigMap reports whether any container of a pod reads the named ConfigMap.
func ReadsConfigMap(pod corev1.PodSpec, name string) bool {
	for _, v := range pod.Volumes {
		if v.ConfigMap != nil && v.ConfigMap.Name == name {
			return true
		}
	}
	for _, c := range append(pod.InitContainers, pod.Containers...) {
		for _, from := range c.EnvFrom {
			if from.ConfigMapRef != nil && from.ConfigMapRef.Name == name {
				return true
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil && e.ValueFrom.ConfigMapKeyRef.Name == name {
				return true
			}
		}
	}
	return false
}
