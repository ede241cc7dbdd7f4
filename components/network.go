package components

import (
	"fmt"
	"maps"
	"net/netip"
	"net/url"
	"slices"
	"strconv"

	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	k8smeta "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// NetworkPolicies denies all traffic of the namespace in both directions, then allows exactly the flows
// of the review's diagram: DNS to the cluster DNS, one ingress policy per receiving workload and one
// egress policy per sending workload, external endpoints by their address ranges and the LLM provider
// from the API and workers only.
type NetworkPolicies struct {
	pulumi.ResourceState

	// Policies are the names of the NetworkPolicies.
	Policies pulumi.StringArrayOutput `pulumi:"policies"`
}

// NetworkPoliciesArgs configures NetworkPolicies.
type NetworkPoliciesArgs struct {
	// Config is the validated stack configuration.
	Config *config.Config
	// Foundation supplies the namespace.
	Foundation *Foundation
}

// LLMProvider is the name the flows give the language model provider the API and workers call.
const LLMProvider = "llm-provider"

// KubernetesAPI is the name the flows give the cluster's API server, which only the snapshot job calls.
const KubernetesAPI = "kubernetes-api"

// acmeSolverPort is the port cert-manager's HTTP-01 solver pods answer on.
const acmeSolverPort = 8089

// acmeSolverLabel marks cert-manager's HTTP-01 solver pods.
const acmeSolverLabel = "acme.cert-manager.io/http01-solver"

// netPort is a port and its protocol.
type netPort struct {
	number   int
	protocol string
}

// tcp are TCP ports.
func tcp(numbers ...int) []netPort {
	out := make([]netPort, len(numbers))
	for i, n := range numbers {
		out[i] = netPort{n, "TCP"}
	}
	return out
}

// reach is one side of an allowed flow: pods of this namespace by name, pods of another namespace (all
// of them, or those carrying podLabels), pods of this namespace carrying podLabels, or address ranges
// (each minus its except ranges); on ports.
type reach struct {
	pods      []string
	namespace string
	podLabels map[string]string
	cidrs     []string
	except    []string
	ports     []netPort
}

// peer is a workload as the network sees it: the port it serves (0 for none), the port Prometheus
// scrapes (0 for none) and the headless Service through which Prometheus finds its pods, whether the
// ingress controller reaches it, what it connects to (workloads, data services, LLMProvider or
// AlertReceivers), and the ports its replicas reach one another on (a cluster's gossip). job is the scrape
// job and app label of its metrics when they are another workload's (an external service's exporter).
type peer struct {
	name              string
	port, metricsPort int
	metricsService    string
	job               string
	public            bool
	calls             []string
	clusterPorts      []netPort
}

// peers are every workload of the stack: the applications, the in-cluster data services, the external
// services' exporters and monitoring.
func peers(c *config.Config) []peer {
	var all []peer
	for _, app := range applications {
		p := peer{name: app.name, port: app.port, metricsPort: app.metricsPort, public: app.public, calls: telemetryCalls(c, app)}
		if app.metricsPort != 0 {
			p.metricsService = metricsServiceName(app.name)
		}
		all = append(all, p)
	}
	for _, ds := range dataServices {
		if !ds.settings(c).IsExternal() {
			p := peer{name: ds.name, port: ds.port, metricsPort: ds.metricsPort}
			if ds.metricsPort != 0 {
				p.metricsService = headlessServiceName(ds.name)
			}
			all = append(all, p)
		}
	}
	for _, e := range activeExternalExporters(c) {
		all = append(all, peer{
			name: e.name, metricsPort: e.metricsPort, metricsService: headlessServiceName(e.name), job: e.service,
			calls: []string{e.service},
		})
	}
	if c.Backups.SnapshotsEnabled() {
		all = append(all, peer{name: VolumeSnapshotsName, calls: []string{KubernetesAPI}})
	}
	if operatorMode(c) {
		return all
	}
	return append(all, monitoringPeers(c)...)
}

// scraper is who scrapes the metrics ports: the bundled Prometheus, or in operator mode the operator's
// Prometheus pods in their namespace.
func scraper(c *config.Config) reach {
	if operatorMode(c) {
		o := c.Monitoring.Operator
		return reach{namespace: o.Namespace, podLabels: o.PodLabels}
	}
	return reach{pods: []string{PrometheusName}}
}

// monitoringPeers are how the network sees the monitoring layer: Grafana queries Prometheus. Prometheus
// scrapes every peer's metrics port, Alertmanager's included, which is also where it sends alerts.
// Alertmanager notifies the configured receivers, and its replicas, when several, gossip on 9094.
func monitoringPeers(c *config.Config) []peer {
	alertmanager := peer{name: AlertmanagerName, port: alertmanagerPort, metricsPort: alertmanagerPort, metricsService: headlessServiceName(AlertmanagerName)}
	if len(alertReceiverPorts(c)) > 0 {
		alertmanager.calls = []string{AlertReceivers}
	}
	if c.Workloads.Alertmanager.Replicas > 1 {
		alertmanager.clusterPorts = []netPort{{alertmanagerClusterPort, "TCP"}, {alertmanagerClusterPort, "UDP"}}
	}
	return []peer{
		{name: PrometheusName, port: prometheusPort},
		{name: GrafanaName, port: grafanaPort, calls: []string{PrometheusName}},
		alertmanager,
	}
}

// scrapeJob is the job and app label of the peer's metrics: its own name unless it measures another.
func (p peer) scrapeJob() string {
	if p.job != "" {
		return p.job
	}
	return p.name
}

// flows are the namespace's allowed traffic, derived from the peers: what each workload admits and
// what each sends, by workload name.
type flows struct {
	ingress, egress map[string][]reach
}

// allowedFlows derives the review's diagram from the peers. A workload admits the ingress controller when
// public, then every peer that calls it, then Prometheus on its metrics port; it sends to every peer or
// endpoint it calls, and Prometheus to every metrics port.
func allowedFlows(c *config.Config) flows {
	all := peers(c)
	f := flows{ingress: map[string][]reach{}, egress: map[string][]reach{}}
	byName := map[string]peer{}
	for _, p := range all {
		byName[p.name] = p
	}
	for _, to := range all {
		if to.public {
			f.ingress[to.name] = append(f.ingress[to.name], reach{namespace: c.Ingress.EdgeNamespace(), ports: tcp(to.port)})
		}
		var callers []string
		for _, from := range all {
			if slices.Contains(from.calls, to.name) {
				callers = append(callers, from.name)
			}
		}
		if len(callers) > 0 {
			f.ingress[to.name] = append(f.ingress[to.name], reach{pods: callers, ports: tcp(to.port)})
		}
		if to.metricsPort != 0 {
			from := scraper(c)
			from.ports = tcp(to.metricsPort)
			f.ingress[to.name] = append(f.ingress[to.name], from)
			if !operatorMode(c) {
				f.egress[PrometheusName] = append(f.egress[PrometheusName], reach{pods: []string{to.name}, ports: tcp(to.metricsPort)})
			}
		}
		if len(to.clusterPorts) > 0 {
			replicas := reach{pods: []string{to.name}, ports: to.clusterPorts}
			f.ingress[to.name] = append(f.ingress[to.name], replicas)
			f.egress[to.name] = append(f.egress[to.name], replicas)
		}
	}
	if keda, ok := kedaOperatorReach(c); ok {
		f.ingress[RedisName] = append(f.ingress[RedisName], keda)
	}
	for _, from := range all {
		for _, callee := range from.calls {
			if to, ok := byName[callee]; ok {
				f.egress[from.name] = append(f.egress[from.name], reach{pods: []string{to.name}, ports: tcp(to.port)})
			} else if dest, ok := outsideDestination(c, callee); ok {
				f.egress[from.name] = append(f.egress[from.name], dest)
			}
		}
	}
	return f
}

// outsideDestination is where a call to something outside the namespace goes: an external data service's
// address ranges on its port, the LLM provider, or Alertmanager's receivers.
func outsideDestination(c *config.Config, callee string) (reach, bool) {
	switch callee {
	case LLMProvider:
		return llmDestination(c), true
	case AlertReceivers:
		return alertReceiverDestination(c), true
	case KubernetesAPI:
		return reach{cidrs: c.Backups.APIServerCIDRs, ports: tcp(c.Backups.APIServerPort)}, true
	case TelemetryCollector:
		return telemetryDestination(c), true
	case ObjectStorage:
		return objectStorageDestination(c)
	}
	for _, ds := range dataServices {
		if ds.name == callee && ds.settings(c).IsExternal() {
			s := ds.settings(c)
			return reach{cidrs: s.CIDRs, ports: tcp(s.Port)}, true
		}
	}
	return reach{}, false
}

// nonPublicRanges are never the internet: private, shared (CGNAT), loopback and link-local ranges, where
// the cluster, the cloud's private networks and the metadata endpoint live.
var nonPublicRanges = []string{
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
	"fc00::/7", "fe80::/10", "::1/128",
}

// llmDestination is the LLM provider: the pods of its namespace when it runs in the cluster, its address
// ranges when configured, otherwise every public address; on the base URL's port.
func llmDestination(c *config.Config) reach {
	port := urlPort(c.LLM.BaseURL)
	switch {
	case c.LLM.Namespace != "":
		return reach{namespace: c.LLM.Namespace, ports: tcp(port)}
	case len(c.LLM.CIDRs) > 0:
		return reach{cidrs: c.LLM.CIDRs, ports: tcp(port)}
	}
	return publicDestination(c, tcp(port))
}

// publicDestination is every public address on ports: never the private, shared (CGNAT), loopback or
// link-local ranges, nor network.clusterCIDRs.
func publicDestination(c *config.Config, ports []netPort) reach {
	excluded := append(slices.Clone(nonPublicRanges), c.Network.ClusterCIDRs...)
	return reach{cidrs: []string{"0.0.0.0/0", "::/0"}, except: excluded, ports: ports}
}

// urlPort is an http(s) URL's port: explicit, or the scheme's (the LLM's base URL, the bucket's and the
// collector's endpoints).
func urlPort(raw string) int {
	u, err := url.Parse(raw)
	if err != nil {
		return 443
	}
	if p, err := strconv.Atoi(u.Port()); err == nil {
		return p
	}
	if u.Scheme == "http" {
		return 80
	}
	return 443
}

// NewNetworkPolicies registers the default deny, DNS, and one allow policy per receiving and per sending
// workload.
func NewNetworkPolicies(ctx *pulumi.Context, name string, args *NetworkPoliciesArgs, opts ...pulumi.ResourceOption) (*NetworkPolicies, error) {
	n := &NetworkPolicies{}
	b, err := register(ctx, "NetworkPolicies", name, n, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	c := args.Config
	var names []pulumi.StringOutput
	policy := func(object string, selector metav1.LabelSelectorArgs, spec networkingv1.NetworkPolicySpecArgs) error {
		spec.PodSelector = selector
		np, err := networkingv1.NewNetworkPolicy(ctx, b.child(object), &networkingv1.NetworkPolicyArgs{
			Metadata: b.scope.meta(object, "network"),
			Spec:     spec,
		}, b.opts(nil)...)
		if err != nil {
			return fmt.Errorf("network policy %s: %w", object, err)
		}
		names = append(names, np.Metadata.Name().Elem())
		return nil
	}
	everyPod := metav1.LabelSelectorArgs{}
	if err := policy("default-deny", everyPod, networkingv1.NetworkPolicySpecArgs{
		PolicyTypes: pulumi.ToStringArray([]string{ingressPolicy, egressPolicy}),
	}); err != nil {
		return nil, err
	}
	if err := policy("allow-dns", everyPod, b.scope.policySpec(egressPolicy, []reach{dnsDestination(c)})); err != nil {
		return nil, err
	}
	f := allowedFlows(c)
	for _, target := range slices.Sorted(maps.Keys(f.ingress)) {
		if err := policy("allow-to-"+target, b.scope.workloadSelector(target), b.scope.policySpec(ingressPolicy, f.ingress[target])); err != nil {
			return nil, err
		}
	}
	for _, source := range slices.Sorted(maps.Keys(f.egress)) {
		if err := policy("allow-from-"+source, b.scope.workloadSelector(source), b.scope.policySpec(egressPolicy, f.egress[source])); err != nil {
			return nil, err
		}
	}
	if c.Ingress.ClusterIssuer != "" && c.Ingress.ACMESolver == config.HTTP01 {
		solvers := metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{acmeSolverLabel: pulumi.String("true")}}
		rules := []reach{{namespace: c.Ingress.EdgeNamespace(), ports: tcp(acmeSolverPort)}}
		if err := policy("allow-to-acme-http01-solver", solvers, b.scope.policySpec(ingressPolicy, rules)); err != nil {
			return nil, err
		}
	}
	n.Policies = pulumi.ToStringArrayOutput(names)
	return n, b.done(pulumi.Map{"policies": n.Policies})
}

// dnsDestination is the cluster DNS on port 53 over UDP and TCP.
func dnsDestination(c *config.Config) reach {
	// Validation parsed the selector already.
	sel, _ := k8smeta.ParseToLabelSelector(c.Network.DNS.PodSelector)
	return reach{namespace: c.Network.DNS.Namespace, podLabels: sel.MatchLabels, ports: []netPort{{53, "UDP"}, {53, "TCP"}}}
}

// workloadSelector selects one workload's pods.
func (s scope) workloadSelector(name string) metav1.LabelSelectorArgs {
	return metav1.LabelSelectorArgs{MatchLabels: s.selectorLabels(name)}
}

// The directions of a NetworkPolicy, as policyTypes spells them.
const (
	ingressPolicy = "Ingress"
	egressPolicy  = "Egress"
)

// policySpec allows the reaches in one direction: Ingress admits traffic from them, Egress lets the
// selected pods send to them.
func (s scope) policySpec(direction string, reaches []reach) networkingv1.NetworkPolicySpecArgs {
	from, to := networkingv1.NetworkPolicyIngressRuleArray{}, networkingv1.NetworkPolicyEgressRuleArray{}
	for _, r := range reaches {
		peers, ports := s.peersAndPorts(r)
		from = append(from, networkingv1.NetworkPolicyIngressRuleArgs{From: peers, Ports: ports})
		to = append(to, networkingv1.NetworkPolicyEgressRuleArgs{To: peers, Ports: ports})
	}
	spec := networkingv1.NetworkPolicySpecArgs{PolicyTypes: pulumi.ToStringArray([]string{direction})}
	if direction == ingressPolicy {
		spec.Ingress = from
	} else {
		spec.Egress = to
	}
	return spec
}

// peersAndPorts are a reach's peers and ports as the NetworkPolicy API spells them.
func (s scope) peersAndPorts(r reach) (networkingv1.NetworkPolicyPeerArray, networkingv1.NetworkPolicyPortArray) {
	peers := networkingv1.NetworkPolicyPeerArray{}
	labels := func(m map[string]string) metav1.LabelSelectorArgs {
		return metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(m)}
	}
	switch {
	case r.namespace != "":
		p := networkingv1.NetworkPolicyPeerArgs{NamespaceSelector: labels(map[string]string{"kubernetes.io/metadata.name": r.namespace})}
		if len(r.podLabels) > 0 {
			p.PodSelector = labels(r.podLabels)
		}
		peers = append(peers, p)
	case len(r.pods) > 0:
		peers = append(peers, networkingv1.NetworkPolicyPeerArgs{PodSelector: metav1.LabelSelectorArgs{
			MatchLabels: pulumi.StringMap{instanceLabel: pulumi.String(s.instance)},
			MatchExpressions: metav1.LabelSelectorRequirementArray{metav1.LabelSelectorRequirementArgs{
				Key: pulumi.String(nameLabel), Operator: pulumi.String("In"), Values: pulumi.ToStringArray(r.pods),
			}},
		}})
	}
	for _, cidr := range r.cidrs {
		block := networkingv1.IPBlockArgs{Cidr: pulumi.String(cidr)}
		if except := exceptWithin(cidr, r.except); len(except) > 0 {
			block.Except = pulumi.ToStringArray(except)
		}
		peers = append(peers, networkingv1.NetworkPolicyPeerArgs{IpBlock: block})
	}
	ports := networkingv1.NetworkPolicyPortArray{}
	for _, p := range r.ports {
		ports = append(ports, networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String(p.protocol), Port: pulumi.Int(p.number)})
	}
	return peers, ports
}

// exceptWithin are the except ranges of the same address family that lie inside cidr, as an ipBlock
// requires.
func exceptWithin(cidr string, except []string) []string {
	outer, err := netip.ParsePrefix(cidr)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range except {
		inner, err := netip.ParsePrefix(e)
		if err == nil && inner.Addr().Is4() == outer.Addr().Is4() && inner.Bits() > outer.Bits() && outer.Contains(inner.Addr()) {
			out = append(out, e)
		}
	}
	return out
}
