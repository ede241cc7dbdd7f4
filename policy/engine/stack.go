package engine

import (
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Stack is the decoded view of a whole stack for stack checks.
type Stack struct {
	// Objects are all decoded resources, in the order the engine gave them. The indexes hold an object
	// once per pod template it carries (see views).
	Objects []*Object

	byKind map[string][]*Object
	// byKindNS indexes typed objects by kind and known namespace; unknownNS holds, by kind, the
	// objects whose namespace was unknown during preview.
	byKindNS  map[string]map[string][]*Object
	unknownNS map[string][]*Object
	// podOwners are resources the checks cannot see into that may create pods or Services (Helm
	// releases, custom resources), by namespace ("*" when the namespace is unknown).
	podOwners map[string][]*Object
	// inputs finds the decoded inputs of a resource whose stack view came from outputs.
	inputs func(urn string) *Object
}

// Inputs returns the object as the program declared it: o itself when it was decoded from inputs,
// else the inputs a resource policy saw earlier in the same run, else nil.
func (s *Stack) Inputs(o *Object) *Object {
	if !o.FromOutputs {
		return o
	}
	if s.inputs == nil {
		return nil
	}
	return s.inputs(o.URN)
}

// builtinGroups are Kubernetes API groups whose kinds the checks either understand or know not to
// create pods behind their back.
var builtinGroups = map[string]bool{
	"": true, "apps": true, "batch": true, "networking.k8s.io": true, "policy": true, "autoscaling": true,
	"storage.k8s.io": true, "rbac.authorization.k8s.io": true, "apiextensions.k8s.io": true,
	"admissionregistration.k8s.io": true, "scheduling.k8s.io": true, "coordination.k8s.io": true,
	"discovery.k8s.io": true, "node.k8s.io": true, "certificates.k8s.io": true, "events.k8s.io": true,
	"flowcontrol.apiserver.k8s.io": true, "apiregistration.k8s.io": true, "resource.k8s.io": true,
	"yaml": true, "kustomize": true,
}

// nonWorkloadCustomKinds are common custom resources known not to create pods or Services.
var nonWorkloadCustomKinds = map[string]bool{
	"ServiceMonitor": true, "PodMonitor": true, "PrometheusRule": true, "Probe": true,
	"Certificate": true, "Issuer": true, "ClusterIssuer": true, "CertificateRequest": true,
	"ExternalSecret": true, "SecretStore": true, "ClusterSecretStore": true, "SealedSecret": true,
	"GrafanaDashboard": true, "GrafanaDatasource": true,
	// KEDA's: a ScaledObject creates an HPA, never pods (a ScaledJob creates Jobs and is not listed).
	"ScaledObject": true, "TriggerAuthentication": true, "ClusterTriggerAuthentication": true,
	"HTTPRoute": true, "ReferenceGrant": true, "GatewayClass": true, // a Gateway may deploy its proxies
}

// NewStack indexes decoded objects for stack checks.
func NewStack(objs []*Object) *Stack {
	s := &Stack{Objects: objs, byKind: map[string][]*Object{}, podOwners: map[string][]*Object{},
		byKindNS: map[string]map[string][]*Object{}, unknownNS: map[string][]*Object{}}
	var views []*Object
	for _, o := range objs {
		views = append(views, o.Views()...)
	}
	for _, o := range views {
		if o.Kind == "" || o.Patch {
			continue // A patch changes an object the stack does not hold; resource policies judge it.
		}
		if o.Typed != nil {
			s.byKind[o.Kind] = append(s.byKind[o.Kind], o)
			switch {
			case o.NamespaceUnknown:
				s.unknownNS[o.Kind] = append(s.unknownNS[o.Kind], o)
			default:
				if s.byKindNS[o.Kind] == nil {
					s.byKindNS[o.Kind] = map[string][]*Object{}
				}
				s.byKindNS[o.Kind][o.Namespace] = append(s.byKindNS[o.Kind][o.Namespace], o)
			}
		}
		switch {
		case o.Group == "helm.sh":
			if o.Kind != "Release" {
				continue // Chart v4 components register their children, which the stack shows.
			}
			ns := o.releaseNS
			if ns == "" {
				ns = "default"
			}
			if o.Unknown("namespace") {
				ns = "*"
			}
			s.podOwners[ns] = append(s.podOwners[ns], o)
		case !builtinGroups[o.Group] && !nonWorkloadCustomKinds[o.Kind]:
			ns := o.Namespace
			if o.NamespaceUnknown {
				ns = "*"
			}
			s.podOwners[ns] = append(s.podOwners[ns], o)
		}
	}
	return s
}

// OfKind returns the typed objects of the given kinds.
func (s *Stack) OfKind(kinds ...string) []*Object {
	var out []*Object
	for _, k := range kinds {
		out = append(out, s.byKind[k]...)
	}
	return out
}

// Workloads returns every decoded object with pods.
func (s *Stack) Workloads() []*Object {
	return s.OfKind(PodBearingKindNames(false)...)
}

// Near returns the objects of the given kinds that may share o's namespace: those in its namespace
// and those whose namespace is unknown, or every one of them when o's own namespace is unknown.
func (s *Stack) Near(o *Object, kinds ...string) []*Object {
	if o.NamespaceUnknown {
		return s.OfKind(kinds...)
	}
	var out []*Object
	for _, k := range kinds {
		out = append(out, s.byKindNS[k][o.Namespace]...)
		out = append(out, s.unknownNS[k]...)
	}
	return out
}

// HiddenPodOwner returns a resource in namespace ns (or in an unknown namespace) that may create
// pods or Services the stack does not show, such as a Helm release or a custom resource; nil if none.
func (s *Stack) HiddenPodOwner(ns string) *Object {
	return s.hiddenOwner(ns, func(*Object) bool { return true })
}

// HiddenBackendOwner is HiddenPodOwner for the backends of an Ingress or an HTTPRoute: a Gateway API
// Gateway does not count, since the proxies and the Service it may deploy serve the Gateway itself and
// are never a route's backend (else a stack with its own Gateway could route anywhere unjudged).
func (s *Stack) HiddenBackendOwner(ns string) *Object {
	return s.hiddenOwner(ns, func(o *Object) bool { return o.Group != "gateway.networking.k8s.io" || o.Kind != "Gateway" })
}

// hiddenOwner returns the first hidden owner in namespace ns (or in an unknown namespace) that counts.
func (s *Stack) hiddenOwner(ns string, counts func(*Object) bool) *Object {
	for _, key := range []string{ns, "*"} {
		for _, o := range s.podOwners[key] {
			if counts(o) {
				return o
			}
		}
	}
	return nil
}

// Match says whether a candidate is the object another one refers to.
type Match int

// The answers a Find match function gives about a candidate.
const (
	// NoMatch: the candidate is not referred to.
	NoMatch Match = iota
	// Matches: the candidate is referred to.
	Matches
	// MatchUnknown: a value that decides it was unknown during preview.
	MatchUnknown
)

// Find returns the objects of the given kinds in o's namespace that o refers to, by name or by
// selector as match decides, and whether more may match once values unknown during preview are
// known: when a candidate's namespace or o's is unknown, or match says MatchUnknown.
func (s *Stack) Find(o *Object, kinds []string, match func(candidate *Object) Match) (found []*Object, unknown bool) {
	for _, c := range s.Near(o, kinds...) {
		switch {
		case c.NamespaceUnknown || o.NamespaceUnknown:
			unknown = true
		case c.Namespace != o.Namespace:
		default:
			switch match(c) {
			case Matches:
				found = append(found, c)
			case MatchUnknown:
				unknown = true
			}
		}
	}
	return found, unknown
}

// ByName matches the candidates called name (and, when a reference carries them, of the kind and API
// group it names); a candidate whose name is unknown may be the one.
func ByName(apiVersion, kind, name string) func(candidate *Object) Match {
	return func(c *Object) Match {
		switch {
		case c.Unknown("metadata.name"):
			return MatchUnknown
		case Targets(apiVersion, kind, name, c):
			return Matches
		}
		return NoMatch
	}
}

// SelectsPods matches the workloads whose pod labels selects accepts; a workload whose labels are
// unknown may be one.
func SelectsPods(selects func(labels map[string]string) bool) func(candidate *Object) Match {
	return func(c *Object) Match {
		w, _ := c.Workload()
		switch {
		case c.UnknownWithin(w.LabelsPath):
			return MatchUnknown
		case selects(w.Labels):
			return Matches
		}
		return NoMatch
	}
}

// Unresolved is the result for o when what it refers to is not in the stack: a note when owner (a
// resource the checks cannot see into, nil when the caller does not consider one) may create it, a
// note naming what is unknown when the answer is not known yet, else the violation.
func Unresolved(o *Object, subject string, owner *Object, unknown bool, unknownWhat string, violation Result) Result {
	switch {
	case owner != nil:
		return Undecided(o, subject, fmt.Sprintf("whether %s creates it (it may create pods and Services this policy cannot see)", owner.Subject()))
	case unknown:
		return Undecided(o, subject, unknownWhat)
	}
	return violation
}

// SelectorMatches reports whether a label selector selects the labels. A nil selector selects
// nothing; an invalid one is reported as not matching.
func SelectorMatches(sel *metav1.LabelSelector, lbls map[string]string) bool {
	if sel == nil {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return false
	}
	return s.Matches(labels.Set(lbls))
}

// MapSelectorMatches is the Service form of a selector: every key/value must match; an empty
// selector matches nothing here (a Service without a selector manages its own endpoints).
func MapSelectorMatches(sel, lbls map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if got, ok := lbls[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// Targets reports whether an object reference (apiVersion may be empty) names o.
func Targets(apiVersion, kind, name string, o *Object) bool {
	if kind != o.Kind || name != o.Name {
		return false
	}
	if apiVersion == "" {
		return true
	}
	group, _, _ := strings.Cut(apiVersion, "/")
	if !strings.Contains(apiVersion, "/") {
		group = "" // "v1" is the core group
	}
	return group == o.Group
}
