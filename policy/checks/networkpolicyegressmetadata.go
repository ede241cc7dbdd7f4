package checks

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// NetworkPolicyEgressMetadata refuses NetworkPolicy egress rules that admit traffic to a cloud
// metadata endpoint, where a compromised pod picks up the node's cloud credentials.
var NetworkPolicyEgressMetadata = &engine.Policy{
	Name: "network-policy-egress-metadata",
	Description: "No NetworkPolicy egress rule admits traffic to a cloud metadata endpoint (169.254.169.254 and the like), " +
		"where a compromised pod would pick up the node's cloud credentials.",
	Remediation: "add 169.254.0.0/16 to the ipBlock's except, or narrow the cidr to the addresses the pods need",
	Why: "the credential-theft path of a compromised pod: the instance metadata service hands out the node's cloud " +
		"credentials (the EKS best-practices guide blocks it from pods); egress rules with 0.0.0.0/0 open it unless they except it",
	Level:    engine.Mandatory,
	Kinds:    []string{"NetworkPolicy"},
	Params:   &egressMetadataParams{MetadataAddresses: []string{"169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200"}},
	Resource: checkEgressMetadata,
}

// egressMetadataParams are the parameters of network-policy-egress-metadata.
type egressMetadataParams struct {
	MetadataAddresses []string `param:"metadataAddresses" pattern:"^[0-9A-Fa-f.:]+$" help:"IP addresses no egress rule may admit: AWS/GCP/Azure instance metadata, ECS task metadata, AWS instance metadata over IPv6, Alibaba Cloud metadata"`
}

// linkLocal4 is the IPv4 link-local range every cloud's 169.254.x metadata endpoints sit in.
var linkLocal4 = netip.MustParsePrefix("169.254.0.0/16")

func checkEgressMetadata(o *engine.Object, c *engine.Config) []engine.Result {
	subject := o.Subject()
	addrs, bad := metadataAddrs(c.Params.(*egressMetadataParams).MetadataAddresses)
	if bad != "" {
		return []engine.Result{engine.Violation(o, subject, bad, "fix the value in the policy pack config, or remove it to use the default")}
	}
	if len(addrs) == 0 {
		return nil // configured to protect no address
	}
	np := o.Typed.(*networkingv1.NetworkPolicy)
	// Only computed policy types are not known: a patch that leaves them out is judged as if they
	// were absent (its egress rules enforced), failing closed on the live value the pack cannot see.
	typesComputed := o.ComputedNear("spec.policyTypes")
	if !typesComputed && len(np.Spec.PolicyTypes) > 0 && !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) {
		return nil // Kubernetes ignores the egress rules of a policy whose policyTypes leave out Egress
	}
	if o.Unknown("spec.egress") {
		return []engine.Result{engine.Undecided(o, subject, "spec.egress")}
	}
	// Past spec.egress only computed values are not known: a patch replaces the whole list (it has no
	// merge strategy), so what an egress rule of a patch leaves out is absent, not the live value.
	var violations, undecided []engine.Result
	for i, rule := range np.Spec.Egress {
		path := engine.JoinIndex("spec.egress", i)
		switch {
		case o.Computed(path) || o.Computed(path+".to"):
			undecided = append(undecided, engine.Undecided(o, subject, path+".to"))
			continue
		case len(rule.To) == 0:
			// No peers means any destination, whatever the ports (they narrow ports, not addresses).
			violations = append(violations, engine.Violation(o, subject,
				fmt.Sprintf("egress rule %s has no \"to\", so it admits every destination, cloud metadata %s among them",
					path, addressNoun(addrs)),
				"list the destinations in \"to\": podSelector or namespaceSelector peers for traffic in the cluster, and for "+
					"outside traffic "+allowAllBut(addrs)))
			continue
		}
		for j, peer := range rule.To {
			v, u := judgePeer(o, path, j, peer, addrs)
			violations, undecided = append(violations, v...), append(undecided, u...)
		}
	}
	if typesComputed && len(violations) > 0 {
		// Whether Kubernetes applies these rules depends on the policy types, not known yet.
		return append([]engine.Result{engine.Undecided(o, subject, "spec.policyTypes")}, undecided...)
	}
	return append(violations, undecided...)
}

