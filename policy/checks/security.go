package checks

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// RestrictedSecurityContext requires the Pod Security "restricted" container settings.
var RestrictedSecurityContext = &Policy{
	Name: "restricted-security-context",
	Description: "Every container runs as non-root without privilege escalation, with all capabilities dropped " +
		"and a RuntimeDefault or Localhost seccomp profile, and never privileged.",
	Remediation: "set the restricted securityContext: runAsNonRoot: true, allowPrivilegeEscalation: false, " +
		"capabilities.drop: [ALL], seccompProfile.type: RuntimeDefault",
	Why:      "Pod Security Standard \"restricted\"; kube-linter, Polaris, kube-score, Kyverno, Checkov",
	Level:    Mandatory,
	Kinds:    []string{PodBearing},
	Resource: checkRestrictedSecurityContext,
}

// securityView resolves a container's effective settings from its own and the pod's context.
type securityView struct {
	o             *Object
	pod           *corev1.PodSecurityContext
	podPath       string
	sc            *corev1.SecurityContext
	containerPath string
}

// unknown reports whether the container-level or pod-level field was unknown. A container field a
// patch does not set leaves the pod-level value the patch sets in force (it is judged), and one it
// sets decides alone.
func (v securityView) unknown(containerField, podField string) bool {
	container := v.containerPath + "." + containerField
	switch {
	case v.o.Computed(container):
		return true
	case v.o.Patch && podField != "":
		return !v.o.sets(container, false) && v.o.Unknown(v.podPath+"."+podField)
	case v.o.Unknown(container):
		return true
	}
	return podField != "" && v.o.Unknown(v.podPath+"."+podField)
}

func newSecurityView(o *Object, w Workload, cr ContainerRef) securityView {
	v := securityView{o: o, pod: w.Spec.SecurityContext, podPath: w.SpecPath + ".securityContext",
		sc: cr.C.SecurityContext, containerPath: cr.Path + ".securityContext"}
	if v.pod == nil {
		v.pod = &corev1.PodSecurityContext{}
	}
	if v.sc == nil {
		v.sc = &corev1.SecurityContext{}
	}
	return v
}

func checkRestrictedSecurityContext(o *Object, _ *Config) []Result {
	w, _ := o.Workload()
	return forContainers(o, w, true, func(cr ContainerRef) []Result {
		v := newSecurityView(o, w, cr)
		subject := containerSubject(o, cr)
		var out []Result
		check := func(bad bool, containerField, podField, problem, fix string) {
			switch {
			case !bad:
			case v.unknown(containerField, podField):
				path := v.containerPath + "." + containerField
				out = append(out, Undecided(o, subject, path))
			default:
				out = append(out, Violation(o, subject, problem, fix))
			}
		}

		nonRoot := v.sc.RunAsNonRoot
		if nonRoot == nil {
			nonRoot = v.pod.RunAsNonRoot
		}
		check(nonRoot == nil || !*nonRoot, "runAsNonRoot", "runAsNonRoot", "runAsNonRoot is not true",
			"set securityContext.runAsNonRoot: true on the pod or the container, with a non-zero runAsUser")

		user := v.sc.RunAsUser
		if user == nil {
			user = v.pod.RunAsUser
		}
		check(user != nil && *user == 0, "runAsUser", "runAsUser", "runs as user 0 (root)",
			"set securityContext.runAsUser to a non-zero UID")

		check(v.sc.AllowPrivilegeEscalation == nil || *v.sc.AllowPrivilegeEscalation, "allowPrivilegeEscalation", "",
			"allowPrivilegeEscalation is not false", "set securityContext.allowPrivilegeEscalation: false")

		var drop, add []corev1.Capability
		if v.sc.Capabilities != nil {
			drop, add = v.sc.Capabilities.Drop, v.sc.Capabilities.Add
		}
		check(!slices.Contains(drop, "ALL"), "capabilities.drop", "", "does not drop all capabilities",
			"set securityContext.capabilities.drop: [ALL]")
		for _, c := range add {
			if c != "NET_BIND_SERVICE" {
				check(true, "capabilities.add", "", fmt.Sprintf("adds capability %s", c),
					"remove it from securityContext.capabilities.add (restricted allows only NET_BIND_SERVICE)")
			}
		}

		profile := v.sc.SeccompProfile
		if profile == nil {
			profile = v.pod.SeccompProfile
		}
		switch {
		case profile == nil:
			check(true, "seccompProfile", "seccompProfile", "has no seccomp profile",
				"set securityContext.seccompProfile.type: RuntimeDefault on the pod or the container")
		case profile.Type != corev1.SeccompProfileTypeRuntimeDefault && profile.Type != corev1.SeccompProfileTypeLocalhost:
			check(true, "seccompProfile", "seccompProfile", fmt.Sprintf("uses seccomp profile %q", profile.Type),
				"set securityContext.seccompProfile.type: RuntimeDefault (or Localhost)")
		}

		check(v.sc.Privileged != nil && *v.sc.Privileged, "privileged", "", "runs privileged",
			"remove securityContext.privileged (or set it to false)")
		return out
	})
}

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

