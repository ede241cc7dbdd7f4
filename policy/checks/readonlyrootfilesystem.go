package checks

// ReadOnlyRootFilesystem recommends read-only root filesystems.
var ReadOnlyRootFilesystem = &Policy{
	Name:        "read-only-root-filesystem",
	Description: "Every container mounts its root filesystem read-only.",
	Remediation: "set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes (e.g. /tmp)",
	Why:         "kube-linter, Polaris, kube-score, Checkov",
	Level:       Advisory,
	Kinds:       []string{PodBearing},
	Resource:    checkReadOnlyRootFilesystem,
}

func checkReadOnlyRootFilesystem(o *Object, _ *Config) []Result {
	w, _ := o.Workload()
	return perObject(forContainers(o, w, true, func(cr ContainerRef) []Result {
		sc := cr.C.SecurityContext
		if sc != nil && sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem {
			return nil
		}
		if o.Unknown(cr.Path + ".securityContext.readOnlyRootFilesystem") {
			return []Result{Undecided(o, containerSubject(o, cr), cr.Path+".securityContext.readOnlyRootFilesystem")}
		}
		return []Result{Violation(o, containerSubject(o, cr), "readOnlyRootFilesystem is not true", "")}
	}))
}
