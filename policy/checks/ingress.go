package checks

import (
	"fmt"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
)

// IngressTLS requires TLS for every host an Ingress serves.
var IngressTLS = &Policy{
	Name:        "ingress-tls",
	Description: "Every Ingress serves all its hosts over TLS.",
	Remediation: "add the hosts to spec.tls with a certificate Secret (e.g. issued by cert-manager)",
	Why:         "kube-score, Polaris, Checkov; the review's ingress serves three public hosts",
	Level:       Mandatory,
	Kinds:       []string{"Ingress"},
	Resource:    checkIngressTLS,
}

func checkIngressTLS(o *Object, _ *Config) []Result {
	ing := o.Typed.(*networkingv1.Ingress)
	if o.Unknown("spec.tls") || o.Unknown("spec.rules") {
		return []Result{Undecided(o, o.Subject(), "spec.tls")}
	}
	var out []Result
	var uncovered []string
	for i, r := range ing.Spec.Rules {
		path := JoinIndex("spec.rules", i) + ".host"
		if r.Host == "" {
			if o.Unknown(path) || o.Unknown(JoinIndex("spec.rules", i)) {
				out = append(out, Undecided(o, o.Subject(), path))
			}
			continue
		}
		covered, unknown := tlsCovers(o, ing, r.Host)
		switch {
		case covered:
		case unknown:
			out = append(out, Undecided(o, o.Subject(), "spec.tls"))
		default:
			uncovered = append(uncovered, r.Host)
		}
	}
	switch {
	case len(uncovered) > 0 && len(ing.Spec.TLS) == 0:
		out = append(out, Violation(o, o.Subject(), fmt.Sprintf("serves %s without TLS", strings.Join(uncovered, ", ")), ""))
	case len(uncovered) > 0:
		noun := "host " + uncovered[0] + " has"
		if len(uncovered) > 1 {
			noun = "hosts " + strings.Join(uncovered, ", ") + " have"
		}
		out = append(out, Violation(o, o.Subject(), noun+" no TLS entry", ""))
	case len(ing.Spec.TLS) == 0 && hasHostlessRule(ing):
		out = append(out, Violation(o, o.Subject(), "serves requests for any host without TLS", ""))
	}
	return out
}

func hasHostlessRule(ing *networkingv1.Ingress) bool {
	if ing.Spec.DefaultBackend != nil {
		return true
	}
	for _, r := range ing.Spec.Rules {
		if r.Host == "" {
			return true
		}
	}
	return false
}

// tlsCovers reports whether a TLS entry names host (a "*.example.com" entry covers one label).
func tlsCovers(o *Object, ing *networkingv1.Ingress, host string) (covered, unknown bool) {
	for i, t := range ing.Spec.TLS {
		if o.UnknownWithin(JoinIndex("spec.tls", i) + ".hosts") {
			unknown = true
		}
		for _, h := range t.Hosts {
			if h == host {
				return true, false
			}
			if rest, ok := strings.CutPrefix(h, "*."); ok {
				if dot := strings.Index(host, "."); dot > 0 && host[dot+1:] == rest {
					return true, false
				}
			}
		}
	}
	return false, unknown
}
