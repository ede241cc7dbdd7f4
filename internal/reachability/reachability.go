package reachability

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// Party is one end of a connection: a pod (a namespace with its labels, and the pod's labels) or, with no
// namespace, an address outside the cluster. Every party has an IP, which ipBlock rules judge.
type Party struct {
	Name            string
	Namespace       string
	NamespaceLabels map[string]string
	PodLabels       map[string]string
	IP              string
}

// Pod is a party running in namespace, whose labels include the name label Kubernetes sets on every
// namespace (kubernetes.io/metadata.name).
func Pod(name, namespace string, podLabels map[string]string, ip string) Party {
	return Party{
		Name: name, Namespace: namespace, PodLabels: podLabels, IP: ip,
		NamespaceLabels: map[string]string{"kubernetes.io/metadata.name": namespace},
	}
}

// Address is a party outside the cluster.
func Address(name, ip string) Party { return Party{Name: name, IP: ip} }

// InCluster reports whether the party is a pod.
func (p Party) InCluster() bool { return p.Namespace != "" }

func (p Party) peer() *matcher.TrafficPeer {
	if !p.InCluster() {
		return &matcher.TrafficPeer{IP: p.IP}
	}
	return &matcher.TrafficPeer{IP: p.IP, Internal: &matcher.InternalPeer{
		Namespace: p.Namespace, NamespaceLabels: p.NamespaceLabels, PodLabels: p.PodLabels,
	}}
}

// Port is a port number and its protocol.
type Port struct {
	Number   int
	Protocol corev1.Protocol
}

// TCP is a TCP port.
func TCP(n int) Port { return Port{n, corev1.ProtocolTCP} }

// UDP is a UDP port.
func UDP(n int) Port { return Port{n, corev1.ProtocolUDP} }

func (p Port) String() string {
	if p.Protocol == corev1.ProtocolTCP {
		return fmt.Sprint(p.Number)
	}
	return fmt.Sprintf("%d/%s", p.Number, p.Protocol)
}

// Flow is a connection from one party to another on a port.
type Flow struct {
	From, To string
	Port     Port
}

func (f Flow) String() string { return fmt.Sprintf("%s -> %s:%s", f.From, f.To, f.Port) }

// Engine answers reachability questions about one set of NetworkPolicies.
type Engine struct {
	policy *matcher.Policy
}

// New builds the matcher over the policies, as the cluster would hold them: the matcher reads stored
// objects, so a policy without policyTypes gets the API server's default first (Ingress, and Egress
// when it has egress rules).
func New(policies []*networkingv1.NetworkPolicy) *Engine {
	stored := make([]*networkingv1.NetworkPolicy, len(policies))
	for i, np := range policies {
		np = np.DeepCopy()
		if len(np.Spec.PolicyTypes) == 0 {
			np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
			if len(np.Spec.Egress) > 0 {
				np.Spec.PolicyTypes = append(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
			}
		}
		stored[i] = np
	}
	return &Engine{policy: matcher.BuildNetworkPolicies(true, stored)}
}

// Allowed reports whether from may open a connection to to on port: the policies selecting to admit it
// (ingress) and those selecting from let it out (egress).
func (e *Engine) Allowed(from, to Party, port Port) bool {
	result := e.policy.IsTrafficAllowed(&matcher.Traffic{
		Source: from.peer(), Destination: to.peer(), ResolvedPort: port.Number, Protocol: port.Protocol,
	})
	return result.Ingress.IsAllowed() && result.Egress.IsAllowed()
}

// AllowedFlows are every allowed flow between two different parties, at least one of them a pod of
// namespace (the rest is not this namespace's policies' business), on each port; sorted.
func (e *Engine) AllowedFlows(namespace string, parties []Party, ports []Port) []Flow {
	var out []Flow
	for _, from := range parties {
		for _, to := range parties {
			if from.Name == to.Name || (from.Namespace != namespace && to.Namespace != namespace) {
				continue
			}
			for _, port := range ports {
				if e.Allowed(from, to, port) {
					out = append(out, Flow{from.Name, to.Name, port})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Flow) int { return strings.Compare(a.String(), b.String()) })
	return out
}
