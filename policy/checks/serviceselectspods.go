package checks

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// ServiceSelectsPods requires every selector-based Service to select some workload's pods.
var ServiceSelectsPods = &engine.Policy{
	Name:        "service-selects-pods",
	Description: "Every Service with a selector selects the pods of some workload in the stack.",
	Remediation: "set spec.selector to the pod labels of the workload the Service fronts",
	Why:         "kube-linter (dangling-service), kube-score; a Service without endpoints fails silently",
	Level:       engine.Mandatory,
	Stack:       checkServiceSelectsPods,
}

func checkServiceSelectsPods(s *engine.Stack, _ *engine.Config) []engine.Result {
	var out []engine.Result
	for _, so := range s.OfKind("Service") {
		svc := so.Typed.(*corev1.Service)
		if svc.Spec.Type == corev1.ServiceTypeExternalName {
			continue
		}
		if so.NamespaceUnknown || so.UnknownWithin("spec.selector") {
			out = append(out, engine.Undecided(so, so.Subject(), "spec.selector"))
			continue
		}
		if len(svc.Spec.Selector) == 0 {
			continue // Endpoints are managed by hand (or by an operator).
		}
		selected, unknown := s.Find(so, engine.PodBearingKindNames(false), engine.SelectsPods(func(labels map[string]string) bool {
			return engine.MapSelectorMatches(svc.Spec.Selector, labels)
		}))
		if len(selected) == 0 {
			out = append(out, engine.Unresolved(so, so.Subject(), s.HiddenPodOwner(so.Namespace), unknown, "the pod labels of a workload",
				engine.Violation(so, so.Subject(), fmt.Sprintf(
					"selector %s matches no pods of any workload in namespace %q, so it has no endpoints",
					formatMapSelector(svc.Spec.Selector), so.Namespace), "")))
		}
	}
	return out
}

func formatMapSelector(sel map[string]string) string {
	parts := make([]string, 0, len(sel))
	for k, v := range sel {
		parts = append(parts, k+"="+v)
	}
	sortStrings(parts)
	return strings.Join(parts, ",")
}
