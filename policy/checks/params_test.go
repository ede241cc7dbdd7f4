package checks

import (
	"slices"
	"strings"
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

func TestBadParameterValuesAreRefusedNamingPolicyAndKey(t *testing.T) {
	for _, c := range []struct {
		name, policy, key string
		value             string
	}{
		{"a minimum given as a string", "serving-deployment-replicas", "minReplicas", `"two"`},
		{"a negative minimum", "serving-deployment-replicas", "minReplicas", `-1`},
		{"a fractional minimum", "serving-deployment-replicas", "minReplicas", `2.5`},
		{"a production flag given as a string", "database-ha-in-production", "production", `"yes"`},
		{"a regular expression that does not compile", "no-literal-credentials", "namePattern", `"(unclosed"`},
		{"a list item that does not compile", "database-runs-as-statefulset", "imagePatterns", `["postgres", "[bad"]`},
		{"a list given as a string", "rwx-storage-class", "rwxStorageClasses", `"efs-sc"`},
		{"a list with a number in it", "container-resources", "limits", `["cpu", 1]`},
		{"a level that is not a Pod Security level", "namespace-pod-security", "minimumLevel", `"strict"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParsePackConfig([]byte(`{"` + c.policy + `": {"` + c.key + `": ` + c.value + `}}`))
			if err == nil || !strings.Contains(err.Error(), `"`+c.policy+`"`) || !strings.Contains(err.Error(), `"`+c.key+`"`) {
				t.Errorf("want an error naming policy %s and key %s, got %v", c.policy, c.key, err)
			}
		})
	}
}

func TestGoodParameterValuesDecodeOverTheDefaults(t *testing.T) {
	cfg, err := ParsePackConfig([]byte(`{"version": 2, "policies": {
		"serving-deployment-replicas": {"minReplicas": 3},
		"no-literal-credentials": {"namePattern": "^VAULT_"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	params, err := ServingDeploymentReplicas.DecodeParams(cfg.Policies[ServingDeploymentReplicas.Name].Properties)
	if err != nil || params.(*servingReplicasParams).MinReplicas != 3 || params.(*servingReplicasParams).Production {
		t.Errorf("minReplicas 3 over the defaults: got %+v, %v", params, err)
	}
	creds, err := NoLiteralCredentials.DecodeParams(cfg.Policies[NoLiteralCredentials.Name].Properties)
	if err != nil || creds.(*credentialRules).NamePattern.String() != "^VAULT_" ||
		!slices.Equal(creds.(*credentialRules).SecretRefOnly, slices.Concat([]string{"GF_SECURITY_ADMIN_PASSWORD"}, otlpHeaders)) {
		t.Errorf("namePattern over the defaults: got %+v, %v", creds, err)
	}
	if ServingDeploymentReplicas.Params.(*servingReplicasParams).MinReplicas != 2 {
		t.Error("decoding changed the declared defaults")
	}
}

// In the pack, a bad value reaches a policy only if the engine let it through; it must become a
// violation of that policy, never a panic or a silent default.
func TestABadParameterAtRunTimeIsAViolationOfItsPolicy(t *testing.T) {
	rs := []engine.Resource{manifest(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: rag}
spec: {replicas: 1, template: {spec: {containers: [{name: api, image: "api:1", ports: [{containerPort: 80}]}]}}}
`)}
	fs := Evaluate(rs, engine.Options{Production: true, Policies: map[string]engine.PolicyConfig{
		ServingDeploymentReplicas.Name: {Properties: map[string]any{"minReplicas": "two"}},
	}})
	var got []string
	for _, f := range fs {
		if f.Policy == ServingDeploymentReplicas.Name {
			got = append(got, f.Message)
		}
	}
	want := []string{`the policy pack config is invalid: policy "serving-deployment-replicas": parameter "minReplicas": want an integer, got the string "two"; fix the value or remove it to use the default`}
	assertLines(t, "serving-deployment-replicas", want, got)
}

func TestTheSchemaComesFromTheParameterStruct(t *testing.T) {
	serving := ServingDeploymentReplicas.Schema()
	if m := serving["minReplicas"]; m["type"] != "integer" || m["default"] != float64(2) || m["minimum"] != float64(1) {
		t.Errorf("minReplicas: %v", m)
	}
	if p := serving["production"]; p["type"] != "boolean" || p["default"] != false {
		t.Errorf("production: %v", p)
	}
	if n := NoLiteralCredentials.Schema()["namePattern"]; n["format"] != "regex" || n["default"] != defaultCredentialNamePattern {
		t.Errorf("namePattern: %v", n)
	}
	images := DatabaseRunsAsStatefulSet.Schema()["imagePatterns"]
	if items, _ := images["items"].(map[string]any); images["type"] != "array" || items["format"] != "regex" ||
		len(images["default"].([]any)) != len(defaultDatabaseImages) {
		t.Errorf("imagePatterns: %v", images)
	}
	level := NamespacePodSecurity.Schema()["minimumLevel"]
	levels := make([]any, len(podSecurityLevels))
	for i, l := range podSecurityLevels {
		levels[i] = l
	}
	if !slices.Equal(level["enum"].([]any), levels) {
		t.Errorf("minimumLevel's enum must list podSecurityLevels: %v", level)
	}
	if HPATargets.Schema() != nil {
		t.Error("a policy without parameters has no schema")
	}
}
