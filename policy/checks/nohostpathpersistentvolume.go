package checks

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// NoHostPathPersistentVolume refuses PersistentVolumes backed by a path of the node: a pod reaches it
// through a claim, which Pod Security admits at every level (it sees a persistentVolumeClaim volume,
// not the hostPath behind it), so the volume would open the node's filesystem to the namespace.
var NoHostPathPersistentVolume = &engine.Policy{
	Name:        "no-hostpath-persistent-volume",
	Description: "No PersistentVolume is backed by a hostPath, which reaches the node's filesystem past Pod Security.",
	Remediation: "provision the volume from a StorageClass (a CSI driver), or use a local volume with node affinity for node-local disks",
	Why: "Pod Security's hostPath check judges pod volumes, not the PersistentVolume a claim binds; Kubernetes documents hostPath " +
		"PersistentVolumes as for single-node testing only",
	Level:    engine.Mandatory,
	Kinds:    []string{"PersistentVolume"},
	Resource: checkNoHostPathPersistentVolume,
}

func checkNoHostPathPersistentVolume(o *engine.Object, _ *engine.Config) []engine.Result {
	pv := o.Typed.(*corev1.PersistentVolume)
	switch {
	case pv.Spec.HostPath != nil:
		return []engine.Result{engine.Violation(o, o.Subject(), fmt.Sprintf("spec.hostPath mounts the node's %q into whichever pod claims it", pv.Spec.HostPath.Path), "")}
	case o.Unknown("spec"):
		return []engine.Result{engine.Undecided(o, o.Subject(), "spec")}
	case slices.ContainsFunc(o.UnknownPaths(), func(u string) bool { return engine.IsPrefixPath("spec.hostPath", u) }):
		return []engine.Result{engine.Violation(o, o.Subject(), "spec.hostPath mounts a path of the node (not known yet) into whichever pod claims it", "")}
	}
	return nil
}