// NoHostAccess forbids host namespaces, host ports and hostPath volumes.
var NoHostAccess = &Policy{
	Name:        "no-host-access",
	Description: "Pods use no host network, PID or IPC namespace, no host ports and no hostPath volumes.",
	Remediation: "remove the host access and use Services, emptyDir or PersistentVolumeClaims instead",
	Why:         "Pod Security Standard \"baseline\"; kube-linter, Polaris, kube-score, Kyverno, Checkov",
	Level:       Mandatory,
	Kinds:       []string{PodBearing},
	Resource:    checkNoHostAccess,
}

func checkNoHostAccess(o *Object, _ *Config) []Result {
	w, _ := o.Workload()
	var out []Result
	for _, ns := range []struct {
		field string
		on    bool
		what  string
	}{
		{"hostNetwork", w.Spec.HostNetwork, "the host's network namespace"},
		{"hostPID", w.Spec.HostPID, "the host's PID namespace"},
		{"hostIPC", w.Spec.HostIPC, "the host's IPC namespace"},
	} {
		path := w.SpecPath + "." + ns.field
		switch {
		case ns.on:
			out = append(out, Violation(o, o.Subject(), fmt.Sprintf("shares %s (%s: true)", ns.what, ns.field),
				fmt.Sprintf("remove %s", ns.field)))
		case o.Unknown(path):
			out = append(out, Undecided(o, o.Subject(), path))
		}
	}
	if o.Unknown(w.SpecPath + ".volumes") {
		out = append(out, Undecided(o, o.Subject(), w.SpecPath+".volumes"))
	}
	for i, vol := range w.Spec.Volumes {
		path := JoinIndex(w.SpecPath+".volumes", i)
		switch {
		case vol.HostPath != nil:
			out = append(out, Violation(o, o.Subject(), fmt.Sprintf("mounts host path %s (volume %q)", vol.HostPath.Path, vol.Name),
				"use an emptyDir, ConfigMap, Secret or PersistentVolumeClaim volume instead"))
		case o.Unknown(path) || o.Unknown(path+".hostPath"):
			out = append(out, Undecided(o, o.Subject(), path))
		}
	}
	out = append(out, forContainers(o, w, true, func(cr ContainerRef) []Result {
		var res []Result
		if o.Unknown(cr.Path + ".ports") {
			return []Result{Undecided(o, containerSubject(o, cr), cr.Path+".ports")}
		}
		for i, p := range cr.C.Ports {
			path := JoinIndex(cr.Path+".ports", i)
			switch {
			case p.HostPort != 0:
				res = append(res, Violation(o, containerSubject(o, cr), fmt.Sprintf("binds host port %d", p.HostPort),
					"remove hostPort and reach the container through a Service"))
			case o.Unknown(path) || o.Unknown(path+".hostPort"):
				res = append(res, Undecided(o, containerSubject(o, cr), path+".hostPort"))
			}
		}
		return res
	})...)
	return out
}
