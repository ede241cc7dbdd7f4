package config

import (
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Ingress configures the edge of the three public hosts, nginx Ingresses or Gateway API HTTPRoutes, and its TLS.
type Ingress struct {
	// Mode is nginx (the Ingresses below) or gateway (HTTPRoutes of the Gateway API, see Gateway).
	Mode string `json:"mode" enum:"nginx,gateway"`
	// Gateway is the Gateway the HTTPRoutes attach to in gateway mode.
	Gateway Gateway `json:"gateway"`
	// ClassName is the IngressClass that serves the hosts.
	ClassName string `json:"className"`
	// ControllerNamespace is where the ingress controller's pods run; NetworkPolicies admit traffic from it.
	ControllerNamespace string `json:"controllerNamespace"`
	// TLSSecretName names an existing TLS Secret for all hosts; exactly one of TLSSecretName and
	// ClusterIssuer is required (every host needs TLS).
	TLSSecretName string `json:"tlsSecretName"`
	// ClusterIssuer names the cert-manager cluster issuer that issues the certificate; exclusive with
	// TLSSecretName.
	ClusterIssuer string `json:"clusterIssuer"`
	// ACMESolver is how the cluster issuer proves the hosts: http01 admits cert-manager's solver pods
	// from the ingress controller; dns01 needs nothing in the namespace.
	ACMESolver string `json:"acmeSolver" enum:"http01,dns01"`
	// PortalSourceRanges are the CIDRs that may reach the employee portal (required in prod); none may
	// be the whole address space or overlap link-local addresses.
	PortalSourceRanges []string `json:"portalSourceRanges"`
	// ProxyBodySize is the largest request body (document uploads), in nginx size syntax: 100m, 512k, 1g.
	ProxyBodySize string `json:"proxyBodySize"`
	// ProxyReadTimeoutSeconds is how long the controller waits between two reads of a response
	// (streamed LLM answers pause while the model thinks), between 1 and 3600.
	ProxyReadTimeoutSeconds int `json:"proxyReadTimeoutSeconds"`
}

// ACME solvers a ClusterIssuer may use.
const (
	HTTP01 = "http01"
	DNS01  = "dns01"
)

// validateIngress checks the IngressClass, the controller's namespace, TLS, the portal's source ranges
// and the proxy's limits.
func (c *Config) validateIngress(v *validator) {
	i := &c.Ingress
	if msgs := validation.IsDNS1123Subdomain(i.ClassName); len(msgs) > 0 {
		v.refuse(&i.ClassName, "must name an IngressClass, e.g. nginx: %s", strings.Join(msgs, "; "))
	}
	if msgs := validation.IsDNS1123Label(i.ControllerNamespace); len(msgs) > 0 {
		v.refuse(&i.ControllerNamespace, "must be a DNS-1123 label: %s", strings.Join(msgs, "; "))
	}
	secret, issuer := c.keyOf(&i.TLSSecretName), c.keyOf(&i.ClusterIssuer)
	switch {
	case i.usesExistingGateway(): // its listeners hold the certificates (validateGateway)
	case i.TLSSecretName == "" && i.ClusterIssuer == "":
		v.refuse(&i.TLSSecretName, "every host needs TLS: set %s or %s", secret, issuer)
	case i.TLSSecretName != "" && i.ClusterIssuer != "":
		v.refuse(&i.ClusterIssuer, "set either %s or %s, not both", secret, issuer)
	case i.TLSSecretName != "":
		if msgs := validation.IsDNS1123Subdomain(i.TLSSecretName); len(msgs) > 0 {
			v.refuse(&i.TLSSecretName, "must be a Secret name: %s", strings.Join(msgs, "; "))
		}
	default:
		if msgs := validation.IsDNS1123Subdomain(i.ClusterIssuer); len(msgs) > 0 {
			v.refuse(&i.ClusterIssuer, "must name a cert-manager ClusterIssuer: %s", strings.Join(msgs, "; "))
		}
	}
	if i.ACMESolver != HTTP01 && i.ACMESolver != DNS01 {
		v.refuse(&i.ACMESolver, "must be one of %s, %s", HTTP01, DNS01)
	}
	switch {
	case i.IsGateway(): // no source ranges in gateway mode (validateGateway)
	case len(i.PortalSourceRanges) == 0 && c.Environment.IsProduction():
		v.refuse(&i.PortalSourceRanges, "is required in prod: the employee portal admits only the office and VPN ranges, as CIDRs")
	case len(i.PortalSourceRanges) > 0:
		v.cidrs(&i.PortalSourceRanges)
	}
	if !nginxSize.MatchString(i.ProxyBodySize) {
		v.refuse(&i.ProxyBodySize, "must be an nginx size such as 100m, 512k or 1g")
	}
	if i.ProxyReadTimeoutSeconds < 1 || i.ProxyReadTimeoutSeconds > 3600 {
		v.refuse(&i.ProxyReadTimeoutSeconds, "must be between 1 and 3600 seconds")
	}
}

// nginxSize is nginx's size syntax: a number of bytes, kilobytes (k) or megabytes (m), or gigabytes (g).
var nginxSize = regexp.MustCompile(`^[1-9][0-9]*[kKmMgG]?$`)
