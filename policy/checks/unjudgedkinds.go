package checks

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// UnjudgedKinds says which kinds of the stack the pack has no policy of its own for, so a reviewer
// knows what a green preview did not look at: custom resources without a configured pod template
// path, Helm releases (whose objects the stack does not show) and the built-in kinds no check reads.
var UnjudgedKinds = &engine.Policy{
	Name: "unjudged-kinds",
	Description: "Lists the kinds in the stack that no policy of the pack judges beyond its checks of every object " +
		"(readable properties, API versions), so a reviewer knows what the pack did not look at.",
	Remediation: "review them by hand; for a custom kind with a pod template, add its path to podTemplatePaths",
	Why:         "a green preview must not read as \"judged\" for objects no policy reads",
	Level:       engine.Advisory,
	Stack:       checkUnjudgedKinds,
}

// stackSubject is the subject of a result about the stack as a whole.
var stackSubject = &engine.Object{Kind: "stack", Name: "stack"}

func checkUnjudgedKinds(s *engine.Stack, _ *engine.Config) []engine.Result {
	counts := map[string]int{}
	for _, o := range s.Objects {
		if o.Kind == "" || o.Group == "yaml" || o.Group == "kustomize" || o.Typed != nil || o.Undecodable() {
			continue // not an object, a component whose objects the stack shows, or a kind the checks read
		}
		if _, ok := o.Workload(); ok {
			continue // a custom kind whose pod template podTemplatePaths names
		}
		kind := o.Version + " " + o.Kind
		if o.Group != "" {
			kind = o.Group + "/" + kind
		}
		counts[kind]++
	}
	if len(counts) == 0 {
		return nil
	}
	var kinds []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		kinds = append(kinds, fmt.Sprintf("%s (%d)", k, counts[k]))
	}
	return []engine.Result{engine.Violation(stackSubject, "The stack",
		"has objects of kinds no policy of the pack judges beyond its checks of every object: "+strings.Join(kinds, ", "), "")}
}
