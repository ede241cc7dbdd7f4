package checks

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// alwaysUndecided is a resource policy that can never decide, so all it ever leaves is a note.
var alwaysUndecided = &engine.Policy{
	Name: "test-always-undecided", Description: "d", Remediation: "r", Why: "w", Level: engine.Mandatory,
	Kinds: []string{engine.EveryKind},
	Resource: func(o *engine.Object, _ *engine.Config) []engine.Result {
		return []engine.Result{engine.Undecided(o, o.Subject(), "the test value")}
	},
}

// alwaysUndecidedStack is alwaysUndecided for stack policies.
var alwaysUndecidedStack = &engine.Policy{
	Name: "test-always-undecided-stack", Description: "d", Remediation: "r", Why: "w", Level: engine.Mandatory,
	Stack: func(s *engine.Stack, _ *engine.Config) []engine.Result {
		o := s.Objects[0]
		return []engine.Result{engine.Undecided(o, o.Subject(), "the test value")}
	},
}

// everyPosition returns the default pack's policies, notes policies included, with extra inserted
// at each position in turn.
func everyPosition(extra *engine.Policy) [][]*engine.Policy {
	base := slices.Concat([]*engine.Policy{engine.PolicyCouldNotDecide}, ResourcePolicies(), []*engine.Policy{engine.PolicyCouldNotDecideStack}, StackPolicies())
	var out [][]*engine.Policy
	for i := range len(base) + 1 {
		out = append(out, slices.Insert(slices.Clone(base), i, extra))
	}
	return out
}

func TestNotesAreReportedWhereverAPolicySits(t *testing.T) {
	rs := []engine.Resource{manifest(t, `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: rag}
data: {LOG_LEVEL: info}
`)}
	for _, c := range []struct {
		extra *engine.Policy
		notes *engine.Policy
	}{{alwaysUndecided, engine.PolicyCouldNotDecide}, {alwaysUndecidedStack, engine.PolicyCouldNotDecideStack}} {
		for i, policies := range everyPosition(c.extra) {
			t.Run(fmt.Sprintf("%s at position %d", c.extra.Name, i), func(t *testing.T) {
				found := false
				for _, f := range Evaluate(rs, engine.Options{Pack: engine.NewPack(policies...)}) {
					found = found || (f.Policy == c.notes.Name && f.Check == c.extra.Name &&
						strings.Contains(f.Message, c.extra.Name+" cannot decide during preview: the test value"))
				}
				if !found {
					t.Errorf("the note of %s was dropped", c.extra.Name)
				}
			})
		}
	}
}

func TestAPackRunsItsNotesPoliciesLast(t *testing.T) {
	policies := engine.NewPack(slices.Concat([]*engine.Policy{engine.PolicyCouldNotDecideStack, engine.PolicyCouldNotDecide, HPATargets}, ResourcePolicies())...).Policies()
	want := slices.Concat(ResourcePolicies(), []*engine.Policy{engine.PolicyCouldNotJudge, engine.PolicyCouldNotDecide, HPATargets, engine.PolicyCouldNotJudgeStack, engine.PolicyCouldNotDecideStack})
	if !slices.Equal(policies, want) {
		t.Errorf("want resource policies, their failures and notes, stack policies, their failures and notes; got %v", names(policies))
	}
	if !slices.Equal(All(), DefaultPack().Policies()) {
		t.Error("All and DefaultPack must be the same pack")
	}
	// The zero Pack holds no policies of its own; Evaluate runs DefaultPack for it.
	if (engine.Pack{}).Policies() != nil {
		t.Error("the zero Pack must hold no policies")
	}
	rs := syntheticStack(100)
	zero, defaults := Evaluate(rs, Options{Production: true}), Evaluate(rs, Options{Production: true, Pack: DefaultPack()})
	if len(zero) == 0 || fmt.Sprint(zero) != fmt.Sprint(defaults) {
		t.Errorf("Evaluate must run DefaultPack for the zero Pack: %d findings, want %d", len(zero), len(defaults))
	}
}

func names(ps []*engine.Policy) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// configMapKeys is a new resource policy, as a contributor would add it: data, kinds, parameters and
// one function. Its table of tests is the only other thing a real one needs.
var configMapKeys = &engine.Policy{
	Name:        "test-configmap-keys",
	Description: "ConfigMaps have at most maxKeys keys.",
	Remediation: "split the ConfigMap",
	Why:         "a test of adding a policy",
	Level:       engine.Mandatory,
	Kinds:       []string{"ConfigMap"},
	Params:      &configMapKeysParams{MaxKeys: 1},
	Resource: func(o *engine.Object, c *engine.Config) []engine.Result {
		if o.Unknown("data") {
			return []engine.Result{engine.Undecided(o, o.Subject(), "data")}
		}
		if n, limit := len(o.Typed.(*corev1.ConfigMap).Data), c.Params.(*configMapKeysParams).MaxKeys; n > limit {
			return []engine.Result{engine.Violation(o, o.Subject(), fmt.Sprintf("has %d keys, more than %d", n, limit), "")}
		}
		return nil
	},
}

type configMapKeysParams struct {
	MaxKeys int `param:"maxKeys" min:"0" help:"most keys a ConfigMap may have"`
}

// TestANewResourcePolicyIsOneEntryInOnePlace adds a policy to the resource list and sees it run in
// Evaluate with its kinds, parameters (default and configured, schema included) and notes; the pack
// test in ../main_test.go does the same through the policyx wiring.
func TestANewResourcePolicyIsOneEntryInOnePlace(t *testing.T) {
	pack := engine.NewPack(slices.Concat(ResourcePolicies(), []*engine.Policy{configMapKeys}, StackPolicies())...)
	rs := []engine.Resource{
		manifest(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: rag}\ndata: {a: b, c: d}\n"),
		manifest(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: later, namespace: rag}\ndata: \"<unknown>\"\n"),
		manifest(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: other, namespace: rag}\ndata: {a: Yg==, c: ZA==}\n"),
	}
	got := func(opts engine.Options) (violations, notes []string) {
		opts.Pack = pack
		for _, f := range Evaluate(rs, opts) {
			switch {
			case f.Policy == configMapKeys.Name:
				violations = append(violations, f.Message)
			case f.Check == configMapKeys.Name:
				notes = append(notes, f.Policy+": "+f.Message)
			}
		}
		return violations, notes
	}
	violations, notes := got(engine.Options{})
	assertLines(t, "violations with the default maxKeys", []string{
		`ConfigMap "big": has 2 keys, more than 1; split the ConfigMap`,
	}, violations)
	assertLines(t, "notes", []string{
		`policy-could-not-decide: ConfigMap "later": test-configmap-keys cannot decide during preview: data is not known yet; it is checked again when the value is known`,
	}, notes)
	violations, _ = got(engine.Options{Policies: map[string]engine.PolicyConfig{configMapKeys.Name: {Properties: map[string]any{"maxKeys": float64(2)}}}})
	assertLines(t, "violations with maxKeys 2", nil, violations)
	if s := configMapKeys.Schema()["maxKeys"]; s["default"] != float64(1) || s["minimum"] != float64(0) || s["type"] != "integer" {
		t.Errorf("the schema does not come from the parameter struct: %v", s)
	}
}
