package components

import (
	"fmt"

	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// FrontendLayer is the customer and employee portals and the TLS Ingress for the three public hosts.
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
// the Ingress, which addresses every Service by its constant name.
func NewFrontendLayer(ctx *pulumi.Context, name string, args *FrontendLayerArgs, opts ...pulumi.ResourceOption) (*FrontendLayer, error) {
	fe := &FrontendLayer{}
	l, err := register(ctx, frontendLayerType, name, fe, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	c := args.Config
	supportHost, portalHost, apiHost := hosts(c.Domain)
	if _, err := l.applicationDeployments(applicationInputs{config: c, foundation: args.Foundation}); err != nil {
		return nil, err
	}

	backend := func(service string, port int) networkingv1.IngressBackendArgs {
		return networkingv1.IngressBackendArgs{Service: networkingv1.IngressServiceBackendArgs{
			Name: pulumi.String(service), Port: networkingv1.ServiceBackendPortArgs{Number: pulumi.Int(port)},
		}}
	}
	rule := func(host string, b networkingv1.IngressBackendArgs) networkingv1.IngressRuleArgs {
		return networkingv1.IngressRuleArgs{Host: pulumi.String(host), Http: networkingv1.HTTPIngressRuleValueArgs{
			Paths: networkingv1.HTTPIngressPathArray{networkingv1.HTTPIngressPathArgs{
				Path: pulumi.String("/"), PathType: pulumi.String("Prefix"), Backend: b,
			}},
		}}
	}
	meta := l.scope.meta(IngressName, "ingress")
	meta.Annotations = ingressAnnotations(c.Ingress)
	if _, err := networkingv1.NewIngress(ctx, l.child("ingress"), &networkingv1.IngressArgs{
		Metadata: meta,
		Spec: networkingv1.IngressSpecArgs{
			IngressClassName: pulumi.String(c.Ingress.ClassName),
			Tls: networkingv1.IngressTLSArray{networkingv1.IngressTLSArgs{
				Hosts:      pulumi.ToStringArray([]string{supportHost, portalHost, apiHost}),
				SecretName: pulumi.String(tlsSecretName(c.Ingress)),
			}},
			Rules: networkingv1.IngressRuleArray{
				rule(supportHost, backend(ExternalPortalName, portalPort)),
				rule(portalHost, backend(InternalPortalName, portalPort)),
				rule(apiHost, backend(APIName, apiPort)),
			},
		},
	}, l.opts(nil)...); err != nil {
		return nil, fmt.Errorf("ingress: %w", err)
	}
	fe.URLs = pulumi.ToStringMap(map[string]string{
		"support": "https://" + supportHost, "portal": "https://" + portalHost, "api": "https://" + apiHost,
	}).ToStringMapOutput()
	return fe, l.done(pulumi.Map{"urls": fe.URLs})
}

// tlsSecretName is the configured certificate Secret, or the one cert-manager fills for the issuer.
func tlsSecretName(i config.Ingress) string {
	if i.TLSSecretName != "" {
		return i.TLSSecretName
	}
	return IngressName + "-tls"
}

// ingressAnnotations force HTTPS and, with an issuer, ask cert-manager for the certificate.
func ingressAnnotations(i config.Ingress) pulumi.StringMap {
	a := pulumi.StringMap{"nginx.ingress.kubernetes.io/force-ssl-redirect": pulumi.String("true")}
	if i.ClusterIssuer != "" {
		a["cert-manager.io/cluster-issuer"] = pulumi.String(i.ClusterIssuer)
	}
	return a
}
