package components

import (
	"fmt"
	"strconv"
	"strings"

	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// FrontendLayer is the customer and employee portals and the TLS Ingresses of the three public hosts: the
// public one (support., api.), the employee portal's (portal., only from its source ranges), and one that
// refuses api.<domain>/metrics to everyone.
type FrontendLayer struct {
	pulumi.ResourceState

	// URLs maps support, portal and api to their https URLs.
	URLs pulumi.StringMapOutput `pulumi:"urls"`
}

// FrontendLayerArgs configures the FrontendLayer.
type FrontendLayerArgs struct {
	// Config is the validated stack configuration.
	Config *config.Config
	// Foundation supplies the namespace.
	Foundation *Foundation
}

// NewFrontendLayer registers the layer's applications (both portals with their Services and PDBs) and
// the Ingresses, which address every Service by its constant name.
func NewFrontendLayer(ctx *pulumi.Context, name string, args *FrontendLayerArgs, opts ...pulumi.ResourceOption) (*FrontendLayer, error) {
	fe := &FrontendLayer{}
	b, err := register(ctx, frontendLayerType, name, fe, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	c := args.Config
	supportHost, portalHost, apiHost := hosts(c.Domain)
	if _, err := b.applicationDeployments(applicationInputs{config: c, foundation: args.Foundation}); err != nil {
		return nil, err
	}

	ingresses := []ingress{
		// The customer portal and the API: public.
		{name: IngressName, hosts: []string{supportHost, apiHost}, issuer: true,
			routes: []route{{supportHost, "/", ExternalPortalName, portalPort}, {apiHost, "/", APIName, apiPort}}},
		// The employee portal: only from the configured source ranges.
		{name: IngressName + "-portal", hosts: []string{portalHost}, issuer: true, sourceRanges: c.Ingress.PortalSourceRanges,
			routes: []route{{portalHost, "/", InternalPortalName, portalPort}}},
		// /metrics refused at the edge to everyone, should the API still serve it on its public port.
		{name: IngressName + "-metrics", hosts: []string{apiHost}, tlsOf: IngressName, denyAll: true,
			routes: []route{{apiHost, "/metrics", APIName, apiPort}}},
	}
	if c.Ingress.IsGateway() {
		ingresses = nil // the Gateway API's HTTPRoutes serve the same hosts instead (gateway.go)
		if err := b.gatewayRoutes(c); err != nil {
			return nil, err
		}
	}
	for _, ing := range ingresses {
		if err := b.newIngress(c.Ingress, ing); err != nil {
			return nil, err
		}
	}
	fe.URLs = pulumi.ToStringMap(map[string]string{
		"support": "https://" + supportHost, "portal": "https://" + portalHost, "api": "https://" + apiHost,
	}).ToStringMapOutput()
	return fe, b.done(pulumi.Map{"urls": fe.URLs})
}

// ingress is one Ingress of the platform: its routes, the hosts its certificate covers, and who may use it.
type ingress struct {
	name   string
	hosts  []string
	routes []route
	// issuer asks cert-manager for the certificate of hosts (with a ClusterIssuer); tlsOf reuses the
	// certificate of another of the platform's Ingresses instead.
	issuer bool
	tlsOf  string
	// sourceRanges are the only client CIDRs admitted (none: everyone); denyAll refuses every client.
	sourceRanges []string
	denyAll      bool
}

// route sends a host's path prefix to a Service port.
type route struct {
	host, path, service string
	port                int
}

// newIngress registers one Ingress over TLS, with the controller's HTTPS redirect, body size and timeouts.
func (b *builder) newIngress(i config.Ingress, ing ingress) error {
	rules := networkingv1.IngressRuleArray{}
	for _, r := range ing.routes {
		rules = append(rules, networkingv1.IngressRuleArgs{Host: pulumi.String(r.host), Http: networkingv1.HTTPIngressRuleValueArgs{
			Paths: networkingv1.HTTPIngressPathArray{networkingv1.HTTPIngressPathArgs{
				Path: pulumi.String(r.path), PathType: pulumi.String("Prefix"),
				Backend: networkingv1.IngressBackendArgs{Service: networkingv1.IngressServiceBackendArgs{
					Name: pulumi.String(r.service), Port: networkingv1.ServiceBackendPortArgs{Number: pulumi.Int(r.port)},
				}},
			}},
		}})
	}
	certificateOf := ing.name
	if ing.tlsOf != "" {
		certificateOf = ing.tlsOf
	}
	meta := b.scope.meta(ing.name, "ingress")
	meta.Annotations = ingressAnnotations(i, ing)
	if _, err := networkingv1.NewIngress(b.ctx, b.child(ingressResourceName(ing.name)), &networkingv1.IngressArgs{
		Metadata: meta,
		Spec: networkingv1.IngressSpecArgs{
			IngressClassName: pulumi.String(i.ClassName),
			Tls: networkingv1.IngressTLSArray{networkingv1.IngressTLSArgs{
				Hosts:      pulumi.ToStringArray(ing.hosts),
				SecretName: pulumi.String(tlsSecretName(i, certificateOf)),
			}},
			Rules: rules,
		},
	}, b.opts(nil)...); err != nil {
		return fmt.Errorf("ingress %s: %w", ing.name, err)
	}
	return nil
}

// ingressResourceName is an Ingress's Pulumi name below the layer: the first one keeps the name of
// earlier releases ("ingress"), so upgrading does not replace it.
func ingressResourceName(name string) string {
	if name == IngressName {
		return "ingress"
	}
	return "ingress" + strings.TrimPrefix(name, IngressName)
}

// tlsSecretName is the configured certificate Secret, or the one cert-manager fills for an Ingress.
func tlsSecretName(i config.Ingress, ingressName string) string {
	if i.TLSSecretName != "" {
		return i.TLSSecretName
	}
	return ingressName + "-tls"
}

// nginxPrefix starts every ingress-nginx annotation.
const nginxPrefix = "nginx.ingress.kubernetes.io/"

// ingressAnnotations force HTTPS, size bodies and timeouts for uploads and streamed answers, restrict
// clients, and with an issuer ask cert-manager for the certificate. HSTS comes from the controller
// (ingress-nginx sends it on every HTTPS response unless its ConfigMap turns hsts off).
func ingressAnnotations(i config.Ingress, ing ingress) pulumi.StringMap {
	timeout := pulumi.String(strconv.Itoa(i.ProxyReadTimeoutSeconds))
	a := pulumi.StringMap{
		nginxPrefix + "force-ssl-redirect": pulumi.String("true"),
		nginxPrefix + "proxy-body-size":    pulumi.String(i.ProxyBodySize),
		nginxPrefix + "proxy-read-timeout": timeout,
		nginxPrefix + "proxy-send-timeout": timeout,
	}
	if ing.issuer && i.ClusterIssuer != "" {
		a["cert-manager.io/cluster-issuer"] = pulumi.String(i.ClusterIssuer)
	}
	if len(ing.sourceRanges) > 0 {
		a[nginxPrefix+"whitelist-source-range"] = pulumi.String(strings.Join(ing.sourceRanges, ","))
	}
	if ing.denyAll {
		a[nginxPrefix+"denylist-source-range"] = pulumi.String("0.0.0.0/0,::/0")
	}
	// The provider's Ingress awaiter can take its Ready object from a namespace-wide informer cache that
	// still holds the Ingress as it was before the update (seen when an up updates one Ingress while it
	// creates another), and records that stale copy as the new state, so the next up shows the same
	// update again. Without the await, the state is the API server's answer to the apply. Whether the
	// controller serves the Ingress is its own business; the workloads behind it are awaited.
	a["pulumi.com/skipAwait"] = pulumi.String("true")
	return a
}
