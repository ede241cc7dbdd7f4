package components

import (
	"fmt"
	"maps"
	"slices"

	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// NetworkPolicies denies all ingress in the namespace, then admits exactly the flows of the review's
// diagram, one policy per receiving workload.
type NetworkPolicies struct {
	pulumi.ResourceState

	// Policies are the names of the NetworkPolicies.
	Policies pulumi.StringArrayOutput `pulumi:"policies"`
}

// NetworkPoliciesArgs configures NetworkPolicies.
type NetworkPoliciesArgs struct {
	// Config is the validated stack configuration; only in-cluster data services get a policy.
	Config *config.Config
	// Foundation supplies the namespace.
	Foundation *Foundation
}

// allow admits traffic from some pods of the namespace, or from a whole other namespace, on ports.
type allow struct {
	pods      []string
	namespace string
	ports     []int
}

// peer is a workload as the network sees it: the port it serves (0 for none), the port Prometheus
// scrapes (0 for none), whether the ingress controller reaches it, and the workloads it connects to.
type peer struct {
	name              string
	port, metricsPort int
	public            bool
	calls             []string
}

// peers are every workload of the stack: the applications, the in-cluster data services and monitoring.
func peers(c *config.Config) []peer {
	var all []peer
	for _, app := range applications {
		p := peer{name: app.name, port: app.port, public: app.public, calls: app.calls}
		if app.scraped {
			p.metricsPort = app.port
		}
		all = append(all, p)
	}
	for _, ds := range dataServices {
		if !ds.settings(c).IsExternal() {
			all = append(all, peer{name: ds.name, port: ds.port, metricsPort: ds.metricsPort})
		}
	}
	return append(all, monitoringPeers...)
}

// monitoringPeers are how the network sees the monitoring layer: Grafana queries Prometheus. Prometheus
// scrapes every peer's metrics port.
var monitoringPeers = []peer{
	{name: PrometheusName, port: prometheusPort},
	{name: GrafanaName, port: grafanaPort, calls: []string{PrometheusName}},
}

// flows are the review's diagram, derived from the peers: who may reach each serving workload. A
// workload admits the ingress controller when public, then every peer that calls it, then Prometheus on
// its metrics port.
func flows(c *config.Config) map[string][]allow {
	all := peers(c)
	f := map[string][]allow{}
	for _, to := range all {
		if to.port == 0 {
			continue
		}
		var rules []allow
		if to.public {
			rules = append(rules, allow{namespace: c.Ingress.ControllerNamespace, ports: []int{to.port}})
		}
		var callers []string
		for _, from := range all {
			if slices.Contains(from.calls, to.name) {
				callers = append(callers, from.name)
			}
		}
		if len(callers) > 0 {
			rules = append(rules, allow{pods: callers, ports: []int{to.port}})
		}
		if to.metricsPort != 0 {
			rules = append(rules, allow{pods: []string{PrometheusName}, ports: []int{to.metricsPort}})
		}
		if len(rules) > 0 {
			f[to.name] = rules
		}
	}
	return f
}

// NewNetworkPolicies registers the default deny and one allow policy per receiving workload.
func NewNetworkPolicies(ctx *pulumi.Context, name string, args *NetworkPoliciesArgs, opts ...pulumi.ResourceOption) (*NetworkPolicies, error) {
	n := &NetworkPolicies{}
	l, err := register(ctx, "NetworkPolicies", name, n, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	var names []pulumi.StringOutput
	policy := func(object string, selector metav1.LabelSelectorArgs, rules networkingv1.NetworkPolicyIngressRuleArray) error {
		np, err := networkingv1.NewNetworkPolicy(ctx, l.child(object), &networkingv1.NetworkPolicyArgs{
			Metadata: l.scope.meta(object, "network"),
			Spec: networkingv1.NetworkPolicySpecArgs{
				PodSelector: selector,
				PolicyTypes: pulumi.ToStringArray([]string{"Ingress"}),
				Ingress:     rules,
			},
		}, l.opts(nil)...)
		if err != nil {
			return fmt.Errorf("network policy %s: %w", object, err)
		}
		names = append(names, np.Metadata.Name().Elem())
		return nil
	}
	if err := policy("default-deny-ingress", metav1.LabelSelectorArgs{}, nil); err != nil {
		return nil, err
	}
	f := flows(args.Config)
	for _, target := range slices.Sorted(maps.Keys(f)) {
		rules := networkingv1.NetworkPolicyIngressRuleArray{}
		for _, a := range f[target] {
			rules = append(rules, l.scope.ingressRule(a))
		}
		selector := metav1.LabelSelectorArgs{MatchLabels: l.scope.selectorLabels(target)}
		if err := policy("allow-to-"+target, selector, rules); err != nil {
			return nil, err
		}
	}
	n.Policies = pulumi.ToStringArrayOutput(names)
	return n, l.done(pulumi.Map{"policies": n.Policies})
}

// ingressRule admits one allow.
func (s scope) ingressRule(a allow) networkingv1.NetworkPolicyIngressRuleArgs {
	peers := networkingv1.NetworkPolicyPeerArray{}
	if a.namespace != "" {
		peers = append(peers, networkingv1.NetworkPolicyPeerArgs{NamespaceSelector: metav1.LabelSelectorArgs{
			MatchLabels: pulumi.StringMap{"kubernetes.io/metadata.name": pulumi.String(a.namespace)},
		}})
	}
	if len(a.pods) > 0 {
		peers = append(peers, networkingv1.NetworkPolicyPeerArgs{PodSelector: metav1.LabelSelectorArgs{
			MatchLabels: pulumi.StringMap{instanceLabel: pulumi.String(s.instance)},
			MatchExpressions: metav1.LabelSelectorRequirementArray{metav1.LabelSelectorRequirementArgs{
				Key: pulumi.String(nameLabel), Operator: pulumi.String("In"), Values: pulumi.ToStringArray(a.pods),
			}},
		}})
	}
	ports := networkingv1.NetworkPolicyPortArray{}
	for _, p := range a.ports {
		ports = append(ports, networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("TCP"), Port: pulumi.Int(p)})
	}
	return networkingv1.NetworkPolicyIngressRuleArgs{From: peers, Ports: ports}
}
