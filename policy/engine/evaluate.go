package engine

import (
	"slices"
	"strings"
)

// Options configures Evaluate like `pulumi preview --policy-pack … --policy-pack-config …` would.
type Options struct {
	// Production is the stack-level production flag (see DetectProduction).
	Production bool
	// Policies overrides levels and parameters per policy name; "all" sets every level.
	Policies map[string]PolicyConfig
	// Exceptions except matching findings, as the engine does with a v2 config's "exceptions".
	Exceptions []Exception
	// Pack is the policies to run (checks.Evaluate runs checks.DefaultPack for the zero Pack).
	Pack Pack
}

// level returns the policy's effective level.
func (opts Options) level(p *Policy) Level {
	lvl := p.Level
	if all, ok := opts.Policies["all"]; ok && all.Level != "" {
		lvl = all.Level
	}
	if pc := opts.Policies[p.Name]; pc.Level != "" {
		lvl = pc.Level
	}
	return lvl
}

// Evaluate runs every resource policy on every resource and every stack policy on the whole stack,
// exactly as the pack does under `pulumi preview` (through the same Session), and returns the
// findings (decided violations and "cannot decide" notes) with the level in force and the
// exceptions that match. A parameter in opts that does not decode is reported as a violation of its
// policy (ParsePackConfig refuses such a config up front).
func Evaluate(resources []Resource, opts Options) []Finding {
	s := NewSession(opts.Production)
	var resourcePolicies, stackPolicies []*Policy
	for _, p := range opts.Pack.Policies() {
		// Configure every policy first, so a policy reading another's parameters (ParamsOf) sees
		// them even when that policy is disabled.
		_, _ = s.Configure(p, opts.Policies[p.Name].Properties)
		switch {
		case opts.level(p) == Disabled:
		case p.IsStack():
			stackPolicies = append(stackPolicies, p)
		default:
			resourcePolicies = append(resourcePolicies, p)
		}
	}
	var out []Finding
	report := func(p *Policy, fs []Finding) {
		for _, f := range fs {
			f.Policy, f.Level = p.Name, opts.level(p)
			f.Exceptions = matchExceptions(opts.Exceptions, f.Policy, f.URN)
			out = append(out, f)
		}
	}
	objects := s.Prime(resources)
	for i, r := range resources {
		o := objects[i] // decoded once for every policy, as the pack's cache does
		for _, p := range resourcePolicies {
			report(p, s.runResource(p, o, opts.Policies[p.Name].Properties))
		}
		s.takeNotes(r.URN) // notes and failures of a disabled notes or failure policy are dropped, as in the pack
		take(s, s.failures, r.URN)
	}
	key := new(int)
	s.KeepStack(key, objects) // the stack policies judge the same decodings, with no lookup per object
	for _, p := range stackPolicies {
		report(p, s.RunStack(p, key, func() []Resource { return resources }))
	}
	return out
}

// Blocking returns the findings that would fail a Pulumi run: mandatory and not excepted.
func Blocking(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Blocking() {
			out = append(out, f)
		}
	}
	return out
}

// String renders a finding on one line for test output.
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(string(f.Level) + " " + f.Policy)
	if len(f.Exceptions) > 0 {
		b.WriteString(" (excepted: " + strings.Join(f.Exceptions, ", ") + ")")
	}
	b.WriteString(": " + f.Message)
	return b.String()
}

func matchExceptions(excs []Exception, policy, urn string) []string {
	var ids []string
	for _, e := range excs {
		for _, m := range e.Match {
			if slices.Contains(m.Policies, policy) && slices.Contains(m.Targets, urn) {
				ids = append(ids, e.ID)
				break
			}
		}
	}
	return ids
}
