package checks

import (
	"fmt"
	"strings"
)

// NoDuplicateEnv forbids setting one env var twice in a container: only the last value takes effect,
// and which one that is depends on list order nobody reviews.
var NoDuplicateEnv = &Policy{
	Name:        "no-duplicate-env",
	Description: "No container sets the same env var twice.",
	Remediation: "keep one entry per name",
	Why:         "kube-linter duplicate-env-var, kube-score; the last entry silently wins",
	Level:       Mandatory,
	Kinds:       []string{PodBearing},
	Resource:    checkNoDuplicateEnv,
}

func checkNoDuplicateEnv(o *Object, _ *Config) []Result {
	w, _ := o.Workload()
	return forContainers(o, w, true, func(cr ContainerRef) []Result {
		if o.Unknown(cr.Path + ".env") {
			return []Result{Undecided(o, containerSubject(o, cr), cr.Path+".env")}
		}
		at := map[string][]string{}
		var order []string
		for i, e := range cr.C.Env {
			if o.Unknown(JoinIndex(cr.Path+".env", i) + ".name") {
				return []Result{Undecided(o, containerSubject(o, cr), JoinIndex(cr.Path+".env", i)+".name")}
			}
			if len(at[e.Name]) == 0 {
				order = append(order, e.Name)
			}
			at[e.Name] = append(at[e.Name], fmt.Sprintf("env[%d]", i))
		}
		var out []Result
		for _, name := range order {
			if n := len(at[name]); n > 1 {
				out = append(out, Violation(o, containerSubject(o, cr),
					fmt.Sprintf("env %s is set %d times (%s); only %s takes effect", name, n, strings.Join(at[name], ", "), at[name][n-1]), ""))
			}
		}
		return out
	})
}
