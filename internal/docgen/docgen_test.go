package docgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// root is the repository's root, from this package's folder.
const root = "../.."

// TestGeneratedFilesAreCurrent regenerates every generated file in memory and fails on any checked-in
// file that differs: editing a config struct, a doc comment or a policy without `make docs` fails here.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{ReferencePath, SchemaPath, ProjectPath, PolicyReadmePath} {
		want, ok := files[path]
		if !ok {
			t.Errorf("%s was not generated", path)
			continue
		}
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			t.Errorf("%s: %v; run make docs", path, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: it differs from what the code generates (first difference at line %d); run make docs", path, firstDifferentLine(got, want))
		}
	}
}

// firstDifferentLine is the 1-based number of the first line where a and b differ.
func firstDifferentLine(a, b []byte) int {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}

// compiledSchema compiles the checked-in schema with a real JSON Schema (2020-12) validator.
func compiledSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join(root, SchemaPath))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("stack-config.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("stack-config.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// stackFile reads a YAML stack file as the JSON value a validator takes.
func stackFile(t *testing.T, data []byte) any {
	t.Helper()
	raw, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestStackFilesMatchTheSchema validates the stack files and every example against the schema, and
// checks that each names the schema in a modeline, so editors pick it up.
func TestStackFilesMatchTheSchema(t *testing.T) {
	s := compiledSchema(t)
	examples, err := filepath.Glob(filepath.Join(root, "examples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	files := append([]string{filepath.Join(root, "Pulumi.dev.yaml"), filepath.Join(root, "Pulumi.prod.yaml")}, examples...)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			schemaPath, err := filepath.Rel(filepath.Dir(path), filepath.Join(root, SchemaPath))
			if err != nil {
				t.Fatal(err)
			}
			if want := "# yaml-language-server: $schema=" + filepath.ToSlash(schemaPath); !slices.Contains(strings.Split(string(data), "\n"), want) {
				t.Errorf("has no line %q, which editors read to find the schema", want)
			}
			if err := s.Validate(stackFile(t, data)); err != nil {
				t.Errorf("does not match %s: %v", SchemaPath, err)
			}
		})
	}
}

// TestTheSchemaRefusesWhatTheProgramRefuses feeds the schema stack files the program refuses, and
// their corrected twins.
func TestTheSchemaRefusesWhatTheProgramRefuses(t *testing.T) {
	s := compiledSchema(t)
	for _, tc := range []struct {
		name, file string
		valid      bool
	}{
		{"a dev stack passes", "config:\n  jd-jones-rag-infra:environment: dev\n", true},
		{"a misspelt nested key is refused", "config:\n  jd-jones-rag-infra:workloads:\n    api:\n      minReplica: 2\n", false},
		{"the nested key spelt right passes", "config:\n  jd-jones-rag-infra:workloads:\n    api:\n      minReplicas: 2\n", true},
		{"a wrong type is refused", "config:\n  jd-jones-rag-infra:workloads:\n    api:\n      minReplicas: two\n", false},
		{"an integer as a string is refused", "config:\n  jd-jones-rag-infra:postgres:\n    port: \"5432\"\n", false},
		{"a misspelt key of the project is refused", "config:\n  jd-jones-rag-infra:protectdata: true\n", false},
		{"a misspelt pod option is refused", "config:\n  jd-jones-rag-infra:workloads:\n    grafana:\n      pod:\n        nodeSelectors: {disk: ssd}\n", false},
		{"a pod option passes", "config:\n  jd-jones-rag-infra:workloads:\n    grafana:\n      pod:\n        nodeSelector: {disk: ssd}\n        tolerations: [{key: dedicated, operator: Exists}]\n", true},
		{"a misspelt field of a Kubernetes toleration is refused", "config:\n  jd-jones-rag-infra:workloads:\n    grafana:\n      pod:\n        tolerations: [{key: dedicated, operater: Exists}]\n", false},
		{"a misspelt field deep in an affinity is refused", "config:\n  jd-jones-rag-infra:workloads:\n    api:\n      pod:\n        affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpression: []}]}}}\n", false},
		{"an affinity in Kubernetes's shape passes", "config:\n  jd-jones-rag-infra:workloads:\n    api:\n      pod:\n        affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: disk, operator: In, values: [ssd]}]}]}}}\n", true},
		{"an envFrom entry with an unknown field is refused", "config:\n  jd-jones-rag-infra:workloads:\n    api:\n      pod:\n        envFrom: [{configMapName: app}]\n", false},
		{"a value outside an enum is refused", "config:\n  jd-jones-rag-infra:postgres:\n    mode: internal\n", false},
		{"an enum value passes", "config:\n  jd-jones-rag-infra:postgres:\n    mode: external\n", true},
		{"a secret key takes Pulumi's encrypted form", "config:\n  jd-jones-rag-infra:jwtSecret:\n    secure: v1:abc\n", true},
		{"a plain key does not take the encrypted form", "config:\n  jd-jones-rag-infra:namespace:\n    secure: v1:abc\n", false},
		{"the encrypted form has only secure", "config:\n  jd-jones-rag-infra:jwtSecret:\n    secure: v1:abc\n    extra: 1\n", false},
		{"other namespaces pass", "config:\n  kubernetes:enableSecretMutable: true\n  pulumi:tags: {team: rag}\n  k8s-guardrails:productionStackPattern: ^prod\n", true},
		{"an unknown namespace is refused", "config:\n  kubernetse:context: x\n", false},
		{"the encryption salt passes", "encryptionsalt: v1:abc\nconfig: {}\n", true},
		{"an unknown top-level key is refused", "configs: {}\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Validate(stackFile(t, []byte(tc.file)))
			if tc.valid && err != nil {
				t.Errorf("refused: %v", err)
			}
			var verr *jsonschema.ValidationError
			if !tc.valid && !errors.As(err, &verr) {
				t.Errorf("passed, want a validation error (got %v)", err)
			}
			if keys, ok := projectKeys(t, []byte(tc.file)); ok && !tc.valid {
				if err := loadOverDev(t, keys); err == nil {
					t.Errorf("the schema refuses what the program accepts over Pulumi.dev.yaml")
				}
			}
		})
	}
}

