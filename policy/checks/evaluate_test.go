package checks

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// urnOf finds the URN Evaluate reports for the manifest object with the given name.
func urnOf(rs []engine.Resource, name string) string {
	for _, r := range rs {
		if strings.HasSuffix(r.URN, "/"+name) || strings.HasSuffix(r.URN, "::"+name) {
			return r.URN
		}
	}
	return ""
}

func TestPackConfigSetsLevelsParametersAndExceptions(t *testing.T) {
	rs := []engine.Resource{
		manifest(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: postgres, namespace: rag}
spec: {template: {spec: {containers: [{name: postgres, image: "postgres:16"}]}}}
`),
		manifest(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: redis, namespace: rag}
spec: {template: {spec: {containers: [{name: redis, image: "redis:7.2"}]}}}
`),
		manifest(t, `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: shared, namespace: rag}
spec: {accessModes: [ReadWriteMany], storageClassName: corp-nfs}
`),
	}
	cfg, err := ParsePackConfig([]byte(`{
		"version": 2,
		"policies": {
			"all": "advisory",
			"database-runs-as-statefulset": "mandatory",
			"container-resources": {"enforcementLevel": "disabled"},
			"rwx-storage-class": {"enforcementLevel": "mandatory", "rwxStorageClasses": ["corp-nfs"]}
		},
		"exceptions": {
			"EXC-7": {"reason": "postgres moves to the managed endpoint next sprint",
				"match": [{"policies": ["database-runs-as-statefulset"], "targets": ["` + urnOf(rs, "postgres") + `"]}]}
		}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	fs := Evaluate(rs, cfg.Options(false))

	levels := map[string]engine.Level{}
	for _, f := range fs {
		levels[f.Policy] = f.Level
		if f.Policy == "container-resources" {
			t.Errorf("a disabled policy reported: %v", f)
		}
		if f.Policy == "rwx-storage-class" {
			t.Errorf("the configured storage class list was ignored: %v", f)
		}
	}
	if levels["workload-probes"] != engine.Advisory {
		t.Errorf(`"all": "advisory" should make workload-probes advisory, got %q`, levels["workload-probes"])
	}
	if levels["database-runs-as-statefulset"] != engine.Mandatory {
		t.Errorf("a policy's own level should win over all, got %q", levels["database-runs-as-statefulset"])
	}

	blocking := engine.Blocking(fs)
	var got []string
	for _, f := range blocking {
		got = append(got, f.Policy+" "+f.URN)
	}
	want := []string{"database-runs-as-statefulset " + urnOf(rs, "redis")}
	if !slices.Equal(got, want) {
		t.Errorf("an excepted violation must not block and an un-excepted one must:\nwant %v\ngot  %v", want, got)
	}
	for _, f := range fs {
		if f.URN == urnOf(rs, "postgres") && f.Policy == "database-runs-as-statefulset" &&
			(len(f.Exceptions) != 1 || f.Exceptions[0] != "EXC-7") {
			t.Errorf("the excepted violation should still be reported with its exception, got %v", f)
		}
	}
}

func TestPackConfigAcceptsTheUnversionedForm(t *testing.T) {
	cfg, err := ParsePackConfig([]byte(`{"workload-probes": "disabled", "ingress-tls": {"enforcementLevel": "advisory"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Policies["workload-probes"].Level != engine.Disabled || cfg.Policies["ingress-tls"].Level != engine.Advisory {
		t.Errorf("levels not parsed: %+v", cfg.Policies)
	}
}

func TestPackConfigRejectsWhatTheCLIRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"an unknown level":            `{"version": 2, "policies": {"workload-probes": "strict"}}`,
		"an exception with no reason": `{"version": 2, "exceptions": {"E": {"match": [{"policies": ["workload-probes"], "targets": ["urn:pulumi:s::p::t::n"]}]}}}`,
		"an exception of all":         `{"version": 2, "exceptions": {"E": {"reason": "r", "match": [{"policies": ["all"], "targets": ["urn:pulumi:s::p::t::n"]}]}}}`,
		"an exception without URNs":   `{"version": 2, "exceptions": {"E": {"reason": "r", "match": [{"policies": ["workload-probes"], "targets": ["api"]}]}}}`,
		"version 3":                   `{"version": 3}`,
	} {
		if _, err := ParsePackConfig([]byte(doc)); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestTheExampleExceptionsFileNamesRealPolicies(t *testing.T) {
	data, err := os.ReadFile("../examples/exceptions.json")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParsePackConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Exceptions) == 0 {
		t.Fatal("the example has no exceptions")
	}
	for name := range cfg.Policies {
		if _, ok := Lookup(name); !ok {
			t.Errorf("policies names unknown policy %q", name)
		}
	}
	for _, e := range cfg.Exceptions {
		for _, m := range e.Match {
			for _, p := range m.Policies {
				if _, ok := Lookup(p); !ok {
					t.Errorf("exception %s names unknown policy %q", e.ID, p)
				}
			}
		}
	}
}

func TestParseManifestsReadsRenderedYAML(t *testing.T) {
	rs, err := engine.ParseManifests(strings.NewReader(`
# Source: chart/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: site}
spec: {template: {spec: {containers: [{name: web, image: "nginx:latest"}]}}}
---
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Service, metadata: {name: web, namespace: site}, spec: {selector: {app: nope}}}
- {apiVersion: v1, kind: Secret, metadata: {name: web, namespace: site}, stringData: {password: x}}
`))
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, r := range rs {
		types = append(types, r.Type)
	}
	want := []string{"kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Service", "kubernetes:core/v1:Secret"}
	if !slices.Equal(types, want) {
		t.Fatalf("want %v, got %v", want, types)
	}
	var policies []string
	for _, f := range engine.Blocking(Evaluate(rs, engine.Options{})) {
		policies = append(policies, f.Policy)
	}
	for _, p := range []string{"image-tag-not-latest", "service-selects-pods"} {
		if !slices.Contains(policies, p) {
			t.Errorf("rendered manifests should run the same checks; %s did not fire (got %v)", p, policies)
		}
	}
	if slices.Contains(policies, "secret-data-is-pulumi-secret") {
		t.Errorf("rendered Secrets have no Pulumi secrets to check")
	}
}

func TestDecodeRecordsUnknownAndSecretPaths(t *testing.T) {
	o := engine.Decode(manifest(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {labels: {app.kubernetes.io/name: "<unknown>"}}
spec:
  replicas: "<unknown>"
  template: {spec: {containers: [{name: a, image: "a:1", env: [{name: X, value: "<secret>s"}]}, "<unknown>"]}}
# pulumi name: api
`))
	for path, want := range map[string]bool{
		"spec.replicas": true,
		`metadata.labels["app.kubernetes.io/name"]`: true,
		"spec.template.spec.containers[1]":          true,
		"spec.template.spec.containers[1].image":    true,
		"spec.template.spec.containers[0].image":    false,
		"spec.template":                             false,
	} {
		if got := o.Unknown(path); got != want {
			t.Errorf("Unknown(%s) = %v, want %v", path, got, want)
		}
	}
	if !o.UnknownWithin("spec.template") {
		t.Error("UnknownWithin(spec.template) should see the unknown container")
	}
	if !o.IsSecret("spec.template.spec.containers[0].env[0].value") || o.IsSecret("spec.template.spec.containers[0].env[0].name") {
		t.Error("secret paths are not tracked")
	}
	if o.Name != "api" {
		t.Errorf("an object without metadata.name takes the Pulumi resource name; got %q", o.Name)
	}
	if o.Namespace != "default" {
		t.Errorf("an object without a namespace is in the default namespace; got %q", o.Namespace)
	}
}

func TestEveryPolicyHasItsData(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range All() {
		if seen[p.Name] {
			t.Errorf("duplicate policy name %q", p.Name)
		}
		seen[p.Name] = true
		if p.Description == "" || p.Remediation == "" || p.Why == "" || p.Level == "" {
			t.Errorf("policy %q lacks a description, remediation, why or level", p.Name)
		}
		if (p.Resource == nil && p.Stack == nil) != p.ReportsOthers() {
			t.Errorf("policy %q has no check", p.Name)
		}
		if p.Resource != nil && len(p.Kinds) == 0 {
			t.Errorf("resource policy %q declares no Kinds, so it judges nothing", p.Name)
		}
		for _, prm := range p.Parameters() {
			if prm.Name == "enforcementLevel" {
				t.Errorf("policy %q uses the reserved parameter enforcementLevel", p.Name)
			}
		}
	}
}
