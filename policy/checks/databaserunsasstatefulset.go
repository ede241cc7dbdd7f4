package checks

import (
	"fmt"
	"regexp"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// DatabaseRunsAsStatefulSet keeps databases and caches out of Deployments.
var DatabaseRunsAsStatefulSet = &engine.Policy{
	Name:        "database-runs-as-statefulset",
	Description: "Databases and caches run as StatefulSets (or managed services), never as Deployments or other controllers.",
	Remediation: "run it as a StatefulSet with a volumeClaimTemplate, or use a managed service",
	Why:         "review finding 3 (postgres, redis and chromadb were single-replica Deployments); no linter checks this",
	Level:       engine.Mandatory,
	Kinds:       []string{engine.PodBearing},
	Params:      &databaseImageParams{ImagePatterns: engine.MustCompileAll(defaultDatabaseImages...)},
	Resource:    checkDatabaseRunsAsStatefulSet,
}

// databaseImageParams are the parameters of database-runs-as-statefulset. Its imagePatterns are the
// pack's one list of database images: serving-deployment-replicas reads them too (databaseImages).
type databaseImageParams struct {
	ImagePatterns []*regexp.Regexp `param:"imagePatterns" help:"regular expressions matched in full against the image name (last repository segment); serving-deployment-replicas leaves these images to this policy"`
}

func checkDatabaseRunsAsStatefulSet(o *engine.Object, c *engine.Config) []engine.Result {
	w, _ := o.Workload()
	if o.Kind == "StatefulSet" || !w.LongRunning {
		return nil // StatefulSets (any group's) are the fix; Jobs may well run psql or redis-cli.
	}
	patterns := c.Params.(*databaseImageParams).ImagePatterns
	return engine.ForContainers(o, w, false, func(cr engine.ContainerRef) []engine.Result {
		if cr.C.Image == "" && o.Unknown(cr.Path+".image") {
			return []engine.Result{engine.Undecided(o, engine.ContainerSubject(o, cr), cr.Path+".image")}
		}
		if !matchImage(cr.C.Image, patterns) {
			return nil
		}
		return []engine.Result{engine.Violation(o, engine.ContainerSubject(o, cr),
			fmt.Sprintf("runs the database/cache image %s as a %s", cr.C.Image, o.Kind), "")}
	})
}
