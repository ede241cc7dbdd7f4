package checks

import (
	"fmt"
	"slices"
	"sort"

	networkingv1 "k8s.io/api/networking/v1"
)

// NetworkPolicyCoverage requires default-deny ingress per namespace, every workload selected by a
// NetworkPolicy, and no NetworkPolicy that selects nothing.
var NetworkPolicyCoverage = &Policy{
	Name: "network-policy-coverage",
	Description: "Every namespace with workloads has a default-deny ingress NetworkPolicy, every workload's pods are " +
		"selected by an ingress NetworkPolicy, and no NetworkPolicy selects no pods.",
	Remediation: "add a NetworkPolicy with podSelector: {}, policyTypes: [Ingress] and no ingress rules, then allow each flow explicitly",
	Why:         "kube-linter (non-isolated-pod), Kyverno, Checkov; the review relies on network policies to restrict access",
	Level:       Mandatory,
	Stack:       checkNetworkPolicyCoverage,
}

// isDefaultDenyIngress reports whether a NetworkPolicy selects every pod and admits no ingress.
func isDefaultDenyIngress(np *networkingv1.NetworkPolicy) bool {
	sel := np.Spec.PodSelector
	if len(sel.MatchLabels) > 0 || len(sel.MatchExpressions) > 0 || len(np.Spec.Ingress) > 0 {
		return false
	}
	return isolatesIngress(np)
}

// isolatesIngress reports whether a NetworkPolicy restricts ingress to the pods it selects. With no
// policyTypes, Kubernetes assumes Ingress (plus Egress when egress rules exist).
func isolatesIngress(np *networkingv1.NetworkPolicy) bool {
	return len(np.Spec.PolicyTypes) == 0 || slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress)
}

func checkNetworkPolicyCoverage(s *Stack, _ *Config) []Result {
	var out []Result
	nps := s.OfKind("NetworkPolicy")
	unknownNP := func(ns string) bool {
		for _, n := range nps {
			if n.NamespaceUnknown || (n.Namespace == ns && n.UnknownWithin("spec")) {
				return true
			}
		}
		return false
	}

	// Namespaces with workloads need a default-deny ingress policy.
	firstWorkload := map[string]*Object{}
	var namespaces []string
	for _, o := range s.Workloads() {
		if o.NamespaceUnknown {
			out = append(out, Undecided(o, o.Subject(), "metadata.namespace"))
			continue
		}
		if _, seen := firstWorkload[o.Namespace]; !seen {
			firstWorkload[o.Namespace] = o
			namespaces = append(namespaces, o.Namespace)
		}
	}
	sort.Strings(namespaces)
	nsObjects := map[string]*Object{}
	for _, n := range s.OfKind("Namespace") {
		nsObjects[n.Name] = n
	}
	for _, ns := range namespaces {
		found := false
		for _, n := range nps {
			if !n.NamespaceUnknown && n.Namespace == ns && !n.UnknownWithin("spec") &&
				isDefaultDenyIngress(n.Typed.(*networkingv1.NetworkPolicy)) {
				found = true
				break
			}
		}
		at, subject := firstWorkload[ns], fmt.Sprintf("namespace %q", ns)
		if n, ok := nsObjects[ns]; ok {
			at, subject = n, n.Subject()
		}
		switch {
		case found:
		case unknownNP(ns):
			out = append(out, Undecided(at, subject, "the spec or namespace of a NetworkPolicy"))
		default:
			out = append(out, Violation(at, subject, "has workloads but no default-deny ingress NetworkPolicy", ""))
		}
	}

	// Every workload's pods are selected by some policy that restricts their ingress.
	for _, o := range s.Workloads() {
		if o.NamespaceUnknown {
			continue
		}
		w, _ := o.Workload()
		selecting, unknown := s.Find(o, []string{"NetworkPolicy"}, func(n *Object) Match {
			np := n.Typed.(*networkingv1.NetworkPolicy)
			switch {
			case n.UnknownWithin("spec.podSelector") || n.Unknown("spec.policyTypes"):
				return MatchUnknown
			case isolatesIngress(np) && selectorMatches(&np.Spec.PodSelector, w.Labels):
				return Matches
			}
			return NoMatch
		})
		if len(selecting) == 0 {
			out = append(out, unresolved(o, o.Subject(), nil, unknown || o.UnknownWithin(w.LabelsPath),
				"the pod labels or a NetworkPolicy's podSelector",
				Violation(o, o.Subject(), "no NetworkPolicy selects its pods, so they accept traffic from anywhere",
					"add a NetworkPolicy whose podSelector matches its pod labels")))
		}
	}

	// No policy with a non-empty selector selects nothing.
	for _, n := range nps {
		np := n.Typed.(*networkingv1.NetworkPolicy)
		sel := &np.Spec.PodSelector
		if n.NamespaceUnknown || n.UnknownWithin("spec.podSelector") {
			out = append(out, Undecided(n, n.Subject(), "spec.podSelector"))
			continue
		}
		if len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0 {
			continue
		}
		selected, unknown := s.Find(n, podBearingKindNames(false), SelectsPods(func(labels map[string]string) bool {
			return selectorMatches(sel, labels)
		}))
		if len(selected) == 0 {
			out = append(out, unresolved(n, n.Subject(), s.HiddenPodOwner(n.Namespace), unknown, "the pod labels of a workload",
				Violation(n, n.Subject(),
					fmt.Sprintf("podSelector %s selects no pods in namespace %q", formatSelector(sel), n.Namespace),
					"fix the podSelector to match a workload's pod labels, or delete the policy")))
		}
	}
	return out
}
