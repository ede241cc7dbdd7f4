package engine

import "slices"

// PackName is the policy pack's name; it is also the stack-config namespace of the pack's settings
// (see DetectProduction).
const PackName = "k8s-guardrails"

// PolicyCouldNotDecide reports, for each resource, the checks that could not decide because a value was
// unknown during preview. Every Pack runs it after its resource policies.
var PolicyCouldNotDecide = &Policy{
	Name:        "policy-could-not-decide",
	Description: "A policy could not decide during preview because a value it needs is not known yet.",
	Remediation: "nothing to do now; the policy decides when the value is known",
	Why:         "users of linters ask for no false alarms from values unknown during preview",
	Level:       Advisory,
	collects:    resourceNotes,
}

// PolicyCouldNotDecideStack is PolicyCouldNotDecide for stack policies. Every Pack runs it after its stack policies.
var PolicyCouldNotDecideStack = &Policy{
	Name:        "policy-could-not-decide-stack",
	Description: "A stack policy could not decide during preview because a value it needs is not known yet.",
	Remediation: "nothing to do now; the policy decides when the value is known",
	Why:         "users of linters ask for no false alarms from values unknown during preview",
	Level:       Advisory,
	collects:    stackNotes,
}

// Pack is the ordered list of policies a run applies: resource policies, PolicyCouldNotJudge,
// PolicyCouldNotDecide, stack policies, PolicyCouldNotJudgeStack, PolicyCouldNotDecideStack. Built only by NewPack, it
// always runs the notes and failure policies after the policies whose results they report, so none is
// lost whatever order the policies come in.
type Pack struct {
	policies []*Policy
}

// NewPack builds a pack of the given policies, keeping their order within resource and stack
// policies and appending the failure and notes policies (any given are moved to their place).
func NewPack(policies ...*Policy) Pack {
	var resource, stack []*Policy
	for _, p := range policies {
		switch {
		case p.collects != 0:
		case p.IsStack():
			stack = append(stack, p)
		default:
			resource = append(resource, p)
		}
	}
	return Pack{slices.Concat(resource, []*Policy{PolicyCouldNotJudge, PolicyCouldNotDecide}, stack, []*Policy{PolicyCouldNotJudgeStack, PolicyCouldNotDecideStack})}
}

// Policies returns the pack's policies in the order they run; none for the zero Pack (checks.Evaluate
// runs checks.DefaultPack for it).
func (pk Pack) Policies() []*Policy {
	return slices.Clone(pk.policies)
}

// Lookup returns the pack's policy with the given name.
func (pk Pack) Lookup(name string) (*Policy, bool) {
	for _, p := range pk.policies {
		if p.Name == name {
			return p, true
		}
	}
	return nil, false
}
