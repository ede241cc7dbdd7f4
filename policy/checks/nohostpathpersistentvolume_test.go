package checks

import "testing"

func TestNoHostPathPersistentVolume(t *testing.T) {
	const fix = `; provision the volume from a StorageClass (a CSI driver), or use a local volume with node affinity for node-local disks`
	runTable(t, NoHostPathPersistentVolume, []checkCase{
		{name: "CSI, NFS and local volumes pass", manifests: []string{`
apiVersion: v1
kind: PersistentVolume
metadata: {name: efs}
spec: {capacity: {storage: 5Gi}, accessModes: [ReadWriteMany], csi: {driver: efs.csi.aws.com, volumeHandle: "fs-123"}}
`, `
apiVersion: v1
kind: PersistentVolume
metadata: {name: share}
spec: {capacity: {storage: 5Gi}, accessModes: [ReadWriteMany], nfs: {server: nfs.internal, path: /exports/rag}}
`, `
apiVersion: v1
kind: PersistentVolume
metadata: {name: ssd}
spec:
  capacity: {storage: 100Gi}
  accessModes: [ReadWriteOnce]
  local: {path: /mnt/disks/ssd1}
  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node-1]}]}]}}
`}},
		{name: "a hostPath volume is refused", manifests: []string{`
apiVersion: v1
kind: PersistentVolume
metadata: {name: node-root}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /}}
`}, want: []string{`PersistentVolume "node-root": spec.hostPath mounts the node's "/" into whichever pod claims it` + fix}},
		{name: "a hostPath volume pre-bound to the stack's claim is refused", manifests: []string{`
apiVersion: v1
kind: PersistentVolume
metadata: {name: uploads}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteMany]
  hostPath: {path: /var/lib/kubelet, type: Directory}
  claimRef: {namespace: jd-jones-rag, name: uploads-data}
`}, want: []string{`PersistentVolume "uploads": spec.hostPath mounts the node's "/var/lib/kubelet" into whichever pod claims it` + fix}},
		{name: "the container runtime's socket as a volume is refused", manifests: []string{`
apiVersion: v1
kind: PersistentVolume
metadata: {name: runtime}
spec: {capacity: {storage: 1Mi}, accessModes: [ReadWriteOnce], hostPath: {path: /run/containerd/containerd.sock, type: Socket}}
`}, want: []string{`PersistentVolume "runtime": spec.hostPath mounts the node's "/run/containerd/containerd.sock" into whichever pod claims it` + fix}},
		{name: "a hostPath whose path is not known yet is refused all the same", manifests: []string{`
apiVersion: v1
kind: PersistentVolume
metadata: {name: data}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: "<unknown>"}
`}, want: []string{`PersistentVolume "data": spec.hostPath mounts a path of the node (not known yet) into whichever pod claims it` + fix}},
		{name: "a spec not known yet is decided later", manifests: []string{`
apiVersion: v1
kind: PersistentVolume
metadata: {name: data}
spec: "<unknown>"
`}, undecided: []string{cannotDecide(`PersistentVolume "data"`, "no-hostpath-persistent-volume", "spec")}},
	})
}
