package checks

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// IngressNoSnippets refuses Ingress annotations that hand raw configuration to the ingress
// controller: a snippet runs with the controller's privileges, which read every Secret of the
// cluster, so whoever may write an Ingress could read them all (ingress-nginx CVE-2021-25742).
var IngressNoSnippets = &engine.Policy{
	Name:        "ingress-no-snippets",
	Description: "No Ingress carries a configuration snippet annotation, which injects raw configuration into the ingress controller.",
	Remediation: "remove the annotation and express the setting with the controller's dedicated annotations or its ConfigMap",
	Why: "ingress-nginx CVE-2021-25742 (snippets read the controller's Secrets; ingress-nginx turns them off by default since v1.9); " +
		"Kyverno's disallow-custom-snippets",
	Level:    engine.Mandatory,
	Kinds:    []string{"Ingress"},
	Resource: checkIngressNoSnippets,
}

func checkIngressNoSnippets(o *engine.Object, _ *engine.Config) []engine.Result {
	if o.Unknown("metadata.annotations") {
		return []engine.Result{engine.Undecided(o, o.Subject(), "metadata.annotations")}
	}
	// The key decides, so a value not known yet is refused too.
	keys := slices.Collect(maps.Keys(o.Meta.Annotations))
	for _, u := range o.UnknownPaths() {
		if k, ok := childKey("metadata.annotations", u); ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []engine.Result
	for _, k := range slices.Compact(keys) {
		// ingress-nginx's configuration-, server-, auth-, stream- and modsecurity-snippet; NGINX Inc.'s
		// server- and location-snippets; HAProxy's backend- and frontend-config-snippet. Annotation keys
		// are case-sensitive, so another spelling is one no controller reads.
		name := k[strings.LastIndex(k, "/")+1:]
		if strings.HasSuffix(name, "-snippet") || strings.HasSuffix(name, "-snippets") {
			out = append(out, engine.Violation(o, o.Subject(), fmt.Sprintf("annotation %s injects raw configuration into the ingress controller", k), ""))
		}
	}
	return out
}
