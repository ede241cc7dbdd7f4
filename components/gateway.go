package components

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// gatewayAPIVersion is the Gateway API's standard channel (sigs.k8s.io/gateway-api).
const gatewayAPIVersion = "gateway.networking.k8s.io/v1"

// gatewayHost is one public host in gateway mode: its listener (when the stack registers the Gateway),
// its HTTPRoute, the Service behind it, and the path prefixes that must reach no backend.
type gatewayHost struct {
	listener, host, service string
	port                    int
	// refused are path prefixes whose rule has no backendRefs: the Gateway answers them with a 500
	// (the Gateway API's rule for a rule that forwards nowhere), whatever the backend serves.
	refused []string
	// parent is the Gateway the route attaches to.
	parent config.ParentRef
}

// gatewayHosts are the three public hosts, each attached to the Gateway the config names: the stack's
// own (one listener per host), the configured parentRef, and for the employee portal portalParentRef
// when set (a Gateway restricted to the office and VPN ranges).
func gatewayHosts(c *config.Config) []gatewayHost {
	supportHost, portalHost, apiHost := hosts(c.Domain)
	g := c.Ingress.Gateway
	parent := func(listener string) config.ParentRef {
		if g.Create {
			return config.ParentRef{Name: IngressName, SectionName: listener}
		}
		return g.ParentRef
	}
	portal := parent("portal")
	if g.PortalParentRef.Name != "" {
		portal = g.PortalParentRef
	}
	return []gatewayHost{
		{listener: "support", host: supportHost, service: ExternalPortalName, port: portalPort, parent: parent("support")},
		{listener: "api", host: apiHost, service: APIName, port: apiPort, refused: []string{"/metrics"}, parent: parent("api")},
		{listener: "portal", host: portalHost, service: InternalPortalName, port: portalPort, parent: portal},
	}
}

// gatewayRoutes registers, in gateway mode, the Gateway when the stack owns it and one HTTPRoute per
// host to the same Services and ports the Ingresses use.
func (b *builder) gatewayRoutes(c *config.Config) error {
	all := gatewayHosts(c)
	if c.Ingress.Gateway.Create {
		if err := b.newGateway(c, all); err != nil {
			return err
		}
	}
	for _, h := range all {
		if err := b.newHTTPRoute(h); err != nil {
			return err
		}
	}
	return nil
}

// newGateway registers the stack's Gateway: an HTTPS listener per host attached to it, each with the
// configured certificate Secret or, with a cluster issuer, one cert-manager issues for that listener.
// There is no plain-HTTP listener: nothing answers on port 80.
func (b *builder) newGateway(c *config.Config, all []gatewayHost) error {
	i := c.Ingress
	listeners := []map[string]any{}
	for _, h := range all {
		if h.parent.Name != IngressName || h.parent.Namespace != "" {
			continue // attached to another Gateway (the restricted one of the employee portal)
		}
		listeners = append(listeners, map[string]any{
			"name": h.listener, "hostname": h.host, "port": 443, "protocol": "HTTPS",
			"tls": map[string]any{"mode": "Terminate", "certificateRefs": []map[string]any{
				{"kind": "Secret", "name": tlsSecretName(i, IngressName+"-"+h.listener)},
			}},
			"allowedRoutes": map[string]any{"namespaces": map[string]any{"from": "Same"}},
		})
	}
	meta := b.scope.meta(IngressName, "ingress")
	if i.ClusterIssuer != "" {
		meta.Annotations = pulumi.StringMap{"cert-manager.io/cluster-issuer": pulumi.String(i.ClusterIssuer)}
	}
	if _, err := apiextensions.NewCustomResource(b.ctx, b.child("gateway"), &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(gatewayAPIVersion),
		Kind:       pulumi.String("Gateway"),
		Metadata:   meta,
		OtherFields: map[string]any{"spec": map[string]any{
			"gatewayClassName": i.Gateway.ClassName,
			"listeners":        listeners,
		}},
	}, b.opts(nil)...); err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	return nil
}

// newHTTPRoute registers the HTTPRoute of one host: its refused prefixes first (a rule without backends),
// then everything else to the host's Service.
func (b *builder) newHTTPRoute(h gatewayHost) error {
	parent := map[string]any{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": h.parent.Name}
	if h.parent.Namespace != "" {
		parent["namespace"] = h.parent.Namespace
	}
	if h.parent.SectionName != "" {
		parent["sectionName"] = h.parent.SectionName
	}
	prefix := func(path string) []map[string]any {
		return []map[string]any{{"path": map[string]any{"type": "PathPrefix", "value": path}}}
	}
	rules := []map[string]any{}
	for _, path := range h.refused {
		rules = append(rules, map[string]any{"matches": prefix(path)})
	}
	rules = append(rules, map[string]any{"matches": prefix("/"), "backendRefs": []map[string]any{
		{"kind": "Service", "name": h.service, "port": h.port},
	}})
	name := IngressName + "-" + h.listener
	if _, err := apiextensions.NewCustomResource(b.ctx, b.child("httproute-"+h.listener), &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(gatewayAPIVersion),
		Kind:       pulumi.String("HTTPRoute"),
		Metadata:   b.scope.meta(name, "ingress"),
		OtherFields: map[string]any{"spec": map[string]any{
			"parentRefs": []map[string]any{parent},
			"hostnames":  []string{h.host},
			"rules":      rules,
		}},
	}, b.opts(nil)...); err != nil {
		return fmt.Errorf("http route %s: %w", name, err)
	}
	return nil
}
