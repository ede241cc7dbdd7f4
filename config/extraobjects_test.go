package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/internal/objectid"
)

// loadWithExtraObjects loads a valid dev stack in namespace rag with extraObjects set to objects (JSON).
func loadWithExtraObjects(objects string) (*Config, error) {
	return LoadFrom(MapSource{Values: map[string]string{
		"environment": "dev", "namespace": "rag", "domain": "example.com", "kubernetesVersion": "v1.34",
		"ingress": `{"clusterIssuer": "x"}`, "llm": `{"provider": "ollama"}`, "extraObjects": objects,
	}})
}

func TestExtraObjectsAcceptPlainNamespacedManifests(t *testing.T) {
	c, err := loadWithExtraObjects(`[
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "partner"}, "data": {"a": "b"}},
		{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "partner", "namespace": "rag"}, "spec": {}},
		{"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor", "metadata": {"name": "api"}}
	]`)
	require.NoError(t, err)
	require.Len(t, c.ExtraObjects, 3)
	id, kind, name := c.ExtraObject(1)
	assert.Equal(t, objectid.ID{Group: "networking.k8s.io", Kind: "networkpolicy", Namespace: "rag", Name: "partner"}, id)
	assert.Equal(t, "NetworkPolicy", kind)
	assert.Equal(t, "partner", name)
}

func TestExtraObjectsRefuseWhatTheStackCannotOwn(t *testing.T) {
	const prefix = "invalid stack configuration:\n  - config jd-jones-rag-infra:"
	for _, tc := range []struct {
		name, objects, message string
	}{
		{"apiVersion is required", `[{"kind": "ConfigMap", "metadata": {"name": "a"}}]`,
			`extraObjects[0].apiVersion is required: "v1" for the core API or "group/version" such as "apps/v1"`},
		{"a core apiVersion other than v1 is refused", `[{"apiVersion": "v2", "kind": "ConfigMap", "metadata": {"name": "a"}}]`,
			`extraObjects[0].apiVersion = "v2": must be "v1" for the core API or "group/version" such as "apps/v1"`},
		{"kind is required", `[{"apiVersion": "v1", "metadata": {"name": "a"}}]`,
			`extraObjects[0].kind is required: the object's Kind, such as ConfigMap`},
		{"a kind must be a Kind name", `[{"apiVersion": "v1", "kind": "config map", "metadata": {"name": "a"}}]`,
			`extraObjects[0].kind = "config map": must be a Kind name such as ConfigMap: letters and digits, starting with a capital letter`},
		{"a miscased built-in kind is refused", `[{"apiVersion": "v1", "kind": "Configmap", "metadata": {"name": "a"}}]`,
			`extraObjects[0].kind = "Configmap": must be spelled ConfigMap: the API server reads kinds case-sensitively, and the policy pack would not judge it`},
		{"a list is refused", `[{"apiVersion": "v1", "kind": "ConfigMapList", "metadata": {"name": "a"}}]`,
			`extraObjects[0].kind = "ConfigMapList": must be one object's Kind, not a list: give each item an entry of its own`},
		{"metadata.name is required", `[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}]`,
			`extraObjects[0].metadata.name is required: a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')`},
		{"metadata.name must be a DNS-1123 subdomain", `[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Partner_1"}}]`,
			`extraObjects[0].metadata.name = "Partner_1": must be a DNS-1123 subdomain: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`},
		{"generateName is refused", `[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "generateName": "a-"}}]`,
			`extraObjects[0].metadata.generateName = "a-": must not be set: Pulumi needs a fixed name to manage the object; set metadata.name`},
		{"another namespace is refused", `[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "kube-system"}}]`,
			`extraObjects[0].metadata.namespace = "kube-system": must be empty or "rag", the stack's namespace: the stack owns one namespace`},
		{"a cluster-scoped kind is refused", `[{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "a"}}]`,
			`extraObjects[0].kind = "ClusterRole": must be a namespaced kind: the stack owns one namespace, and a cluster-scoped object is shared with every other tenant of the cluster`},
		{"a cluster-scoped add-on kind is refused", `[{"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "a"}}]`,
			`extraObjects[0].kind = "ClusterIssuer": must be a namespaced kind: the stack owns one namespace, and a cluster-scoped object is shared with every other tenant of the cluster`},
		{"a Secret is refused", `[{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a"}, "stringData": {"k": "v"}}]`,
			`extraObjects[0].kind = "Secret": must not be Secret: its data would sit in the stack file in plaintext; use the Secrets the stack generates, an ExternalSecret (externalSecrets) or a Secret created out of band`},
		{"the same object twice is refused, kind compared case-insensitively", `[
			{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"}},
			{"apiVersion": "example.com/v2", "kind": "WIDGET", "metadata": {"name": "a"}}]`,
			`extraObjects[1] = "WIDGET/a": is the same object as extraObjects[0] (same API group, kind and name): list each object once`},
		{"an alias group names the same object", `[
			{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "a"}},
			{"apiVersion": "extensions/v1beta1", "kind": "NetworkPolicy", "metadata": {"name": "a", "namespace": "rag"}}]`,
			`extraObjects[1] = "NetworkPolicy/a": is the same object as extraObjects[0] (same API group, kind and name): list each object once`},
		{"patchForce is refused", `[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "annotations": {"pulumi.com/patchForce": "true"}}}]`,
			`extraObjects[0].metadata.annotations.pulumi.com/patchForce = "true": must not be set: it would take the object's fields over from whichever manager owns them`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadWithExtraObjects(tc.objects)
			require.Error(t, err)
			assert.Equal(t, prefix+tc.message, err.Error())
		})
	}
}

func TestExtraObjectsTwinsWithAnotherKindOrNameAreDistinct(t *testing.T) {
	_, err := loadWithExtraObjects(`[
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}},
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}},
		{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "a"}}
	]`)
	require.NoError(t, err)
}
