package config

import (
	"net/netip"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Network is what the NetworkPolicies need to know of the cluster around the namespace.
type Network struct {
	// DNS is the cluster DNS, the one destination every pod may reach (port 53).
	DNS DNS `json:"dns"`
	// ClusterCIDRs are the cluster's pod and Service ranges outside the private ranges, which the LLM's
	// internet egress must also exclude.
	ClusterCIDRs []string `json:"clusterCIDRs"`
}

// DNS selects the cluster DNS pods.
type DNS struct {
	// Namespace is where the cluster DNS pods run.
	Namespace string `json:"namespace"`
	// PodSelector is a label selector in kubectl syntax, e.g. k8s-app=kube-dns.
	PodSelector string `json:"podSelector"`
}

// validateNetwork checks the cluster DNS's namespace and selector, and the cluster's ranges.
func (c *Config) validateNetwork(v *validator) {
	n := &c.Network
	v.dnsLabel(c.keyOf(&n.DNS.Namespace), n.DNS.Namespace)
	if sel, err := metav1.ParseToLabelSelector(n.DNS.PodSelector); err != nil || n.DNS.PodSelector == "" || len(sel.MatchExpressions) > 0 {
		v.refuse(&n.DNS.PodSelector, "must be label=value pairs selecting the cluster DNS pods, e.g. k8s-app=kube-dns")
	}
	v.cidrs(&n.ClusterCIDRs)
}

// Address ranges no allowed CIDR may overlap: link-local holds every cloud's metadata endpoint.
var linkLocal = []netip.Prefix{netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("fe80::/10")}

// cidrs checks a list of destination or source ranges: each a CIDR, none the whole address space, none
// overlapping link-local (the cloud metadata endpoint).
func (v *validator) cidrs(list *[]string) {
	for _, raw := range *list {
		p, err := netip.ParsePrefix(raw)
		switch {
		case err != nil:
			v.refuse(list, "%q is not a CIDR such as 10.0.0.0/16", raw)
		case p.Bits() == 0:
			v.refuse(list, "%q is every address; list the endpoint's own ranges", raw)
		case p != p.Masked():
			v.refuse(list, "%q has host bits set; write the range as %s", raw, p.Masked())
		case slices.ContainsFunc(linkLocal, p.Overlaps):
			v.refuse(list, "%q overlaps link-local addresses, where the cloud metadata endpoint answers", raw)
		default:
			continue
		}
		return
	}
}
