package checks

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// HPATargets checks every HorizontalPodAutoscaler, and every KEDA ScaledObject (which owns one), against
// the workload it scales.
var HPATargets = &engine.Policy{
	Name: "hpa-targets",
	Description: "Every HorizontalPodAutoscaler (or KEDA ScaledObject) targets a workload in the stack that does not pin spec.replicas, with " +
		"minReplicas <= maxReplicas, and minReplicas >= 2 in production.",
	Remediation: "point scaleTargetRef at an existing Deployment or StatefulSet",
	Why:         "kube-linter, kube-score; review inventory (api 2-10, celery-worker 1-8); a pinned replica count fights the autoscaler on every update",
	Level:       engine.Mandatory,
	Stack:       checkHPATargets,
}

// productionMinReplicas is the fewest replicas an autoscaler may scale to in production.
const productionMinReplicas = 2

func checkHPATargets(s *engine.Stack, c *engine.Config) []engine.Result {
	var out []engine.Result
	for _, h := range s.OfKind(engine.AutoscalerKinds...) {
		if !h.IsAutoscaler() {
			continue
		}
		hpa, _ := h.HPA()
		minPath, maxPath := h.ReplicaRangePaths()

		minReplicas := int32(1)
		switch {
		case hpa.MinReplicas != nil:
			minReplicas = *hpa.MinReplicas
		case h.Unknown(minPath):
			minReplicas = -1
		}
		switch {
		case minReplicas < 0 || h.Unknown(maxPath):
			out = append(out, engine.Undecided(h, h.Subject(), "spec.minReplicas/maxReplicas"))
		case minReplicas > hpa.MaxReplicas:
			out = append(out, engine.Violation(h, h.Subject(),
				fmt.Sprintf("minReplicas %d is above maxReplicas %d", minReplicas, hpa.MaxReplicas),
				"set minReplicas no higher than maxReplicas"))
		case c.Production && minReplicas < productionMinReplicas:
			out = append(out, engine.Violation(h, h.Subject(),
				fmt.Sprintf("minReplicas is %d in production, so one pod failure takes the workload down", minReplicas),
				fmt.Sprintf("set minReplicas to at least %d", productionMinReplicas)))
		}

		ref := hpa.Target
		if h.NamespaceUnknown || h.UnknownWithin("spec.scaleTargetRef") {
			out = append(out, engine.Undecided(h, h.Subject(), "spec.scaleTargetRef"))
			continue
		}
		scaled, unknown := s.Find(h, engine.PodBearingKindNames(true), engine.ByName(ref.APIVersion, ref.Kind, ref.Name))
		if len(scaled) == 0 {
			out = append(out, engine.Unresolved(h, h.Subject(), s.HiddenPodOwner(h.Namespace), unknown, "the name or namespace of a workload",
				engine.Violation(h, h.Subject(),
					fmt.Sprintf("scaleTargetRef %s %q is not in namespace %q of the stack", ref.Kind, ref.Name, h.Namespace),
					fmt.Sprintf("point scaleTargetRef at an existing Deployment or StatefulSet in namespace %q", h.Namespace))))
			continue
		}
		out = append(out, checkReplicasNotPinned(s, h, scaled[0])...)
	}
	return out
}

// checkReplicasNotPinned reports a scaled workload whose program sets spec.replicas, unless the
// ignoreChanges option keeps Pulumi from resetting it.
func checkReplicasNotPinned(s *engine.Stack, h, target *engine.Object) []engine.Result {
	if ignoreCovers(target.IgnoreChanges, "spec.replicas") {
		return nil
	}
	in := s.Inputs(target)
	if in == nil {
		return []engine.Result{engine.Undecided(target, target.Subject(), "whether the program sets spec.replicas")}
	}
	w, _ := in.Workload()
	if w.Replicas == nil && !in.Unknown(w.ReplicasPath) {
		return nil
	}
	value := "an unknown value"
	if w.Replicas != nil {
		value = fmt.Sprint(*w.Replicas)
	}
	return []engine.Result{engine.Violation(target, target.Subject(),
		fmt.Sprintf("sets spec.replicas (%s) although %s scales it, so every update resets the replica count", value, h.Subject()),
		`remove spec.replicas, or add the ignoreChanges option for "spec.replicas"`)}
}

var bracketKey = regexp.MustCompile(`\["([^"]*)"\]`)

// ignoreCovers reports whether ignoreChanges entries cover a property path.
func ignoreCovers(ignore []string, path string) bool {
	for _, ic := range ignore {
		ic = bracketKey.ReplaceAllString(ic, ".$1")
		ic = strings.TrimPrefix(ic, ".")
		if ic == "*" || ic == "**" || engine.IsPrefixPath(ic, path) {
			return true
		}
	}
	return false
}

func sortStrings(s []string) { sort.Strings(s) }