// loadOverDev loads Pulumi.dev.yaml's configuration with keys set over it, as the program does
// (unknown keys refused, then every value decoded and validated).
func loadOverDev(t *testing.T, keys map[string]string) error {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "Pulumi.dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dev, ok := projectKeys(t, data)
	if !ok {
		t.Fatal("Pulumi.dev.yaml sets keys the test cannot read")
	}
	// The CLI applies Pulumi.yaml's defaults, which are the scalar keys' default tags.
	model, err := Model(filepath.Join(root, "config"))
	if err != nil {
		t.Fatal(err)
	}
	src := config.MapSource{Values: map[string]string{}}
	for _, k := range model {
		if !k.IsObject() && !k.Secret && k.Dev != "" {
			src.Values[k.Path] = k.Dev
		}
	}
	maps.Copy(src.Values, dev)
	var full []string
	maps.Copy(src.Values, keys)
	for k := range src.Values {
		full = append(full, config.Project+":"+k)
	}
	if err := config.CheckKeys(full); err != nil {
		return err
	}
	_, err = config.LoadFrom(src)
	return err
}

// TestTheDevStackLoads keeps loadOverDev's base valid, so the check above can fail.
func TestTheDevStackLoads(t *testing.T) {
	if err := loadOverDev(t, nil); err != nil {
		t.Fatal(err)
	}
}

// projectKeys are a stack file's project keys as the program reads them, each a raw string (an
// object as JSON); false when the file sets anything else, or a secret, which the program reads
// decrypted.
func projectKeys(t *testing.T, file []byte) (map[string]string, bool) {
	t.Helper()
	var stack struct {
		Config map[string]any `json:"config"`
	}
	if err := yaml.Unmarshal(file, &stack); err != nil || stack.Config == nil || bytes.Contains(file, []byte("secure:")) {
		return nil, false
	}
	keys := map[string]string{}
	for full, value := range stack.Config {
		key, ok := strings.CutPrefix(full, config.Project+":")
		if !ok {
			return nil, false
		}
		raw, err := json.Marshal(value)
		if err != nil {
			t.Fatal(err)
		}
		if s, isString := value.(string); isString {
			raw = []byte(s)
		}
		keys[key] = string(raw)
	}
	return keys, true
}

// TestEnumTagsAreWhatValidationAccepts proves each enum tag true: every listed value passes the
// field's own check, and a value outside the list is refused under the field's key.
func TestEnumTagsAreWhatValidationAccepts(t *testing.T) {
	keys, err := Model(filepath.Join(root, "config"))
	if err != nil {
		t.Fatal(err)
	}
	var enums []*Key
	var walk func([]*Key)
	walk = func(ks []*Key) {
		for _, k := range ks {
			if len(k.Enum) > 0 {
				enums = append(enums, k)
			}
			walk(k.Fields)
		}
	}
	walk(keys)
	if len(enums) < 5 {
		t.Fatalf("found %d keys with allowed values, want the 6 enums of config (environment, modes, provider, solver, store kind)", len(enums))
	}
	for _, k := range enums {
		if k.Path == config.EnvironmentKey {
			continue // read by LoadFrom, tested there
		}
		refused := func(value string) bool {
			c := config.Defaults(config.Dev)
			setString(t, &c, k.Path, value)
			err := c.Validate()
			var verr config.ValidationError
			if errors.As(err, &verr) {
				for _, e := range verr {
					if e.Key == k.Path && e.Value == value {
						return true
					}
				}
			}
			return false
		}
		for _, v := range k.Enum {
			if refused(v) {
				t.Errorf("%s: the allowed value %q is refused", k.Path, v)
			}
		}
		if !refused("not-" + k.Enum[0]) {
			t.Errorf("%s: a value outside %v passes", k.Path, k.Enum)
		}
	}
}

