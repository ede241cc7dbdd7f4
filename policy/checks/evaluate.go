package checks

import (
	"slices"
	"strings"
)

// PackName is the policy pack's name; it is also the stack-config namespace of the pack's settings
// (see DetectProduction).
const PackName = "k8s-guardrails"

// UndecidedNotes reports, for each resource, the checks that could not decide because a value was
// unknown during preview. The pack runs it after every other resource policy.
var UndecidedNotes = &Policy{
	Name:        "policy-could-not-decide",
	Description: "A policy could not decide during preview because a value it needs is not known yet.",
	Remediation: "nothing to do now; the policy decides when the value is known",
	Why:         "users of linters ask for no false alarms from values unknown during preview",
	Level:       Advisory,
}

// UndecidedStackNotes is UndecidedNotes for stack policies. The pack runs it after every other stack
// policy.
var UndecidedStackNotes = &Policy{
	Name:        "policy-could-not-decide-stack",
	Description: "A stack policy could not decide during preview because a value it needs is not known yet.",
	Remediation: "nothing to do now; the policy decides when the value is known",
	Why:         "users of linters ask for no false alarms from values unknown during preview",
	Level:       Advisory,
}

// IsStack reports whether the policy is a stack policy.
func (p *Policy) IsStack() bool { return p.Stack != nil || p == UndecidedStackNotes }

// All returns every policy in pack order: resource policies, their notes, stack policies, their notes.
func All() []*Policy {
	return []*Policy{
		ObjectReadable,
		Probes,
		LiteralCredentials,
		SecretDataIsSecret,
		DatabaseNotDeployment,
		ServingReplicas,
		DatabaseHA,
		RWXStorageClass,
		ContainerResources,
		ImageTag,
		ImageDigest,
		RestrictedSecurityContext,
		ReadOnlyRootFilesystem,
		NoHostAccess,
		NamespacePodSecurity,
		IngressTLS,
		UndecidedNotes,
		PDBCoverage,
		NetworkPolicyCoverage,
		ServiceSelectsPods,
		IngressBackends,
		HPATargets,
		UndecidedStackNotes,
	}
}

// Lookup returns the policy with the given name.
func Lookup(name string) (*Policy, bool) {
	for _, p := range All() {
		if p.Name == name {
			return p, true
		}
	}
	return nil, false
}

// Options configures Evaluate like `pulumi preview --policy-pack … --policy-pack-config …` would.
type Options struct {
	// Production is the stack-level production flag (see DetectProduction).
	Production bool
	// Policies overrides levels and parameters per policy name; "all" sets every level.
	Policies map[string]PolicyConfig
	// Exceptions except matching findings, as the engine does with a v2 config's "exceptions".
	Exceptions []Exception
}

// level returns the policy's effective level and config properties.
func (opts Options) level(p *Policy) (Level, map[string]any) {
	lvl := p.Level
	if all, ok := opts.Policies["all"]; ok && all.Level != "" {
		lvl = all.Level
	}
	pc := opts.Policies[p.Name]
	if pc.Level != "" {
		lvl = pc.Level
	}
	return lvl, pc.Properties
}

// Evaluate runs every resource policy on every resource and every stack policy on the whole stack,
// exactly as the pack does under `pulumi preview`, and returns the findings (decided violations
// and "cannot decide" notes) with the level in force and the exceptions that match.
func Evaluate(resources []Resource, opts Options) []Finding {
	s := NewSession(opts.Production)
	var out []Finding
	emit := func(fs []Finding, p *Policy, lvl Level) {
		for _, f := range fs {
			f.Policy, f.Level = p.Name, lvl
			f.Exceptions = matchExceptions(opts.Exceptions, f.Policy, f.URN)
			out = append(out, f)
		}
	}
	s.Prime(resources)
	for _, r := range resources {
		o := s.Object(r) // decoded once for every policy, as the pack's cache does
		for _, p := range All() {
			lvl, props := opts.level(p)
			if p.IsStack() || lvl == Disabled {
				continue
			}
			if p == UndecidedNotes {
				emit(s.TakeNotes(r.URN), p, lvl)
				continue
			}
			if p.Resource != nil {
				emit(s.runObject(p, o, props), p, lvl)
			}
		}
		s.TakeNotes(r.URN) // notes of a disabled notes policy are dropped, as in the pack
	}
	key := new(int)
	for _, p := range All() {
		lvl, _ := opts.level(p)
		if !p.IsStack() || lvl == Disabled {
			continue
		}
		if p == UndecidedStackNotes {
			emit(s.TakeStackNotes(key), p, lvl)
			continue
		}
		emit(s.RunStack(p, key, func() []Resource { return resources }), p, lvl)
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
