package checks

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// SecretDataIsPulumiSecret requires a Kubernetes Secret's values to be Pulumi secrets, so they are
// encrypted in the stack state instead of sitting there in plaintext.
var SecretDataIsPulumiSecret = &engine.Policy{
	Name:        "secret-data-is-pulumi-secret",
	Description: "A Kubernetes Secret's data and stringData values are Pulumi secrets, so the stack state never holds them in plaintext.",
	Remediation: "wrap the values with pulumi.ToSecret (or read them with config.RequireSecret)",
	Why:         "review finding 2 (credentials must stay secret end to end); Pulumi state is as sensitive as the cluster",
	Level:       engine.Mandatory,
	Kinds:       []string{"Secret"},
	Resource:    checkSecretData,
}

func checkSecretData(o *engine.Object, _ *engine.Config) []engine.Result {
	sec := o.Typed.(*corev1.Secret)
	if o.FromManifest {
		return nil // Rendered manifests have no notion of Pulumi secrets.
	}
	var plain []string
	var out []engine.Result
	for _, field := range []string{"data", "stringData"} {
		var keys []string
		switch field {
		case "data":
			for k, v := range sec.Data {
				if len(v) > 0 {
					keys = append(keys, k)
				}
			}
		case "stringData":
			for k, v := range sec.StringData {
				if v != "" {
					keys = append(keys, k)
				}
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !o.IsSecret(engine.JoinKey(field, k)) {
				plain = append(plain, field+"."+k)
			}
		}
		for _, u := range o.UnknownPaths() {
			if _, isChild := childKey(field, u); (isChild || u == field) && !o.IsSecret(u) {
				out = append(out, engine.Undecided(o, o.Subject(), u+" (and whether it is a Pulumi secret)"))
			}
		}
	}
	if len(plain) > 0 {
		problem := fmt.Sprintf("value %s is not a Pulumi secret, so the stack state holds it in plaintext", plain[0])
		if len(plain) > 1 {
			problem = fmt.Sprintf("values %s are not Pulumi secrets, so the stack state holds them in plaintext",
				strings.Join(plain, ", "))
		}
		out = append(out, engine.Violation(o, o.Subject(), problem, ""))
	}
	return out
}
