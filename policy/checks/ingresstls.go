package checks

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// IngressTLS requires TLS for every host an Ingress serves.
var IngressTLS = &engine.Policy{
	Name:        "ingress-tls",
	Description: "Every Ingress serves all its hosts over TLS and leaves no path open in plain HTTP.",
	Remediation: "add the hosts to spec.tls with a certificate Secret (e.g. issued by cert-manager)",
	Why:         "kube-score, Polaris, Checkov; the review's ingress serves three public hosts",
	Level:       engine.Mandatory,
	Kinds:       []string{"Ingress"},
	Resource:    checkIngressTLS,
}

func checkIngressTLS(o *engine.Object, _ *engine.Config) []engine.Result {
	ing := o.Typed.(*networkingv1.Ingress)
	if o.Unknown("spec.tls") || o.Unknown("spec.rules") {
		return []engine.Result{engine.Undecided(o, o.Subject(), "spec.tls")}
	}
	var out []engine.Result
	var uncovered []string
	for i, r := range ing.Spec.Rules {
		path := engine.JoinIndex("spec.rules", i) + ".host"
		if r.Host == "" {
			if o.Unknown(path) || o.Unknown(engine.JoinIndex("spec.rules", i)) {
				out = append(out, engine.Undecided(o, o.Subject(), path))
			}
			continue
		}
		covered, unknown := tlsCovers(o, ing, r.Host)
		switch {
		case covered:
		case unknown:
			out = append(out, engine.Undecided(o, o.Subject(), "spec.tls"))
		default:
			uncovered = append(uncovered, r.Host)
		}
	}
	switch {
	case len(uncovered) > 0 && len(ing.Spec.TLS) == 0:
		out = append(out, engine.Violation(o, o.Subject(), fmt.Sprintf("serves %s without TLS", strings.Join(uncovered, ", ")), ""))
	case len(uncovered) > 0:
		noun := "host " + uncovered[0] + " has"
		if len(uncovered) > 1 {
			noun = "hosts " + strings.Join(uncovered, ", ") + " have"
		}
		out = append(out, engine.Violation(o, o.Subject(), noun+" no TLS entry", ""))
	case len(ing.Spec.TLS) == 0 && hasHostlessRule(ing):
		out = append(out, engine.Violation(o, o.Subject(), "serves requests for any host without TLS", ""))
	}
	return append(out, checkPlainHTTPLeftOpen(o)...)
}

// checkPlainHTTPLeftOpen reports an Ingress whose annotations turn off the redirect from HTTP to
// HTTPS (ingress-nginx's ssl-redirect and force-ssl-redirect set to "false"), which leaves every
// path answering in plain HTTP.
func checkPlainHTTPLeftOpen(o *engine.Object) []engine.Result {
	if o.Unknown("metadata.annotations") {
		return []engine.Result{engine.Undecided(o, o.Subject(), "metadata.annotations")}
	}
	var out []engine.Result
	for _, k := range slices.Sorted(maps.Keys(o.Meta.Annotations)) {
		name := k[strings.LastIndex(k, "/")+1:]
		if (name == "ssl-redirect" || name == "force-ssl-redirect") && strings.EqualFold(strings.TrimSpace(o.Meta.Annotations[k]), "false") {
			out = append(out, engine.Violation(o, o.Subject(), fmt.Sprintf("annotation %s is \"false\", so its paths also answer in plain HTTP", k),
				"remove the annotation (ingress-nginx redirects to HTTPS when the Ingress has TLS) or set it to \"true\""))
		}
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
func tlsCovers(o *engine.Object, ing *networkingv1.Ingress, host string) (covered, unknown bool) {
	for i, t := range ing.Spec.TLS {
		if o.UnknownWithin(engine.JoinIndex("spec.tls", i) + ".hosts") {
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
