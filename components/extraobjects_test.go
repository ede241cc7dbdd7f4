package components_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/components"
	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/platform"
	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// extraObjectsJSON is extraObjects set to objects, as the CLI passes the key.
func extraObjectsJSON(t *testing.T, objects ...string) map[string]string {
	t.Helper()
	var list []any
	for _, o := range objects {
		var obj any
		require.NoError(t, json.Unmarshal([]byte(o), &obj), o)
		list = append(list, obj)
	}
	b, err := json.Marshal(list)
	require.NoError(t, err)
	return map[string]string{"extraObjects": string(b)}
}

// runDevWith runs the dev stack with extraObjects set to objects and returns the record and the error.
func runDevWith(t *testing.T, objects ...string) (*stacktest.Record, error) {
	t.Helper()
	cfg, err := stacktest.StackConfig("dev")
	require.NoError(t, err)
	for k, v := range extraObjectsJSON(t, objects...) {
		cfg[config.Project+":"+k] = v
	}
	return stacktest.Run("dev", cfg, platform.Program)
}

func TestExtraObjectsAreRegisteredAsTheirTypedResourcesInTheStacksNamespace(t *testing.T) {
	rec := runStack(t, "dev", extraObjectsJSON(t,
		`{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "partner-endpoints", "labels": {"team": "integrations", "app.kubernetes.io/part-of": "integrations"}}, "data": {"PARTNER_TIMEOUT_SECONDS": "20"}}`,
		`{"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "container-defaults", "namespace": "jd-jones-rag-dev"}, "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}}]}}`,
		`{"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor", "metadata": {"name": "partner-exporter"}, "spec": {"podMetricsEndpoints": [{"port": "metrics", "interval": "30s"}]}}`,
	))
	components := rec.OfType("jdjones:rag:ExtraObjects")
	require.Len(t, components, 1, "one ExtraObjects component")
	assert.Equal(t, "jd-jones-rag-extra-objects", components[0].Name)
	assert.Contains(t, components[0].URN, "jdjones:rag:Platform$jdjones:rag:ExtraObjects::", "a child of the Platform")

	cm, ok := rec.Object(stacktest.ConfigMapType, "partner-endpoints")
	require.True(t, ok, "the ConfigMap is a kubernetes:core/v1:ConfigMap")
	assert.Equal(t, "jd-jones-rag-extra-objects-configmap-partner-endpoints", cm.Name)
	assert.Contains(t, cm.URN, "jdjones:rag:ExtraObjects$kubernetes:core/v1:ConfigMap::", "a child of the component")
	var c corev1.ConfigMap
	require.NoError(t, cm.Decode(&c))
	assert.Equal(t, "jd-jones-rag-dev", c.Namespace, "placed in the stack's namespace")
	assert.Equal(t, map[string]string{"PARTNER_TIMEOUT_SECONDS": "20"}, c.Data, "the data as written")
	assert.Equal(t, map[string]string{
		"team": "integrations", "app.kubernetes.io/part-of": "integrations",
		"app.kubernetes.io/instance": "jd-jones-rag-dev", "app.kubernetes.io/managed-by": "pulumi",
	}, c.Labels, "the platform's labels added where the manifest sets none, the manifest's kept")

	lr, ok := rec.Object("kubernetes:core/v1:LimitRange", "container-defaults")
	require.True(t, ok)
	assert.Equal(t, "jd-jones-rag-extra-objects-limitrange-container-defaults", lr.Name)
	var l corev1.LimitRange
	require.NoError(t, lr.Decode(&l))
	assert.Equal(t, "500m", l.Spec.Limits[0].Default.Cpu().String())

	pm, ok := rec.Object("kubernetes:monitoring.coreos.com/v1:PodMonitor", "partner-exporter")
	require.True(t, ok, "a custom kind keeps its apiVersion in the type token")
	assert.Equal(t, "jd-jones-rag-extra-objects-podmonitor-partner-exporter", pm.Name)
	assert.Equal(t, map[string]any{"podMetricsEndpoints": []any{map[string]any{"port": "metrics", "interval": "30s"}}}, pm.Plain()["spec"])
}

func TestAStackWithoutExtraObjectsRegistersNoExtraObjectsComponent(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		rec := runStack(t, stack, nil)
		assert.Empty(t, rec.OfType("jdjones:rag:ExtraObjects"), stack)
	}
}

