package checks

import (
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// defaultRWXClasses are storage class names that common clusters give to file storage able to
// serve ReadWriteMany: NFS provisioners, AWS EFS, Azure Files, GKE Filestore, CephFS, Longhorn's
// share manager. Stacks configure their own list.
var defaultRWXClasses = []string{
	"nfs", "nfs-client", "nfs-csi", "managed-nfs-storage",
	"efs-sc", "efs",
	"azurefile", "azurefile-csi", "azurefile-premium", "azurefile-csi-premium",
	"filestore", "standard-rwx", "premium-rwx", "enterprise-rwx", "enterprise-multishare-rwx",
	"cephfs", "rook-cephfs", "ocs-storagecluster-cephfs",
	"longhorn-rwx",
}

// RWXStorageClass requires ReadWriteMany claims to name a storage class that can serve them.
var RWXStorageClass = &engine.Policy{
	Name:        "rwx-storage-class",
	Description: "A ReadWriteMany claim (standalone, a StatefulSet's claim template or a pod's ephemeral volume) names a storage class from the list of RWX-capable classes.",
	Remediation: "set storageClassName to an RWX-capable class (file storage such as NFS, EFS, Azure Files or Filestore)",
	Why:         "review finding 4 (model-cache and uploads-data are RWX on class \"standard\", which is block storage); no linter checks this",
	Level:       engine.Mandatory,
	Kinds:       []string{"PersistentVolumeClaim", engine.PodBearing},
	Params:      &rwxParams{RWXStorageClasses: defaultRWXClasses},
	Resource:    checkRWXStorageClass,
}

// rwxParams are the parameters of rwx-storage-class.
type rwxParams struct {
	RWXStorageClasses []string `param:"rwxStorageClasses" help:"storage class names that support ReadWriteMany"`
}

func checkRWXStorageClass(o *engine.Object, c *engine.Config) []engine.Result {
	classes := c.Params.(*rwxParams).RWXStorageClasses
	var out []engine.Result
	switch t := o.Typed.(type) {
	case *corev1.PersistentVolumeClaim:
		return checkClaim(o, o.Subject(), "spec", &t.Spec, classes)
	case *appsv1.StatefulSet:
		if o.Unknown("spec.volumeClaimTemplates") {
			out = append(out, engine.Undecided(o, o.Subject(), "spec.volumeClaimTemplates"))
			break
		}
		for i := range t.Spec.VolumeClaimTemplates {
			tpl := &t.Spec.VolumeClaimTemplates[i]
			path := engine.JoinIndex("spec.volumeClaimTemplates", i)
			subject := fmt.Sprintf("%s claim template %q", o.Subject(), tpl.Name)
			if o.Unknown(path) {
				out = append(out, engine.Undecided(o, o.Subject(), path))
				continue
			}
			out = append(out, checkClaim(o, subject, path+".spec", &tpl.Spec, classes)...)
		}
	}
	if w, ok := o.Workload(); ok {
		out = append(out, checkEphemeralClaims(o, w, classes)...)
	}
	return out
}

// checkEphemeralClaims judges the claims a pod's generic ephemeral volumes create, one per pod, like
// any other claim.
func checkEphemeralClaims(o *engine.Object, w engine.Workload, classes []string) []engine.Result {
	volumes := w.SpecPath + ".volumes"
	var out []engine.Result
	for i, v := range w.Spec.Volumes {
		path := engine.JoinIndex(volumes, i)
		switch {
		case o.Unknown(path):
			out = append(out, engine.Undecided(o, o.Subject(), path))
		case v.Ephemeral == nil && o.Computed(path+".ephemeral"):
			out = append(out, engine.Undecided(o, o.Subject(), path+".ephemeral"))
		case v.Ephemeral != nil && v.Ephemeral.VolumeClaimTemplate != nil:
			subject := fmt.Sprintf("%s ephemeral volume %q", o.Subject(), v.Name)
			out = append(out, checkClaim(o, subject, path+".ephemeral.volumeClaimTemplate.spec", &v.Ephemeral.VolumeClaimTemplate.Spec, classes)...)
		}
	}
	if o.Unknown(volumes) {
		out = append(out, engine.Undecided(o, o.Subject(), volumes))
	}
	return out
}

func checkClaim(o *engine.Object, subject, path string, spec *corev1.PersistentVolumeClaimSpec, classes []string) []engine.Result {
	if !slices.Contains(spec.AccessModes, corev1.ReadWriteMany) {
		if o.Unknown(path + ".accessModes") {
			return []engine.Result{engine.Undecided(o, subject, path+".accessModes")}
		}
		return nil
	}
	allowed := "allowed: " + strings.Join(classes, ", ")
	switch {
	case spec.StorageClassName == nil && o.Unknown(path+".storageClassName"):
		return []engine.Result{engine.Undecided(o, subject, path+".storageClassName")}
	case spec.StorageClassName == nil:
		return []engine.Result{engine.Violation(o, subject,
			"ReadWriteMany claim has no storageClassName, so it gets the cluster's default class, which usually cannot serve ReadWriteMany",
			"set storageClassName to an RWX-capable class ("+allowed+")")}
	case *spec.StorageClassName == "" && spec.VolumeName != "":
		return nil // Binds a pre-provisioned volume by name; its kind is outside the stack's view.
	case slices.Contains(classes, *spec.StorageClassName):
		return nil
	}
	return []engine.Result{engine.Violation(o, subject,
		fmt.Sprintf("ReadWriteMany claim uses storage class %q, which is not in the RWX-capable list", *spec.StorageClassName),
		"use an RWX-capable class ("+allowed+") or add the class to rwxStorageClasses if it really serves ReadWriteMany")}
}
