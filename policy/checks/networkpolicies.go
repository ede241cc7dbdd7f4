package checks

import (
	"fmt"
	"slices"
	"sort"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// direction is ingress or egress, as NetworkPolicies spell them.
type direction struct {
	word       string
	policyType networkingv1.PolicyType
	// rules returns the policy's rules for this direction as peers and ports.
	rules func(np *networkingv1.NetworkPolicy) []flowRule
	// open says what pods no policy restricts can do.
	open string
	// fix is the fix for a workload no policy selects.
	fix string
}

// flowRule is an ingress rule (from) or an egress rule (to) with its ports.
type flowRule struct {
	peers []networkingv1.NetworkPolicyPeer
	ports []networkingv1.NetworkPolicyPort
}

var (
	ingress = direction{word: "ingress", policyType: networkingv1.PolicyTypeIngress,
		rules: func(np *networkingv1.NetworkPolicy) []flowRule {
			return flowRules(np.Spec.Ingress, func(r networkingv1.NetworkPolicyIngressRule) flowRule { return flowRule{r.From, r.Ports} })
		},
		open: "accept traffic from anywhere", fix: "add a NetworkPolicy whose podSelector matches its pod labels"}
	egress = direction{word: "egress", policyType: networkingv1.PolicyTypeEgress,
		rules: func(np *networkingv1.NetworkPolicy) []flowRule {
			return flowRules(np.Spec.Egress, func(r networkingv1.NetworkPolicyEgressRule) flowRule { return flowRule{r.To, r.Ports} })
		},
		open: "can connect anywhere", fix: "add an egress NetworkPolicy whose podSelector matches its pod labels"}
)

// flowRules converts a policy's ingress or egress rules.
func flowRules[R any](rules []R, convert func(R) flowRule) []flowRule {
	out := make([]flowRule, len(rules))
	for i, r := range rules {
		out[i] = convert(r)
	}
	return out
}

// isolates reports whether a NetworkPolicy restricts this direction's traffic of the pods it
// selects. With no policyTypes, Kubernetes assumes Ingress, plus Egress when egress rules exist.
func (d direction) isolates(np *networkingv1.NetworkPolicy) bool {
	if len(np.Spec.PolicyTypes) == 0 {
		return d.policyType == networkingv1.PolicyTypeIngress || len(np.Spec.Egress) > 0
	}
	return slices.Contains(np.Spec.PolicyTypes, d.policyType)
}

// isDefaultDeny reports whether a NetworkPolicy selects every pod and allows none of this
// direction's traffic.
func (d direction) isDefaultDeny(np *networkingv1.NetworkPolicy) bool {
	sel := np.Spec.PodSelector
	return len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0 && len(d.rules(np)) == 0 && d.isolates(np)
}

// allowAllRule returns the index of a rule that allows this direction's traffic with anything on
// any port (an empty rule, or a peer covering every IPv4 or IPv6 address, however spelt, without
// except and no ports), or -1.
func (d direction) allowAllRule(np *networkingv1.NetworkPolicy) int {
	for i, r := range d.rules(np) {
		if len(r.ports) > 0 {
			continue
		}
		if len(r.peers) == 0 {
			return i
		}
		for _, p := range r.peers {
			if b := p.IPBlock; b != nil && len(b.Except) == 0 {
				if prefix, err := parseCIDR(b.CIDR); err == nil && prefix.Bits() == 0 {
					return i
				}
			}
		}
	}
	return -1
}

// checkCoverage reports namespaces with workloads but no default-deny policy for the direction, and
// workloads that no policy restricting the direction selects, or that a policy with an allow-all
// rule opens again (policies add up, so one allow-all rule undoes the others).
func checkCoverage(s *engine.Stack, d direction) []engine.Result {
	var out []engine.Result
	nps := s.OfKind("NetworkPolicy")
	unknownNP := func(ns string) bool {
		for _, n := range nps {
			if n.NamespaceUnknown || (n.Namespace == ns && n.UnknownWithin("spec")) {
				return true
			}
		}
		return false
	}

	// Namespaces with workloads need a default-deny policy.
	firstWorkload := map[string]*engine.Object{}
	var namespaces []string
	for _, o := range s.Workloads() {
		if o.NamespaceUnknown {
			out = append(out, engine.Undecided(o, o.Subject(), "metadata.namespace"))
			continue
		}
		if _, seen := firstWorkload[o.Namespace]; !seen {
			firstWorkload[o.Namespace] = o
			namespaces = append(namespaces, o.Namespace)
		}
	}
	sort.Strings(namespaces)
	nsObjects := map[string]*engine.Object{}
	for _, n := range s.OfKind("Namespace") {
		nsObjects[n.Name] = n
	}
	for _, ns := range namespaces {
		found := false
		for _, n := range nps {
			if !n.NamespaceUnknown && n.Namespace == ns && !n.UnknownWithin("spec") &&
				d.isDefaultDeny(n.Typed.(*networkingv1.NetworkPolicy)) {
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
			out = append(out, engine.Undecided(at, subject, "the spec or namespace of a NetworkPolicy"))
		default:
			out = append(out, engine.Violation(at, subject, "has workloads but no default-deny "+d.word+" NetworkPolicy", ""))
		}
	}

	// Every workload's pods are selected by some policy that restricts the direction, and by none
	// that allows everything.
	for _, o := range s.Workloads() {
		if o.NamespaceUnknown {
			continue
		}
		w, _ := o.Workload()
		selecting, unknown := s.Find(o, []string{"NetworkPolicy"}, func(n *engine.Object) engine.Match {
			np := n.Typed.(*networkingv1.NetworkPolicy)
			switch {
			case n.UnknownWithin("spec.podSelector") || n.Unknown("spec.policyTypes"):
				return engine.MatchUnknown
			case d.isolates(np) && engine.SelectorMatches(&np.Spec.PodSelector, w.Labels):
				return engine.Matches
			}
			return engine.NoMatch
		})
		if len(selecting) == 0 {
			noun := "NetworkPolicy"
			if d.word != "ingress" {
				noun = d.word + " NetworkPolicy"
			}
			out = append(out, engine.Unresolved(o, o.Subject(), nil, unknown || o.UnknownWithin(w.LabelsPath),
				"the pod labels or a NetworkPolicy's podSelector",
				engine.Violation(o, o.Subject(), fmt.Sprintf("no %s selects its pods, so they %s", noun, d.open), d.fix)))
			continue
		}
		for _, n := range selecting {
			if n.UnknownWithin("spec." + d.word) {
				out = append(out, engine.Undecided(o, o.Subject(), "spec."+d.word+" of "+n.Subject()))
				continue
			}
			if i := d.allowAllRule(n.Typed.(*networkingv1.NetworkPolicy)); i >= 0 {
				out = append(out, engine.Violation(o, o.Subject(),
					fmt.Sprintf("%s selects its pods and its %s rule %d allows all traffic, so they %s", n.Subject(), d.word, i, d.open),
					"restrict the rule to the peers (podSelector, namespaceSelector, ipBlock with except) and ports that need access"))
				break
			}
		}
	}
	return out
}

// checkPoliciesSelectPods reports NetworkPolicies whose non-empty podSelector selects no pods, except those
// that select pods a controller creates at run time by one of controllerLabels.
func checkPoliciesSelectPods(s *engine.Stack, controllerLabels []string) []engine.Result {
	var out []engine.Result
	nps := s.OfKind("NetworkPolicy")
	// No policy with a non-empty selector selects nothing.
	for _, n := range nps {
		np := n.Typed.(*networkingv1.NetworkPolicy)
		sel := &np.Spec.PodSelector
		if n.NamespaceUnknown || n.UnknownWithin("spec.podSelector") {
			out = append(out, engine.Undecided(n, n.Subject(), "spec.podSelector"))
			continue
		}
		if len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0 {
			continue
		}
		if slices.ContainsFunc(controllerLabels, func(key string) bool { _, ok := sel.MatchLabels[key]; return ok }) {
			continue
		}
		selected, unknown := s.Find(n, engine.PodBearingKindNames(false), engine.SelectsPods(func(labels map[string]string) bool {
			return engine.SelectorMatches(sel, labels)
		}))
		if len(selected) == 0 {
			out = append(out, engine.Unresolved(n, n.Subject(), s.HiddenPodOwner(n.Namespace), unknown, "the pod labels of a workload",
				engine.Violation(n, n.Subject(),
					fmt.Sprintf("podSelector %s selects no pods in namespace %q", formatSelector(sel), n.Namespace),
					"fix the podSelector to match a workload's pod labels, or delete the policy")))
		}
	}
	return out
}
