package config

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Ingress modes: the nginx Ingress of earlier releases, or the Gateway API's HTTPRoutes.
const (
	IngressNginx   = "nginx"
	IngressGateway = "gateway"
)

// Gateway attaches the three public hosts to a Gateway of the Gateway API (ingress.mode gateway): one the
// stack registers (create) or an existing one (parentRef).
type Gateway struct {
	// Create registers a Gateway of class ClassName in the namespace, with one HTTPS listener per host
	// (no plain-HTTP listener); exclusive with ParentRef.
	Create bool `json:"create"`
	// ClassName is the GatewayClass of the Gateway the stack registers (required with create).
	ClassName string `json:"className"`
	// ParentRef names an existing Gateway the HTTPRoutes attach to; its listeners hold the certificates,
	// so tlsSecretName and clusterIssuer stay unset.
	ParentRef ParentRef `json:"parentRef"`
	// PortalParentRef names the Gateway the employee portal's HTTPRoute attaches to instead, one the
	// operator restricts to the office and VPN ranges (an internal load balancer, say): required in prod,
	// where an HTTPRoute cannot express ingress.portalSourceRanges.
	PortalParentRef ParentRef `json:"portalParentRef"`
	// DataPlaneNamespace is where the Gateway's proxies run; NetworkPolicies admit traffic from it
	// instead of ingress.controllerNamespace (required in gateway mode).
	DataPlaneNamespace string `json:"dataPlaneNamespace"`
}

// ParentRef names a Gateway, and optionally one of its listeners, as an HTTPRoute's parentRefs take it.
type ParentRef struct {
	// Name is the Gateway's name.
	Name string `json:"name"`
	// Namespace is the Gateway's namespace (none: the stack's namespace).
	Namespace string `json:"namespace"`
	// SectionName is the listener the routes attach to (none: every listener that admits them).
	SectionName string `json:"sectionName"`
}

// IsGateway reports whether the hosts are served through the Gateway API rather than the nginx Ingress.
func (i *Ingress) IsGateway() bool { return i.Mode == IngressGateway }

// EdgeNamespace is where the proxies that reach the workloads from outside run: the Gateway's data plane
// in gateway mode, the ingress controller otherwise.
func (i *Ingress) EdgeNamespace() string {
	if i.IsGateway() {
		return i.Gateway.DataPlaneNamespace
	}
	return i.ControllerNamespace
}

// usesExistingGateway reports whether the routes attach to a Gateway the stack does not register, whose
// listeners hold the certificates.
func (i *Ingress) usesExistingGateway() bool { return i.IsGateway() && !i.Gateway.Create }

// validateGateway checks ingress.mode and, in gateway mode, the Gateway the routes attach to, the data
// plane's namespace, and what the Gateway API cannot express (client source ranges, the HTTP-01 solver).
func (c *Config) validateGateway(v *validator) {
	i := &c.Ingress
	g := &i.Gateway
	if i.Mode != IngressNginx && i.Mode != IngressGateway {
		v.refuse(&i.Mode, "must be one of %s, %s", IngressNginx, IngressGateway)
		return
	}
	if !i.IsGateway() {
		return
	}
	v.dnsLabel(c.keyOf(&g.DataPlaneNamespace), g.DataPlaneNamespace)
	if g.DataPlaneNamespace == c.Namespace {
		// An in-namespace data plane (Istio's waypoints, say) cannot be told apart from the stack's pods by
		// namespace, which is all the NetworkPolicies select it by.
		v.refuse(&g.DataPlaneNamespace, "must not be the stack's namespace: NetworkPolicies admit every pod of the data plane's namespace to the portals and the API, so every pod of the stack would reach them; run the Gateway's proxies in a namespace of their own")
	}
	switch {
	case g.Create && g.ParentRef.Name != "":
		v.refuse(&g.ParentRef.Name, "set either %s or %s, not both", c.keyOf(&g.Create), c.keyOf(&g.ParentRef.Name))
	case g.Create:
		if msgs := validation.IsDNS1123Subdomain(g.ClassName); len(msgs) > 0 {
			v.refuse(&g.ClassName, "must name a GatewayClass with %s: %s", c.keyOf(&g.Create), strings.Join(msgs, "; "))
		}
	case g.ParentRef.Name == "":
		v.fail(c.keyOf(&g.ParentRef.Name), nil, "is required in %s mode unless %s is true", IngressGateway, c.keyOf(&g.Create))
	default:
		for _, p := range []*string{&i.TLSSecretName, &i.ClusterIssuer} {
			if *p != "" {
				v.refuse(p, "must be unset with %s: that Gateway's listeners hold the certificates", c.keyOf(&g.ParentRef.Name))
			}
		}
	}
	c.validateParentRef(v, &g.ParentRef)
	c.validateParentRef(v, &g.PortalParentRef)
	if g.Create && i.ClusterIssuer != "" && i.ACMESolver == HTTP01 {
		v.refuse(&i.ACMESolver, "must be %s in %s mode: the Gateway has HTTPS listeners only, where no HTTP-01 challenge can be answered", DNS01, IngressGateway)
	}
	switch {
	case len(i.PortalSourceRanges) > 0:
		v.refuse(&i.PortalSourceRanges, "cannot be expressed in %s mode: an HTTPRoute has no client-address match; unset it and attach the portal to a Gateway restricted to these ranges with %s", IngressGateway, c.keyOf(&g.PortalParentRef.Name))
	case c.Environment.IsProduction() && g.PortalParentRef.Name == "":
		v.fail(c.keyOf(&g.PortalParentRef.Name), nil, "is required in prod in %s mode: the employee portal admits only the office and VPN ranges, which only a Gateway restricted to them can enforce", IngressGateway)
	}
}

// validateParentRef checks the names of a Gateway reference, when it names one.
func (c *Config) validateParentRef(v *validator, p *ParentRef) {
	if p.Name == "" {
		for _, f := range []*string{&p.Namespace, &p.SectionName} {
			if *f != "" {
				v.refuse(f, "needs %s", c.keyOf(&p.Name))
			}
		}
		return
	}
	if msgs := validation.IsDNS1123Subdomain(p.Name); len(msgs) > 0 {
		v.refuse(&p.Name, "must name a Gateway: %s", strings.Join(msgs, "; "))
	}
	if p.Namespace != "" {
		v.dnsLabel(c.keyOf(&p.Namespace), p.Namespace)
	}
	if p.SectionName != "" {
		if msgs := validation.IsDNS1123Subdomain(p.SectionName); len(msgs) > 0 {
			v.refuse(&p.SectionName, "must name a listener of the Gateway: %s", strings.Join(msgs, "; "))
		}
	}
}