// setString sets the string field of c at a dotted json path.
func setString(t *testing.T, c *config.Config, path, value string) {
	t.Helper()
	v := reflect.ValueOf(c).Elem()
	for _, key := range strings.Split(path, ".") {
		found := false
		for i := range v.NumField() {
			if k, ok := jsonKey(v.Type().Field(i)); ok && k == key {
				v, found = v.Field(i), true
				break
			}
		}
		if !found {
			t.Fatalf("no field %s in %s", key, path)
		}
	}
	v.SetString(value)
}

// TestDocCommentsBecomeTheStackFilesWords checks how a Go doc comment reads in the documents.
func TestDocCommentsBecomeTheStackFilesWords(t *testing.T) {
	owner := reflect.TypeFor[config.DataService]()
	for _, tc := range []struct{ doc, field, want string }{
		{"Mode is in-cluster or external.", "Mode", "In-cluster or external."},
		{"Host and Port address an external endpoint.", "Host", "`host` and `port` address an external endpoint."},
		{"PasswordSecret holds the credential.", "PasswordSecret", "Holds the credential."},
		{"CIDRs are the addresses, unlike PasswordSecret.", "CIDRs", "The addresses, unlike `passwordSecret`."},
		{"Database and User are Postgres's.", "Database", "`database` and `user` are Postgres's."},
	} {
		if got := userWords(tc.doc, tc.field, owner); got != tc.want {
			t.Errorf("userWords(%q) = %q, want %q", tc.doc, got, tc.want)
		}
	}
}

// TestAFieldSharesOnlyACommentThatNamesIt reads a struct whose comments cover two fields, one and none.
func TestAFieldSharesOnlyACommentThatNamesIt(t *testing.T) {
	dir := t.TempDir()
	src := `package x

// T is a test.
type T struct {
	// A and B are covered together.
	A string
	B string
	// C is alone.
	C string
	D string

	E string
}
`
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	docs, err := readDocs(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"T.A": "A and B are covered together.", "T.B": "A and B are covered together.", "T.C": "C is alone.", "T.D": "", "T.E": ""}
	for field, doc := range want {
		if docs.fields[field] != doc {
			t.Errorf("%s: doc %q, want %q", field, docs.fields[field], doc)
		}
	}
	if docs.types["T"] != "T is a test." {
		t.Errorf("type doc %q", docs.types["T"])
	}
}

// TestEveryKeyIsDocumented checks the model covers exactly the keys the program reads.
func TestEveryKeyIsDocumented(t *testing.T) {
	keys, err := Model(filepath.Join(root, "config"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range keys {
		got = append(got, k.Path)
		if k.Doc == "" {
			t.Errorf("%s has no description", k.Path)
		}
	}
	want := config.KnownKeys()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("documented keys %v, want the program's %v", got, want)
	}
}

// TestThePolicyReadmeDetailsEveryPolicy keeps a hand-written paragraph per policy under the table.
func TestThePolicyReadmeDetailsEveryPolicy(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, PolicyReadmePath))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range checks.All() {
		if !strings.Contains(string(data), "\n- `"+p.Name+"`: ") {
			t.Errorf("%s has no line \"- `%s`: …\" in the details below the table", PolicyReadmePath, p.Name)
		}
	}
}

// TestSpliceNeedsBothMarkers refuses a file without its generated region.
func TestSpliceNeedsBothMarkers(t *testing.T) {
	got, err := splice([]byte("a\nB\nold\nE\nz\n"), []byte("B\n"), []byte("E\n"), []byte("new\n"))
	if err != nil || string(got) != "a\nB\nnew\nE\nz\n" {
		t.Errorf("splice = %q, %v", got, err)
	}
	if _, err := splice([]byte("a\nE\nB\n"), []byte("B\n"), []byte("E\n"), nil); err == nil {
		t.Error("markers in the wrong order were accepted")
	}
}

// TestEveryDeclaredKeyHasADefault keeps every key but environment (which every stack must set) optional
// for the real CLI, which refuses a stack ("missing configuration value") that lacks a key Pulumi.yaml
// declares without a default.
func TestEveryDeclaredKeyHasADefault(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var project struct {
		Config map[string]map[string]any `json:"config"`
	}
	if err := yaml.Unmarshal(raw, &project); err != nil {
		t.Fatal(err)
	}
	if len(project.Config) == 0 {
		t.Fatal("Pulumi.yaml declares no config keys")
	}
	for key, decl := range project.Config {
		_, hasDefault := decl["default"]
		_, isValue := decl["value"] // a fixed value (the provider's settings), not a declaration
		if !hasDefault && !isValue && key != config.EnvironmentKey {
			t.Errorf("Pulumi.yaml declares %s without a default: the CLI would require it of every stack", key)
		}
	}
}
