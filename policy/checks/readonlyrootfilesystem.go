package checks

import "github.com/jdjones/jd-jones-rag-infra/policy/engine"

// ReadOnlyRootFilesystem recommends read-only root filesystems.
var ReadOnlyRootFilesystem = &engine.Policy{
	Name:        "read-only-root-filesystem",
	Description: "Every container mounts its root filesystem read-only.",
	Remediation: "set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes (e.g. /tmp)",
	Why:         "kube-linter, Polaris, kube-score, Checkov",
	Level:       engine.Advisory,
	Kinds:       []string{engine.PodBearing},
	Resource:    checkReadOnlyRootFilesystem,
}

func checkReadOnlyRootFilesystem(o *engine.Object, _ *engine.Config) []engine.Result {
	w, _ := o.Workload()
	return engine.PerObject(engine.ForContainers(o, w, true, func(cr engine.ContainerRef) []engine.Result {
		sc := cr.C.SecurityContext
		if sc != nil && sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem {
			return nil
		}
		if o.Unknown(cr.Path + ".securityContext.readOnlyRootFilesystem") {
			return []engine.Result{engine.Undecided(o, engine.ContainerSubject(o, cr), cr.Path+".securityContext.readOnlyRootFilesystem")}
		}
		return []engine.Result{engine.Violation(o, engine.ContainerSubject(o, cr), "readOnlyRootFilesystem is not true", "")}
	}))
}