// judgePeer judges peer j of the egress rule at path rule: the addresses its ipBlock admits, a CIDR
// that does not parse, or a value not known yet. Pod and namespace selectors admit no outside address.
func judgePeer(o *engine.Object, rule string, j int, peer networkingv1.NetworkPolicyPeer, addrs []netip.Addr) (violations, undecided []engine.Result) {
	subject := o.Subject()
	path := engine.JoinIndex(rule+".to", j)
	block := path + ".ipBlock"
	switch {
	case o.Computed(path) || o.Computed(block):
		return nil, []engine.Result{engine.Undecided(o, subject, block)}
	case peer.IPBlock == nil && peer.PodSelector == nil && peer.NamespaceSelector == nil:
		// The API refuses such a peer; it is what is left of a misspelt key (ipblock), which the decoding drops.
		return []engine.Result{engine.Violation(o, subject,
			fmt.Sprintf("egress peer %s sets none of ipBlock, podSelector and namespaceSelector, so what rule %s admits cannot be judged", path, rule),
			"spell the peer's key as the API does (ipBlock, podSelector, namespaceSelector)")}, nil
	case peer.IPBlock == nil:
		return nil, nil
	case o.Computed(block + ".cidr"):
		return nil, []engine.Result{engine.Undecided(o, subject, block+".cidr")}
	}
	var admitted []netip.Addr
	cidr, err := parseCIDR(peer.IPBlock.CIDR)
	if err != nil {
		violations = append(violations, unparsable(o, rule, block+".cidr", peer.IPBlock.CIDR))
	} else {
		for _, a := range addrs {
			if cidr.Contains(a) {
				admitted = append(admitted, a)
			}
		}
	}
	exceptUnknown := o.Computed(block + ".except")
	for k, e := range peer.IPBlock.Except {
		epath := engine.JoinIndex(block+".except", k)
		if o.Computed(epath) {
			exceptUnknown = true
			continue
		}
		ex, err := parseCIDR(e)
		if err != nil {
			violations = append(violations, unparsable(o, rule, epath, e))
			continue
		}
		admitted = slices.DeleteFunc(admitted, ex.Contains)
	}
	switch {
	case len(admitted) == 0:
	case exceptUnknown:
		undecided = append(undecided, engine.Undecided(o, subject, block+".except"))
	default:
		them := "them"
		if len(admitted) == 1 {
			them = "it"
		}
		except := ""
		if len(peer.IPBlock.Except) > 0 {
			except = " (except " + strings.Join(peer.IPBlock.Except, ", ") + ")"
		}
		violations = append(violations, engine.Violation(o, subject,
			fmt.Sprintf("egress rule %s admits cloud metadata %s: %s cidr %s%s contains %s and no except does",
				rule, addressNoun(admitted), block, peer.IPBlock.CIDR, except, them),
			exceptFix(cidr, admitted)))
	}
	return violations, undecided
}

// unparsable reports a cidr or except that is not a CIDR: the pack fails closed on it.
func unparsable(o *engine.Object, rule, path, value string) engine.Result {
	return engine.Violation(o, o.Subject(),
		fmt.Sprintf("%s %q is not a CIDR, so whether egress rule %s admits a cloud metadata address cannot be judged", path, value, rule),
		"write it as an address and a prefix length, such as 10.0.0.0/8 or fd00::/8 (the API server refuses it too)")
}

// parseCIDR parses an ipBlock CIDR as a masked prefix. An IPv4-mapped IPv6 prefix (::ffff:0:0/96)
// is read as the IPv4 prefix it maps, as Go's net package and the network plugins built on it read it.
func parseCIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, err
	}
	p = p.Masked()
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p, nil
}

// metadataAddrs parses the configured addresses (IPv4-mapped ones as IPv4), dropping repeats, or
// says which one is not an address.
func metadataAddrs(configured []string) (addrs []netip.Addr, bad string) {
	for i, s := range configured {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Sprintf("parameter metadataAddresses item %d %q is not an IP address", i, s)
		}
		if a = a.Unmap(); !slices.Contains(addrs, a) {
			addrs = append(addrs, a)
		}
	}
	return addrs, ""
}

// addressNoun names addresses: "address 169.254.169.254", "addresses 169.254.169.254 and 169.254.170.2".
func addressNoun(addrs []netip.Addr) string {
	words := addrWords(addrs)
	if len(words) == 1 {
		return "address " + words[0]
	}
	return "addresses " + joinAnd(words)
}

// addrWords renders addresses.
func addrWords(addrs []netip.Addr) []string {
	words := make([]string, len(addrs))
	for i, a := range addrs {
		words[i] = a.String()
	}
	return words
}

// exceptFor returns the except entry that leaves addr out of cidr: the whole IPv4 link-local range
// when it lies strictly within cidr, else the address alone. ok is false when not even the address
// alone lies strictly within cidr, as the API requires of an except.
func exceptFor(cidr netip.Prefix, addr netip.Addr) (except netip.Prefix, ok bool) {
	var candidates []netip.Prefix
	if linkLocal4.Contains(addr) {
		candidates = append(candidates, linkLocal4)
	}
	for _, c := range append(candidates, netip.PrefixFrom(addr, addr.BitLen())) {
		if cidr.Contains(c.Addr()) && c.Bits() > cidr.Bits() {
			return c, true
		}
	}
	return netip.Prefix{}, false
}

// excepts returns the except entries that leave addrs out of cidr, without repeats.
func excepts(cidr netip.Prefix, addrs []netip.Addr) (out []string, ok bool) {
	for _, a := range addrs {
		e, fits := exceptFor(cidr, a)
		if !fits {
			return nil, false
		}
		if !slices.Contains(out, e.String()) {
			out = append(out, e.String())
		}
	}
	return out, true
}

// exceptFix says how to leave addrs out of an ipBlock's cidr.
func exceptFix(cidr netip.Prefix, addrs []netip.Addr) string {
	if entries, ok := excepts(cidr, addrs); ok {
		return "add " + joinAnd(entries) + " to its except, or narrow the cidr to the addresses the pods need"
	}
	return "narrow the cidr so it leaves out " + joinAnd(addrWords(addrs)) + ", or remove the peer"
}

// allowAllBut renders ipBlocks that admit every outside address but addrs.
func allowAllBut(addrs []netip.Addr) string {
	var blocks []string
	for _, all := range []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")} {
		var family []netip.Addr
		for _, a := range addrs {
			if a.Is4() == all.Addr().Is4() {
				family = append(family, a)
			}
		}
		if len(family) == 0 {
			continue
		}
		entries, _ := excepts(all, family)
		blocks = append(blocks, fmt.Sprintf("ipBlock {cidr: %q, except: [%s]}", all.String(), strings.Join(entries, ", ")))
	}
	if len(blocks) == 0 {
		return "ipBlocks that leave out the cloud metadata addresses"
	}
	return joinAnd(blocks)
}
