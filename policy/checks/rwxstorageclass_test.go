package checks

import "testing"

func TestRWXStorageClass(t *testing.T) {
	const allowed = "nfs, nfs-client, nfs-csi, managed-nfs-storage, efs-sc, efs, azurefile, azurefile-csi, azurefile-premium, " +
		"azurefile-csi-premium, filestore, standard-rwx, premium-rwx, enterprise-rwx, enterprise-multishare-rwx, cephfs, " +
		"rook-cephfs, ocs-storagecluster-cephfs, longhorn-rwx"
	runTable(t, RWXStorageClass, []checkCase{
		{name: "rwx claims on file storage and rwo claims on block storage pass", manifests: []string{`
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: model-cache}
spec: {accessModes: [ReadWriteMany], storageClassName: efs-sc}
`, `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: postgres-data}
spec: {accessModes: [ReadWriteOnce], storageClassName: standard}
`, `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: static-nfs}
spec: {accessModes: [ReadWriteMany], storageClassName: "", volumeName: nfs-share}
`}},
		{name: "the review's rwx claim on class standard is flagged", manifests: []string{`
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: uploads-data}
spec: {accessModes: [ReadWriteMany], storageClassName: standard}
`}, want: []string{
			`PersistentVolumeClaim "uploads-data": ReadWriteMany claim uses storage class "standard", which is not in the RWX-capable list; use an RWX-capable class (allowed: ` +
				allowed + `) or add the class to rwxStorageClasses if it really serves ReadWriteMany`,
		}},
		{name: "an rwx claim without a storage class is flagged", manifests: []string{`
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: model-cache}
spec: {accessModes: [ReadWriteMany]}
`}, want: []string{
			`PersistentVolumeClaim "model-cache": ReadWriteMany claim has no storageClassName, so it gets the cluster's default class, which usually cannot serve ReadWriteMany; set storageClassName to an RWX-capable class (allowed: ` +
				allowed + `)`,
		}},
		{name: "an rwx claim template of a statefulset is flagged against the configured list", config: map[string]any{"rwxStorageClasses": []any{"corp-nfs"}}, manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: indexer}
spec:
  volumeClaimTemplates:
  - {metadata: {name: data}, spec: {accessModes: [ReadWriteOnce], storageClassName: gp3}}
  - {metadata: {name: shared}, spec: {accessModes: [ReadWriteMany], storageClassName: efs-sc}}
`}, want: []string{
			`StatefulSet "indexer" claim template "shared": ReadWriteMany claim uses storage class "efs-sc", which is not in the RWX-capable list; use an RWX-capable class (allowed: corp-nfs) or add the class to rwxStorageClasses if it really serves ReadWriteMany`,
		}},
		{name: "a pod's ephemeral rwx volume on block storage is flagged, one on file storage passes", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  template:
    spec:
      containers: [{name: worker, image: "worker:1"}]
      volumes:
      - {name: scratch, ephemeral: {volumeClaimTemplate: {spec: {accessModes: [ReadWriteMany], storageClassName: standard}}}}
      - {name: shared, ephemeral: {volumeClaimTemplate: {spec: {accessModes: [ReadWriteMany], storageClassName: efs-sc}}}}
      - {name: local, ephemeral: {volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce]}}}}
      - {name: tmp, emptyDir: {}}
`}, want: []string{
			`Deployment "worker" ephemeral volume "scratch": ReadWriteMany claim uses storage class "standard", which is not in the RWX-capable list; use an RWX-capable class (allowed: ` +
				allowed + `) or add the class to rwxStorageClasses if it really serves ReadWriteMany`,
		}},
		{name: "a CronJob's ephemeral rwx volume without a class is flagged", manifests: []string{`
apiVersion: batch/v1
kind: CronJob
metadata: {name: reindex}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: reindex, image: "reindex:1"}]
          volumes: [{name: work, ephemeral: {volumeClaimTemplate: {spec: {accessModes: [ReadWriteMany]}}}}]
`}, want: []string{
			`CronJob "reindex" ephemeral volume "work": ReadWriteMany claim has no storageClassName, so it gets the cluster's default class, which usually cannot serve ReadWriteMany; set storageClassName to an RWX-capable class (allowed: ` +
				allowed + `)`,
		}},
		{name: "ephemeral volumes not known yet are decided later", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  template:
    spec:
      containers: [{name: worker, image: "worker:1"}]
      volumes: [{name: scratch, ephemeral: "<unknown>"}]
`}, undecided: []string{
			cannotDecide(`Deployment "worker"`, "rwx-storage-class", "spec.template.spec.volumes[0].ephemeral"),
		}},
		{name: "a storage class unknown during preview is not judged", manifests: []string{`
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: shared}
spec: {accessModes: [ReadWriteMany], storageClassName: "<unknown>"}
`, `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: other}
spec: {accessModes: "<unknown>", storageClassName: standard}
`}, undecided: []string{
			cannotDecide(`PersistentVolumeClaim "shared"`, "rwx-storage-class", "spec.storageClassName"),
			cannotDecide(`PersistentVolumeClaim "other"`, "rwx-storage-class", "spec.accessModes"),
		}},
	})
}