func TestExtraObjectsThatWouldReplaceThePlatformsAreRefusedBeforeAnythingIsRegistered(t *testing.T) {
	const config = "invalid stack configuration:\n  - config jd-jones-rag-infra:"
	for _, tc := range []struct{ name, object, message string }{
		{"the platform's ConfigMap", `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "jd-jones-config"}, "data": {"LOG_LEVEL": "debug"}}`,
			`extraObjects[0] = "ConfigMap/jd-jones-config": is an object the stack already registers (ConfigMap "jd-jones-config" in namespace "jd-jones-rag-dev"): an extra object must not replace one of the platform's; change it through its config key, or give the extra object another name`},
		{"the platform's default-deny NetworkPolicy", `{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "default-deny", "namespace": "jd-jones-rag-dev"}, "spec": {"podSelector": {}}}`,
			`extraObjects[0] = "NetworkPolicy/default-deny": is an object the stack already registers (NetworkPolicy "default-deny" in namespace "jd-jones-rag-dev"): an extra object must not replace one of the platform's; change it through its config key, or give the extra object another name`},
		{"the NetworkPolicy under the extensions alias group", `{"apiVersion": "extensions/v1beta1", "kind": "NetworkPolicy", "metadata": {"name": "default-deny"}, "spec": {"podSelector": {}}}`,
			`extraObjects[0] = "NetworkPolicy/default-deny": is an object the stack already registers (NetworkPolicy "default-deny" in namespace "jd-jones-rag-dev"): an extra object must not replace one of the platform's; change it through its config key, or give the extra object another name`},
		{"the API's Deployment under another version", `{"apiVersion": "apps/v1beta2", "kind": "Deployment", "metadata": {"name": "api"}}`,
			`extraObjects[0] = "Deployment/api": is an object the stack already registers (Deployment "api" in namespace "jd-jones-rag-dev"): an extra object must not replace one of the platform's; change it through its config key, or give the extra object another name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := runDevWith(t, tc.object)
			require.Error(t, err)
			assert.Contains(t, err.Error(), config+tc.message)
			assert.Empty(t, rec.Resources, "nothing registered, not even the provider")
		})
	}
}

func TestTheOwnershipCheckComparesKindsCaseInsensitively(t *testing.T) {
	// Validation already refuses a miscased built-in kind; the check does not depend on it.
	cfg, err := stacktest.StackConfig("dev")
	require.NoError(t, err)
	src := config.MapSource{Values: map[string]string{}}
	for k, v := range cfg {
		src.Values[strings.TrimPrefix(k, config.Project+":")] = v
	}
	src.Values["extraObjects"] = `[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "jd-jones-config"}}]`
	c, err := config.LoadFrom(src)
	require.NoError(t, err)
	c.ExtraObjects[0]["kind"] = "CONFIGMAP"
	err = pulumi.RunErr(func(ctx *pulumi.Context) error {
		return components.CheckExtraObjects(ctx, "jd-jones-rag", c)
	}, pulumi.WithMocks(config.Project, "dev", noResources{t}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `extraObjects[0] = "CONFIGMAP/jd-jones-config": is an object the stack already registers`)
}

// noResources fails a test that registers anything.
type noResources struct{ t *testing.T }

func (m noResources) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.t.Errorf("registered %s %s", args.TypeToken, args.Name)
	return args.Name, args.Inputs, nil
}

func (noResources) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

func TestCompliantTwinsOfThePlatformsObjectsAreAccepted(t *testing.T) {
	rec := runStack(t, "dev", extraObjectsJSON(t,
		`{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "jd-jones-config-extra"}}`,
		`{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "jd-jones-config"}, "automountServiceAccountToken": false}`,
		`{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "default-deny-partner"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}`,
	))
	for _, f := range checks.Blocking(stacktest.Evaluate(rec, false)) {
		t.Errorf("mandatory violation: %s", f)
	}
}

func TestTheExtraObjectsExamplePassesThePack(t *testing.T) {
	cfg, err := stacktest.StackFileConfig(filepath.Join(stacktest.RepoRoot(), "examples", "extra-objects.yaml"))
	require.NoError(t, err)
	rec, err := stacktest.Run("extra-objects", cfg, platform.Program)
	require.NoError(t, err)
	require.Len(t, rec.OfType("jdjones:rag:ExtraObjects"), 1)
	assert.Empty(t, checks.Blocking(stacktest.Evaluate(rec, false)), "0 mandatory findings")
}

func TestBrokenExtraObjectsAreRefusedByThePack(t *testing.T) {
	for _, tc := range []struct{ name, object, policy, message string }{
		{"a Role granting every verb", `{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "partner-sync"}, "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"]}]}`,
			"rbac-least-privilege", `Role "partner-sync"`},
		{"a Deployment with a privileged container", `{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "partner-sync"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "partner-sync"}}, "template": {"metadata": {"labels": {"app": "partner-sync"}}, "spec": {"containers": [{"name": "sync", "image": "registry.example.com/partner-sync:1.2.0", "securityContext": {"privileged": true}}]}}}}`,
			"pod-security-standards", `Deployment "partner-sync"`},
		{"a NetworkPolicy that allows all ingress to the API", `{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "api-open"}, "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "api"}}, "policyTypes": ["Ingress"], "ingress": [{}]}}`,
			"network-policy-coverage", `NetworkPolicy "api-open" selects its pods and its ingress rule 0 allows all traffic`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := runStack(t, "dev", extraObjectsJSON(t, tc.object))
			var found []string
			for _, f := range checks.Blocking(stacktest.Evaluate(rec, false)) {
				if f.Policy == tc.policy && strings.Contains(f.Message, tc.message) {
					found = append(found, f.Message)
				}
			}
			assert.NotEmpty(t, found, "%s refuses it", tc.policy)
		})
	}
}
