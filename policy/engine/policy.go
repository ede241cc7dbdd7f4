package engine

import "fmt"

// Level is an enforcement level, spelled as Pulumi spells it in policy config.
type Level string

// The enforcement levels a policy can have.
const (
	Advisory  Level = "advisory"
	Mandatory Level = "mandatory"
	Disabled  Level = "disabled"
)

// Policy is one check as data plus one pure function: the stable name users configure and except,
// the text they read, the kinds it judges, its parameters with defaults, and either a per-resource or
// a whole-stack check.
type Policy struct {
	// Name is the stable kebab-case name used in config and exceptions.
	Name string
	// Description is the one-line summary Pulumi prints above every message.
	Description string
	// Remediation is the fix a message gives when the check has no more specific one.
	Remediation string
	// Why names the review finding or the linters that motivate the check (for the README).
	Why string
	// Level is the default enforcement level.
	Level Level
	// Kinds are the object kinds a resource policy judges: Resource is called only for objects of
	// these kinds that decoded into their k8s.io/api type. PodBearing stands for every kind that runs
	// pods, EveryKind for every object whatever its kind.
	Kinds []string
	// Params points at the policy's parameter struct holding the defaults (see Param); nil when the
	// policy has none. Checks find the configured values in Config.Params, of the same type.
	Params any
	// Resource checks one decoded object; nil for stack policies.
	Resource func(o *Object, c *Config) []Result
	// Stack checks all decoded objects at once; nil for resource policies.
	Stack func(s *Stack, c *Config) []Result

	// collects marks the policies that report the other policies' notes instead of running a check.
	collects noteScope
}

// noteScope says whose "cannot decide" notes a notes policy reports.
type noteScope int

// The notes policies, and the failure policies that report checks that could not judge: 0 is a
// policy that runs a check.
const (
	resourceNotes noteScope = iota + 1
	stackNotes
	resourceFailures
	stackFailures
)

// The special values of Policy.Kinds.
const (
	// PodBearing stands for every kind that runs pods (Deployment, StatefulSet, Job, Pod, …).
	PodBearing = "<pod-bearing>"
	// EveryKind makes a policy judge every object, whatever its kind and whether it decoded.
	EveryKind = "<every kind>"
)

// ReportsOthers reports whether p is one of the notes or failure policies, which report what the
// other policies' checks left instead of running a check of their own.
func (p *Policy) ReportsOthers() bool { return p.collects != 0 }

// IsStack reports whether the policy is a stack policy.
func (p *Policy) IsStack() bool {
	return p.Stack != nil || p.collects == stackNotes || p.collects == stackFailures
}

// judges reports whether the resource policy is to judge o, by the kinds it declares.
func (p *Policy) judges(o *Object) bool {
	for _, k := range p.Kinds {
		switch {
		case k == EveryKind, k == PodBearing && o.isWorkload:
			return true
		case o.Typed == nil:
		case k == o.Kind:
			return true
		}
	}
	return false
}

// Result is one thing a check found: a violation, or a note that it cannot decide yet.
type Result struct {
	// Object is the resource the result is reported against.
	Object *Object
	// Subject names what is wrong, e.g. `Deployment "api" container "api"`.
	Subject string
	// Problem says what is wrong (or, for undecided results, which value is not known yet).
	Problem string
	// Fix says how to fix it; empty means the policy's Remediation.
	Fix string
	// Undecided marks a result the check could not decide because a value was unknown.
	Undecided bool

	// failed marks a check that failed (panicked): PolicyCouldNotJudge reports it.
	failed bool
}

// Violation is a Result for a problem, with the fix spelled out.
func Violation(o *Object, subject, problem, fix string) Result {
	return Result{Object: o, Subject: subject, Problem: problem, Fix: fix}
}

// Undecided is a Result saying the check cannot decide because the value at path is unknown.
func Undecided(o *Object, subject, path string) Result {
	return Result{Object: o, Subject: subject, Problem: path, Undecided: true}
}

// Message renders a result the way users read it.
func (r Result) Message(p *Policy) string {
	if r.Undecided {
		return fmt.Sprintf("%s: %s cannot decide during preview: %s is not known yet; it is checked again when the value is known",
			r.Subject, p.Name, r.Problem)
	}
	fix := r.Fix
	if fix == "" {
		fix = p.Remediation
	}
	return r.Subject + ": " + r.Problem + "; " + fix
}
