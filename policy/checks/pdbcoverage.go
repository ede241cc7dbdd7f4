package checks

import (
	"fmt"

	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// PDBCoverage requires a PodDisruptionBudget that still allows a disruption for every replicated
// or autoscaled workload.
var PDBCoverage = &engine.Policy{
	Name: "pdb-coverage",
	Description: "Every workload with more than one replica, or scaled by an HorizontalPodAutoscaler, is covered by a " +
		"PodDisruptionBudget that still allows one disruption.",
	Remediation: "add a PodDisruptionBudget with maxUnavailable: 1 whose selector matches the workload's pod labels",
	Why:         "kube-score, Polaris; Onyx's chart refuses minAvailable >= replicas; node drains must not take all pods or block forever",
	Level:       engine.Mandatory,
	Stack:       checkPDBCoverage,
}

// scaledBy returns the HPA or KEDA ScaledObject scaling o, and whether some autoscaler's target could not
// be read.
func scaledBy(s *engine.Stack, o *engine.Object) (*engine.Object, bool) {
	hpas, unknown := s.Find(o, engine.AutoscalerKinds, func(h *engine.Object) engine.Match {
		hpa, _ := h.HPA()
		switch {
		case !h.IsAutoscaler():
			return engine.NoMatch
		case h.UnknownWithin("spec.scaleTargetRef"):
			return engine.MatchUnknown
		case engine.Targets(hpa.Target.APIVersion, hpa.Target.Kind, hpa.Target.Name, o):
			return engine.Matches
		}
		return engine.NoMatch
	})
	if len(hpas) > 0 {
		return hpas[0], false
	}
	return nil, unknown
}

func checkPDBCoverage(s *engine.Stack, _ *engine.Config) []engine.Result {
	var out []engine.Result
	for _, o := range s.OfKind(engine.PodBearingKindNames(true)...) {
		w, _ := o.Workload()
		hpa, hpaMaybe := scaledBy(s, o)
		replicas, replicasPath := int32(1), ""
		var reason string
		switch {
		case hpa != nil:
			h, _ := hpa.HPA()
			if h.MinReplicas != nil {
				replicas = *h.MinReplicas
			} else if minPath, _ := hpa.ReplicaRangePaths(); hpa.Unknown(minPath) {
				replicasPath = minPath + " of " + hpa.Subject()
			}
			reason = fmt.Sprintf("is scaled by %s", hpa.Subject())
		case w.Replicas != nil:
			replicas = *w.Replicas
			reason = "runs " + replicasText(replicas)
		case o.Unknown(w.ReplicasPath):
			replicasPath = w.ReplicasPath
		}
		needed := hpa != nil || replicas > 1

		matching, pdbUnknown := s.Find(o, []string{"PodDisruptionBudget"}, func(p *engine.Object) engine.Match {
			switch {
			case p.UnknownWithin("spec.selector") || o.UnknownWithin(w.LabelsPath):
				return engine.MatchUnknown
			case engine.SelectorMatches(p.Typed.(*policyv1.PodDisruptionBudget).Spec.Selector, w.Labels):
				return engine.Matches
			}
			return engine.NoMatch
		})

		if len(matching) == 0 {
			if needed || replicasPath != "" {
				missing := engine.Violation(o, o.Subject(), reason+" but no PodDisruptionBudget selects its pods", "")
				if replicasPath != "" {
					missing = engine.Undecided(o, o.Subject(), replicasPath)
				}
				out = append(out, engine.Unresolved(o, o.Subject(), nil, pdbUnknown || (hpaMaybe && hpa == nil),
					"the selector or namespace of a PodDisruptionBudget", missing))
			}
			continue
		}
		for _, p := range matching {
			// A budget over a single replica that cannot be replicated (a database) may deliberately
			// stop drains for an operator; the requirement applies to replicated workloads only.
			if !needed && replicasPath == "" {
				continue
			}
			if replicasPath != "" {
				out = append(out, engine.Undecided(p, p.Subject(), replicasPath))
				continue
			}
			out = append(out, checkDisruptionAllowed(p, o, replicas)...)
		}
	}
	return out
}

// checkDisruptionAllowed reports a PDB that allows no voluntary disruption of o at its replica count.
func checkDisruptionAllowed(p, o *engine.Object, replicas int32) []engine.Result {
	pdb := p.Typed.(*policyv1.PodDisruptionBudget)
	fix := "set maxUnavailable: 1 (or a minAvailable below the replica count)"
	var allowed int
	var how string
	switch {
	case p.Unknown("spec.maxUnavailable") || p.Unknown("spec.minAvailable"):
		return []engine.Result{engine.Undecided(p, p.Subject(), "spec.minAvailable/maxUnavailable")}
	case pdb.Spec.MaxUnavailable != nil:
		v, err := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MaxUnavailable, int(replicas), true)
		if err != nil {
			return []engine.Result{engine.Violation(p, p.Subject(), fmt.Sprintf("maxUnavailable %q is not a number or percentage", pdb.Spec.MaxUnavailable.String()), fix)}
		}
		allowed, how = v, "maxUnavailable "+pdb.Spec.MaxUnavailable.String()
	case pdb.Spec.MinAvailable != nil:
		v, err := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MinAvailable, int(replicas), true)
		if err != nil {
			return []engine.Result{engine.Violation(p, p.Subject(), fmt.Sprintf("minAvailable %q is not a number or percentage", pdb.Spec.MinAvailable.String()), fix)}
		}
		allowed, how = int(replicas)-v, "minAvailable "+pdb.Spec.MinAvailable.String()
	default:
		return []engine.Result{engine.Violation(p, p.Subject(), "sets neither minAvailable nor maxUnavailable", fix)}
	}
	if allowed >= 1 {
		return nil
	}
	return []engine.Result{engine.Violation(p, p.Subject(),
		fmt.Sprintf("allows no disruption of %s (%s with %s), so node drains block", o.Subject(), how, replicasText(replicas)), fix)}
}

// formatSelector renders a label selector for messages.
func formatSelector(sel *metav1.LabelSelector) string {
	if sel == nil {
		return "<none>"
	}
	return metav1.FormatLabelSelector(sel)
}
