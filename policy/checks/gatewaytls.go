package checks

import (
	"fmt"
	"strings"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// GatewayTLS is ingress-tls for the Gateway API: every listener of a Gateway terminates TLS with a
// certificate, but a plain-HTTP listener whose hostname also has an HTTPS listener (for redirects).
var GatewayTLS = &engine.Policy{
	Name:        "gateway-tls",
	Description: "Every Gateway listener serves its hostname over TLS, and a plain-HTTP listener only beside an HTTPS one for the same hostname.",
	Remediation: "make the listener HTTPS with tls.certificateRefs naming a certificate Secret, or add an HTTPS listener for its hostname",
	Why:         "ingress-tls's rule for the Gateway API: the platform's public hosts answer only over TLS",
	Level:       engine.Mandatory,
	Kinds:       []string{engine.EveryKind},
	Resource:    checkGatewayTLS,
}

func checkGatewayTLS(o *engine.Object, _ *engine.Config) []engine.Result {
	if !isGatewayKind(o, "Gateway") {
		return nil
	}
	if o.UnknownWithin("spec.listeners") {
		return []engine.Result{engine.Undecided(o, o.Subject(), "spec.listeners")}
	}
	var gw struct {
		Spec struct {
			Listeners []gatewayListener `json:"listeners"`
		} `json:"spec"`
	}
	if err := gatewayFields(o, &gw); err != nil {
		return []engine.Result{engine.Violation(o, o.Subject(), "spec.listeners cannot be read: "+err.Error(), "")}
	}
	secured := map[string]bool{}
	for _, l := range gw.Spec.Listeners {
		if strings.EqualFold(l.Protocol, "HTTPS") {
			secured[l.Hostname] = true
		}
	}
	var out []engine.Result
	for _, l := range gw.Spec.Listeners {
		subject := fmt.Sprintf("%s listener %q", o.Subject(), l.Name)
		host := l.Hostname
		if host == "" {
			host = "any host"
		}
		switch {
		case strings.EqualFold(l.Protocol, "HTTP") && !secured[l.Hostname]:
			out = append(out, engine.Violation(o, subject, fmt.Sprintf("serves %s in plain HTTP on port %d with no HTTPS listener for it", host, l.Port), ""))
		case strings.EqualFold(l.Protocol, "HTTPS") && (l.TLS == nil || (l.TLS.Mode != "Passthrough" && len(l.TLS.CertificateRefs) == 0)):
			out = append(out, engine.Violation(o, subject, fmt.Sprintf("serves %s over HTTPS without a certificate", host), ""))
		}
	}
	return out
}
