package checks

import (
	"fmt"
	"regexp"
)

// DatabaseRunsAsStatefulSet keeps databases and caches out of Deployments.
var DatabaseRunsAsStatefulSet = &Policy{
	Name:        "database-runs-as-statefulset",
	Description: "Databases and caches run as StatefulSets (or managed services), never as Deployments or other controllers.",
	Remediation: "run it as a StatefulSet with a volumeClaimTemplate, or use a managed service",
	Why:         "review finding 3 (postgres, redis and chromadb were single-replica Deployments); no linter checks this",
	Level:       Mandatory,
	Kinds:       []string{PodBearing},
	Params:      &databaseImageParams{ImagePatterns: mustCompileAll(defaultDatabaseImages...)},
	Resource:    checkDatabaseRunsAsStatefulSet,
}

// databaseImageParams are the parameters of database-runs-as-statefulset. Its imagePatterns are the
// pack's one list of database images: serving-deployment-replicas reads them too (databaseImages).
type databaseImageParams struct {
	ImagePatterns []*regexp.Regexp `param:"imagePatterns" help:"regular expressions matched in full against the image name (last repository segment); serving-deployment-replicas leaves these images to this policy"`
}

func checkDatabaseRunsAsStatefulSet(o *Object, c *Config) []Result {
	w, _ := o.Workload()
	if o.Kind == "StatefulSet" || !w.LongRunning {
		return nil // StatefulSets (any group's) are the fix; Jobs may well run psql or redis-cli.
	}
	patterns := c.Params.(*databaseImageParams).ImagePatterns
	return forContainers(o, w, false, func(cr ContainerRef) []Result {
		if cr.C.Image == "" && o.Unknown(cr.Path+".image") {
			return []Result{Undecided(o, containerSubject(o, cr), cr.Path+".image")}
		}
		if !matchImage(cr.C.Image, patterns) {
			return nil
		}
		return []Result{Violation(o, containerSubject(o, cr),
			fmt.Sprintf("runs the database/cache image %s as a %s", cr.C.Image, o.Kind), "")}
	})
}
