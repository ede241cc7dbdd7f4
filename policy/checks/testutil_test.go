package checks

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// Markers in test manifests: a string value "<unknown>" becomes a value computed during preview,
// and "<secret>text" becomes the Pulumi secret "text".
const (
	unknownMarker = "<unknown>"
	secretMarker  = "<secret>"
)

// manifest reads one YAML object into a Resource as Pulumi would send it (not FromManifest). A
// "# pulumi name: x" line sets the Pulumi resource name (for objects without metadata.name), and
// "# ignore changes: a,b" the ignoreChanges option.
func manifest(t testing.TB, doc string) engine.Resource {
	t.Helper()
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(dedent(doc)), &obj); err != nil {
		t.Fatalf("bad test manifest: %v", err)
	}
	r, err := engine.ResourceFromManifest(obj)
	if err != nil {
		t.Fatalf("bad test manifest: %v", err)
	}
	r.FromManifest = false
	for _, line := range strings.Split(doc, "\n") {
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "# pulumi name: "); ok {
			r.Name = name
		}
		if ic, ok := strings.CutPrefix(strings.TrimSpace(line), "# ignore changes: "); ok {
			r.IgnoreChanges = strings.Split(ic, ",")
		}
	}
	r.Properties = applyMarkers(property.New(r.Properties)).AsMap()
	return r
}

func applyMarkers(v property.Value) property.Value {
	switch {
	case v.IsString() && v.AsString() == unknownMarker:
		return property.New(property.Computed)
	case v.IsString() && strings.HasPrefix(v.AsString(), secretMarker):
		return property.New(strings.TrimPrefix(v.AsString(), secretMarker)).WithSecret(true)
	case v.IsArray():
		arr := v.AsArray().AsSlice()
		for i := range arr {
			arr[i] = applyMarkers(arr[i])
		}
		return property.New(arr)
	case v.IsMap():
		m := v.AsMap().AsMap()
		for k := range m {
			m[k] = applyMarkers(m[k])
		}
		return property.New(m)
	}
	return v
}

// dedent strips the common leading tabs of a raw-string manifest written inside a table.
func dedent(s string) string {
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	indent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, "\t"))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	for i, l := range lines {
		if len(l) >= indent {
			lines[i] = l[indent:]
		}
	}
	return strings.Join(lines, "\n")
}

// checkCase is one row of a policy's table test.
type checkCase struct {
	name      string
	manifests []string
	config    map[string]any
	// before are other policies run first, with their configs, over every manifest (a stack policy
	// reads their parameters).
	before     map[*engine.Policy]map[string]any
	production bool
	// want are the exact messages users read (after the description line), decided findings first.
	want []string
	// undecided are the exact "cannot decide" notes.
	undecided []string
}

// runPolicy runs one policy through a Session, as the pack does, and returns decided messages and notes.
func runPolicy(t testing.TB, p *engine.Policy, c checkCase) (decided, notes []string) {
	t.Helper()
	s := engine.NewSession(c.production)
	var rs []engine.Resource
	for _, m := range c.manifests {
		rs = append(rs, manifest(t, m))
	}
	messages := func(fs []engine.Finding) (out []string) {
		for _, f := range fs {
			out = append(out, f.Message)
		}
		return out
	}
	for other, config := range c.before {
		for _, r := range rs {
			s.RunResource(other, r, config)
		}
	}
	if p.IsStack() {
		key := new(int)
		decided = messages(s.RunStack(p, key, func() []engine.Resource { return rs }))
		return decided, messages(s.RunStack(engine.PolicyCouldNotDecideStack, key, nil))
	}
	for _, r := range rs {
		decided = append(decided, messages(s.RunResource(p, r, c.config))...)
		notes = append(notes, messages(s.RunResource(engine.PolicyCouldNotDecide, r, nil))...)
	}
	return decided, notes
}

// runTable runs a policy's table: every row's messages must match exactly.
func runTable(t *testing.T, p *engine.Policy, cases []checkCase) {
	t.Helper()
	passing, failing, withUnknowns := 0, 0, 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			decided, notes := runPolicy(t, p, c)
			assertLines(t, "violations", c.want, decided)
			assertLines(t, "cannot-decide notes", c.undecided, notes)
		})
		switch {
		case strings.Contains(strings.Join(c.manifests, ""), unknownMarker):
			withUnknowns++
		case len(c.want) > 0:
			failing++
		default:
			passing++
		}
	}
	if passing < 1 || failing < 3 || withUnknowns < 1 {
		t.Errorf("table for %s needs at least 1 passing case, 3 failing and 1 with unknown values; has %d, %d, %d",
			p.Name, passing, failing, withUnknowns)
	}
}

func assertLines(t *testing.T, what string, want, got []string) {
	t.Helper()
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("%s:\nwant:\n  %s\ngot:\n  %s", what, strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	}
}
