package components

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// portalPort is the port both portals serve on.
const portalPort = 3000

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
	// Api is the API layer the Ingress routes api.<domain> to.
	Api *ApiLayer
}

// hosts are the public hosts of the review: support.<domain>, portal.<domain>, api.<domain>.
func hosts(domain string) (support, portal, api string) {
	return "support." + domain, "portal." + domain, "api." + domain
}

// NewFrontendLayer registers both portals with their Services and PDBs, and the Ingress.
func NewFrontendLayer(ctx *pulumi.Context, name string, args *FrontendLayerArgs, opts ...pulumi.ResourceOption) (*FrontendLayer, error) {
	fe := &FrontendLayer{}
	l, err := register(ctx, "FrontendLayer", name, fe, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	c := args.Config
	supportHost, portalHost, apiHost := hosts(c.Domain)
	portals := []struct {
		name, image string
		size        config.Replicated
	}{
		{ExternalPortalName, c.Images.ExternalPortal, c.Workloads.ExternalPortal},
		{InternalPortalName, c.Images.InternalPortal, c.Workloads.InternalPortal},
	}
	for _, p := range portals {
		if _, err := l.replicatedDeployment(deployment{
			replicas: p.size.Replicas,
			pod: pod{
				name: p.name, component: "frontend", uid: appUID, spread: true,
				containers: []container{{
					name: p.name, image: p.image,
					ports: []port{{"http", portalPort}},
					env: corev1.EnvVarArray{
						plainEnv("API_PUBLIC_URL", "https://"+apiHost),
						plainEnv("API_INTERNAL_URL", fmt.Sprintf("http://%s:%d", APIName, apiPort)),
					},
					resources: p.size.Resources,
					liveness:  httpProbe(c.Probes.PortalPath, "http", livenessTiming),
					readiness: httpProbe(c.Probes.PortalPath, "http", readinessTiming),
				}},
			},
		}); err != nil {
			return nil, err
		}
		if _, err := l.service("frontend", service{name: p.name, selects: p.name, ports: []port{{"http", portalPort}}}); err != nil {
			return nil, err
		}
	}

	backend := func(service pulumi.StringInput, port pulumi.IntInput) networkingv1.IngressBackendArgs {
		return networkingv1.IngressBackendArgs{Service: networkingv1.IngressServiceBackendArgs{
			Name: service, Port: networkingv1.ServiceBackendPortArgs{Number: port},
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
				rule(supportHost, backend(pulumi.String(ExternalPortalName), pulumi.Int(portalPort))),
				rule(portalHost, backend(pulumi.String(InternalPortalName), pulumi.Int(portalPort))),
				rule(apiHost, backend(args.Api.ServiceName, args.Api.ServicePort)),
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
