package checks

import (
	"fmt"
	"strings"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// NoDuplicateEnv forbids setting one env var twice in a container: only the last value takes effect,
// and which one that is depends on list order nobody reviews.
var NoDuplicateEnv = &engine.Policy{
	Name:        "no-duplicate-env",
	Description: "No container sets the same env var twice.",
	Remediation: "keep one entry per name",
	Why:         "kube-linter duplicate-env-var, kube-score; the last entry silently wins",
	Level:       engine.Mandatory,
	Kinds:       []string{engine.PodBearing},
	Resource:    checkNoDuplicateEnv,
}

func checkNoDuplicateEnv(o *engine.Object, _ *engine.Config) []engine.Result {
	w, _ := o.Workload()
	return engine.ForContainers(o, w, true, func(cr engine.ContainerRef) []engine.Result {
		if o.Unknown(cr.Path + ".env") {
			return []engine.Result{engine.Undecided(o, engine.ContainerSubject(o, cr), cr.Path+".env")}
		}
		at := map[string][]string{}
		var order []string
		for i, e := range cr.C.Env {
			if o.Unknown(engine.JoinIndex(cr.Path+".env", i) + ".name") {
				return []engine.Result{engine.Undecided(o, engine.ContainerSubject(o, cr), engine.JoinIndex(cr.Path+".env", i)+".name")}
			}
			if len(at[e.Name]) == 0 {
				order = append(order, e.Name)
			}
			at[e.Name] = append(at[e.Name], fmt.Sprintf("env[%d]", i))
		}
		var out []engine.Result
		for _, name := range order {
			if n := len(at[name]); n > 1 {
				out = append(out, engine.Violation(o, engine.ContainerSubject(o, cr),
					fmt.Sprintf("env %s is set %d times (%s); only %s takes effect", name, n, strings.Join(at[name], ", "), at[name][n-1]), ""))
			}
		}
		return out
	})
}
