package checks

import (
	"slices"
	"strings"
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// egressPolicy is a NetworkPolicy in namespace rag over the api pods with the given rest of its spec.
func egressPolicy(name, rest string) string {
	return networkPolicy(name, "rag", "{podSelector: {matchLabels: {app: api}}, "+rest+"}")
}

// The fixes the messages give, for the default addresses.
const (
	metadataAll     = "cloud metadata addresses 169.254.169.254, 169.254.170.2, fd00:ec2::254 and 100.100.100.200"
	noToFix         = `; list the destinations in "to": podSelector or namespaceSelector peers for traffic in the cluster, and for outside traffic ipBlock {cidr: "0.0.0.0/0", except: [169.254.0.0/16, 100.100.100.200/32]} and ipBlock {cidr: "::/0", except: [fd00:ec2::254/128]}`
	ipv4AllFix      = "; add 169.254.0.0/16 and 100.100.100.200/32 to its except, or narrow the cidr to the addresses the pods need"
	unparsableFix   = "; write it as an address and a prefix length, such as 10.0.0.0/8 or fd00::/8 (the API server refuses it too)"
	metadataV4      = "cloud metadata addresses 169.254.169.254, 169.254.170.2 and 100.100.100.200"
	egressMetaName  = "network-policy-egress-metadata"
	compliantEgress = `{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16, 100.64.0.0/10]}},
    {ipBlock: {cidr: "::/0", except: ["fc00::/7", "fe80::/10"]}}], ports: [{port: 443}]}`
)

func TestNetworkPolicyEgressMetadata(t *testing.T) {
	subject := `NetworkPolicy "api-out": `
	runTable(t, NetworkPolicyEgressMetadata, []checkCase{
		{name: "outside traffic except private and link-local ranges, DNS and a private database subnet pass", manifests: []string{
			egressPolicy("api-out", "policyTypes: [Egress], egress: ["+compliantEgress+`,
    {to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}],
     ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]},
    {to: [{ipBlock: {cidr: 10.20.0.0/16}}], ports: [{port: 5432}]},
    {to: [{podSelector: {}}]}]`),
			networkPolicy("default-deny", "rag", "{podSelector: {}, policyTypes: [Ingress, Egress]}"),
		}},
		{name: "an ingress-only policy's egress section is ignored, as Kubernetes ignores it", manifests: []string{
			egressPolicy("api-out", "policyTypes: [Ingress], ingress: [{from: [{podSelector: {}}]}], egress: [{}, {to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]"),
		}},
		{name: "an egress rule with no to admits every destination", manifests: []string{
			egressPolicy("api-out", "policyTypes: [Egress], egress: [{to: [{podSelector: {}}]}, {}]"),
		}, want: []string{
			subject + `egress rule spec.egress[1] has no "to", so it admits every destination, ` + metadataAll + " among them" + noToFix,
		}},
		{name: "an empty to limited to port 443 still admits every destination", manifests: []string{
			egressPolicy("api-out", "policyTypes: [Egress], egress: [{to: [], ports: [{port: 443, protocol: TCP}]}]"),
		}, want: []string{
			subject + `egress rule spec.egress[0] has no "to", so it admits every destination, ` + metadataAll + " among them" + noToFix,
		}},
		{name: "0.0.0.0/0 without except admits the IPv4 endpoints", manifests: []string{
			egressPolicy("api-out", "policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 443}]}]"),
		}, want: []string{
			subject + "egress rule spec.egress[0] admits " + metadataV4 + ": spec.egress[0].to[0].ipBlock cidr 0.0.0.0/0 contains them and no except does" + ipv4AllFix,
		}},
		{name: "0.0.0.0/0 excepting only the private 10/8 admits them", manifests: []string{
			egressPolicy("api-out", "policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]}]"),
		}, want: []string{
			subject + "egress rule spec.egress[0] admits " + metadataV4 + ": spec.egress[0].to[0].ipBlock cidr 0.0.0.0/0 (except 10.0.0.0/8) contains them and no except does" + ipv4AllFix,
		}},
		{name: "the link-local range itself is refused", manifests: []string{
			egressPolicy("api-out", "policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 169.254.0.0/16}}]}]"),
		}, want: []string{
			subject + "egress rule spec.egress[0] admits cloud metadata addresses 169.254.169.254 and 169.254.170.2: spec.egress[0].to[0].ipBlock cidr 169.254.0.0/16 contains them and no except does" +
				"; add 169.254.169.254/32 and 169.254.170.2/32 to its except, or narrow the cidr to the addresses the pods need",
		}},
		{name: "the metadata endpoint alone is refused, and no except can fix it", manifests: []string{
			egressPolicy("api-out", "policyTypes: [Egress], egress: [{to: [{podSelector: {}}]}, {to: [{podSelector: {}}]}, {to: [{podSelector: {}}, {ipBlock: {cidr: 169.254.169.254/32}}], ports: [{port: 80}]}]"),
		}, want: []string{
			subject + "egress rule spec.egress[2] admits cloud metadata address 169.254.169.254: spec.egress[2].to[1].ipBlock cidr 169.254.169.254/32 contains it and no except does" +
				"; narrow the cidr so it leaves out 169.254.169.254, or remove the peer",
		}},
		{name: "::/0 without an IPv6 except admits the AWS IPv6 endpoint", manifests: []string{
			egressPolicy("api-out", `policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.0.0/16, 100.64.0.0/10]}}, {ipBlock: {cidr: "::/0"}}]}]`),
		}, want: []string{
			subject + "egress rule spec.egress[0] admits cloud metadata address fd00:ec2::254: spec.egress[0].to[1].ipBlock cidr ::/0 contains it and no except does" +
				"; add fd00:ec2::254/128 to its except, or narrow the cidr to the addresses the pods need",
		}},
		{name: "excepting the IMDS address alone still admits ECS task metadata and Alibaba's", manifests: []string{
			egressPolicy("api-out", "policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}]"),
		}, want: []string{
			subject + "egress rule spec.egress[0] admits cloud metadata addresses 169.254.170.2 and 100.100.100.200: spec.egress[0].to[0].ipBlock cidr 0.0.0.0/0 (except 169.254.169.254/32) contains them and no except does" +
				"; add 169.254.0.0/16 and 100.100.100.200/32 to its except, or narrow the cidr to the addresses the pods need",
		}},
		{name: "an IPv4-mapped IPv6 CIDR is read as the IPv4 range it maps", manifests: []string{
			egressPolicy("api-out", `policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: "::ffff:0.0.0.0/96", except: ["::ffff:169.254.169.254/128"]}}]}]`),
		}, want: []string{
			subject + "egress rule spec.egress[0] admits cloud metadata addresses 169.254.170.2 and 100.100.100.200: spec.egress[0].to[0].ipBlock cidr ::ffff:0.0.0.0/96 (except ::ffff:169.254.169.254/128) contains them and no except does" +
				"; add 169.254.0.0/16 and 100.100.100.200/32 to its except, or narrow the cidr to the addresses the pods need",
		}},
		{name: "without policyTypes an egress section is enforced, so judged", manifests: []string{
			egressPolicy("api-out", "egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]"),
		}, want: []string{
			subject + "egress rule spec.egress[0] admits " + metadataV4 + ": spec.egress[0].to[0].ipBlock cidr 0.0.0.0/0 contains them and no except does" + ipv4AllFix,
		}},
		{name: "a CIDR or except that does not parse fails closed", manifests: []string{
			egressPolicy("api-out", `policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/33}}]},
    {to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.0.0, 100.64.0.0/10]}}]}]`),
		}, want: []string{
			subject + `spec.egress[0].to[0].ipBlock.cidr "10.0.0.0/33" is not a CIDR, so whether egress rule spec.egress[0] admits a cloud metadata address cannot be judged` + unparsableFix,
			subject + `spec.egress[1].to[0].ipBlock.except[0] "169.254.0.0" is not a CIDR, so whether egress rule spec.egress[1] admits a cloud metadata address cannot be judged` + unparsableFix,
			subject + "egress rule spec.egress[1] admits cloud metadata addresses 169.254.169.254 and 169.254.170.2: spec.egress[1].to[0].ipBlock cidr 0.0.0.0/0 (except 169.254.0.0, 100.64.0.0/10) contains them and no except does" +
				"; add 169.254.0.0/16 to its except, or narrow the cidr to the addresses the pods need",
		}},
		{name: "a wrongly cased ipblock leaves a peer that names nothing, which is refused", manifests: []string{
			egressPolicy("api-out", "policyTypes: [Egress], egress: [{to: [{ipblock: {cidr: 0.0.0.0/0}}]}]"),
		}, want: []string{
			subject + "egress peer spec.egress[0].to[0] sets none of ipBlock, podSelector and namespaceSelector, so what rule spec.egress[0] admits cannot be judged" +
				"; spell the peer's key as the API does (ipBlock, podSelector, namespaceSelector)",
		}},
		{name: "a NetworkPolicyPatch adding an allow-all egress rule is judged on the rules it sets", manifests: []string{`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicyPatch
metadata: {name: api-out, namespace: rag}
spec: {egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}
`}, want: []string{
			`NetworkPolicyPatch "api-out": egress rule spec.egress[0] admits ` + metadataV4 + ": spec.egress[0].to[0].ipBlock cidr 0.0.0.0/0 contains them and no except does" + ipv4AllFix,
		}},
		{name: "the default addresses refuse an except of link-local alone (Alibaba's endpoint stays open)", manifests: []string{
			egressPolicy("api-out", "policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.0.0/16]}}]}]"),
		}, want: []string{
			subject + "egress rule spec.egress[0] admits cloud metadata address 100.100.100.200: spec.egress[0].to[0].ipBlock cidr 0.0.0.0/0 (except 169.254.0.0/16) contains it and no except does" +
				"; add 100.100.100.200/32 to its except, or narrow the cidr to the addresses the pods need",
		}},
		{name: "a configured list narrowed to the AWS endpoints passes the same rule", manifests: []string{
			egressPolicy("api-out", "policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.0.0/16]}}]}]"),
		}, config: map[string]any{"metadataAddresses": []any{"169.254.169.254", "169.254.170.2"}}},
		{name: "a configured address that is not one is a violation, never a silent pass", manifests: []string{
			egressPolicy("api-out", "policyTypes: [Egress], egress: [{to: [{podSelector: {}}]}]"),
		}, config: map[string]any{"metadataAddresses": []any{"169.254.169.254", "169.254.169.2544"}}, want: []string{
			subject + `parameter metadataAddresses item 1 "169.254.169.2544" is not an IP address; fix the value in the policy pack config, or remove it to use the default`,
		}},
		{name: "values unknown during preview are not judged, and known rules that admit nothing pass", manifests: []string{
			egressPolicy("api-out", `policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: "<unknown>"}}]}, {to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, "<unknown>"]}}]},
    {to: [{ipBlock: {cidr: 10.20.0.0/16, except: ["<unknown>"]}}]}, {to: "<unknown>"}, "<unknown>", {to: [{ipBlock: "<unknown>"}]}]`),
			egressPolicy("later", `policyTypes: [Egress], egress: "<unknown>"`),
			egressPolicy("types-later", `policyTypes: "<unknown>", egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]`),
			egressPolicy("types-later-harmless", `policyTypes: ["<unknown>"], egress: [{to: [{ipBlock: {cidr: 10.20.0.0/16}}]}]`),
		}, undecided: []string{
			cannotDecide(`NetworkPolicy "api-out"`, egressMetaName, "spec.egress[0].to[0].ipBlock.cidr"),
			cannotDecide(`NetworkPolicy "api-out"`, egressMetaName, "spec.egress[1].to[0].ipBlock.except"),
			cannotDecide(`NetworkPolicy "api-out"`, egressMetaName, "spec.egress[3].to"),
			cannotDecide(`NetworkPolicy "api-out"`, egressMetaName, "spec.egress[4].to"),
			cannotDecide(`NetworkPolicy "api-out"`, egressMetaName, "spec.egress[5].to[0].ipBlock"),
			cannotDecide(`NetworkPolicy "later"`, egressMetaName, "spec.egress"),
			cannotDecide(`NetworkPolicy "types-later"`, egressMetaName, "spec.policyTypes"),
		}},
	})
}

// A misspelt ipBlock never passes the pack: the object is refused as unreadable, and this policy
// refuses the peer it leaves.
func TestAMisspeltIPBlockIsRefusedByThePack(t *testing.T) {
	rs := parse(t, networkPolicy("api-out", "rag", "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipblock: {cidr: 0.0.0.0/0}}]}]}"))
	got := blocking(rs, engine.Options{})
	for _, want := range []string{
		`kubernetes-object-readable: NetworkPolicy "api-out": spec.egress[0].to[0].ipblock is not a field of networking.k8s.io/v1 NetworkPolicy (field names are case-sensitive); rename it to ipBlock`,
		`network-policy-egress-metadata: NetworkPolicy "api-out": egress peer spec.egress[0].to[0] sets none of ipBlock, podSelector and namespaceSelector, so what rule spec.egress[0] admits cannot be judged; spell the peer's key as the API does (ipBlock, podSelector, namespaceSelector)`,
	} {
		if !slices.Contains(got, want) {
			t.Errorf("missing blocking finding:\n  %s\ngot:\n  %s", want, strings.Join(got, "\n  "))
		}
	}
}

// Through the whole pack the policy is mandatory: an egress rule open to the metadata endpoint fails
// the run, its compliant twin raises nothing at all, and the level can be lowered like any other.
func TestEgressToMetadataFailsThePackRun(t *testing.T) {
	if p, ok := Lookup(egressMetaName); !ok || p != NetworkPolicyEgressMetadata || p.Level != engine.Mandatory || !slices.Contains(ResourcePolicies(), p) {
		t.Fatalf("%s is not a mandatory resource policy of the default pack", egressMetaName)
	}
	open := parse(t, networkPolicy("egress", "rag", "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}], ports: [{port: 443}]}]}"))
	var found bool
	for _, f := range Evaluate(open, engine.Options{}) {
		if f.Policy == egressMetaName {
			found = true
			if !f.Blocking() || f.Level != engine.Mandatory || !strings.Contains(f.Message, "169.254.169.254") {
				t.Errorf("want a blocking mandatory finding naming 169.254.169.254, got %+v", f)
			}
		}
	}
	if !found {
		t.Errorf("%s raised nothing on an egress rule open to the metadata endpoint", egressMetaName)
	}
	advisory := engine.Options{Policies: map[string]engine.PolicyConfig{egressMetaName: {Level: engine.Advisory}}}
	if got := blocking(open, advisory); len(got) != 0 {
		t.Errorf("lowered to advisory, nothing blocks; got %v", got)
	}
	twin := parse(t, networkPolicy("egress", "rag", "{podSelector: {}, policyTypes: [Egress], egress: ["+compliantEgress+"]}"))
	if got := blocking(twin, engine.Options{}); len(got) != 0 {
		t.Errorf("the compliant twin blocks: %v", got)
	}
}

func TestAMetadataHostNameIsRefusedAsAnAddress(t *testing.T) {
	_, err := ParsePackConfig([]byte(`{"` + egressMetaName + `": {"metadataAddresses": ["metadata.google.internal"]}}`))
	if err == nil || !strings.Contains(err.Error(), `"`+egressMetaName+`"`) || !strings.Contains(err.Error(), `"metadataAddresses"`) {
		t.Errorf("want an error naming the policy and metadataAddresses, got %v", err)
	}
	if s := NetworkPolicyEgressMetadata.Schema()["metadataAddresses"]; s["type"] != "array" || len(s["default"].([]any)) != 4 {
		t.Errorf("the schema does not come from the parameter struct: %v", s)
	}
}

func TestAnEmptyAddressListProtectsNothing(t *testing.T) {
	decided, notes := runPolicy(t, NetworkPolicyEgressMetadata, checkCase{
		manifests: []string{egressPolicy("api-out", "policyTypes: [Egress], egress: [{}]")},
		config:    map[string]any{"metadataAddresses": []any{}},
	})
	if len(decided) != 0 || len(notes) != 0 {
		t.Errorf("want nothing with no addresses configured, got %v %v", decided, notes)
	}
}
