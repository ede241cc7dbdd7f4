package checks

import "testing"

// restrictedPod is a pod spec that Pod Security restricted admits, indented for a template's spec.
const restrictedPod = `
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - {name: app, image: "app:1", securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}`

// The expected reasons and details are upstream's wording (k8s.io/pod-security-admission/policy's
// check_*.go), which the API server prints when it refuses the same pod.
func TestPodSecurityStandards(t *testing.T) {
	runTable(t, PodSecurityStandards, []checkCase{
		{name: "a pod template that restricted admits passes", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:` + restrictedPod + `
`}},
		{name: "an unmasked /proc is refused", manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - {name: app, image: "app:1", securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, procMount: Unmasked}}
`}, want: []string{
			`StatefulSet "db": Pod Security restricted (v1.34) forbids procMount: container "app" must not set securityContext.procMount to "Unmasked"; remove securityContext.procMount (or set it to Default), under spec.template.spec`,
		}},
		{name: "an unsafe sysctl on a bare pod is refused", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}, sysctls: [{name: kernel.msgmax, value: "65536"}]}
  containers:
  - {name: app, image: "app:1", securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}
`}, want: []string{
			`Pod "p": Pod Security restricted (v1.34) forbids forbidden sysctls: kernel.msgmax; remove them from securityContext.sysctls (only the namespaced safe set is allowed), under spec`,
		}},
		{name: "a volume type other than hostPath that restricted refuses, in a CronJob", manifests: []string{`
apiVersion: batch/v1
kind: CronJob
metadata: {name: reindex}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
          volumes: [{name: disk, iscsi: {targetPortal: "10.0.0.1:3260", iqn: "iqn.2001-04.com.example:storage", lun: 0}}]
          containers:
          - {name: app, image: "app:1", securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}
`}, want: []string{
			`CronJob "reindex": Pod Security restricted (v1.34) forbids restricted volume types: volume "disk" uses restricted volume type "iscsi"; use configMap, secret, emptyDir, projected, downwardAPI, persistentVolumeClaim, ephemeral, csi or image volumes, under spec.jobTemplate.spec.template.spec`,
		}},
		{name: "an unconfined AppArmor profile on the pod of a Job is refused", manifests: []string{`
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}, appArmorProfile: {type: Unconfined}}
      containers:
      - {name: app, image: "app:1", securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}
`}, want: []string{
			`Job "migrate": Pod Security restricted (v1.34) forbids forbidden AppArmor profile: pod must not set AppArmor profile type to "Unconfined"; use AppArmor profile type RuntimeDefault or Localhost, or set none, under spec.template.spec`,
		}},
		{name: "the older AppArmor annotation on a pod template is read too", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    metadata:
      annotations: {container.apparmor.security.beta.kubernetes.io/app: unconfined}
    spec:` + restrictedPod + `
`}, want: []string{
			`Deployment "api": Pod Security restricted (v1.34) forbids forbidden AppArmor profile: annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/app="unconfined""; use AppArmor profile type RuntimeDefault or Localhost, or set none, under spec.template.spec`,
		}},
		{name: "on a Pod, the API server copies the AppArmor annotation to the container's field, and both are reported", manifests: []string{`
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations: {container.apparmor.security.beta.kubernetes.io/app: unconfined}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - {name: app, image: "app:1", securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}
`}, want: []string{
			`Pod "p": Pod Security restricted (v1.34) forbids forbidden AppArmor profiles: container "app" and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/app="unconfined""; use AppArmor profile type RuntimeDefault or Localhost, or set none, under spec`,
		}},
		{name: "on a Pod, an AppArmor field is copied to the annotation", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - {name: app, image: "app:1", securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, appArmorProfile: {type: Unconfined}}}
`}, want: []string{
			`Pod "p": Pod Security restricted (v1.34) forbids forbidden AppArmor profiles: container "app" and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/app="unconfined""; use AppArmor profile type RuntimeDefault or Localhost, or set none, under spec`,
		}},
		{name: "a Localhost AppArmor annotation on a Pod passes", manifests: []string{`
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations: {container.apparmor.security.beta.kubernetes.io/app: localhost/app-profile}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - {name: app, image: "app:1", securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}
`}},
		{name: "a volume with no source is an emptyDir once the API server defaults it, which restricted admits", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      volumes: [{name: scratch}]` + restrictedPod + `
`}},
		{name: "at baseline, what only restricted asks for is not required", config: map[string]any{"level": "baseline"}, manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {template: {spec: {containers: [{name: app, image: "app:1"}]}}}
`}},
		{name: "at baseline, a host namespace is still refused", config: map[string]any{"level": "baseline", "version": "latest"}, manifests: []string{`
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec: {template: {spec: {hostNetwork: true, containers: [{name: app, image: "app:1"}]}}}
`}, want: []string{
			`DaemonSet "agent": Pod Security baseline (latest) forbids host namespaces: hostNetwork=true; remove hostNetwork, hostPID and hostIPC, under spec.template.spec`,
		}},
		{name: "a security context not known yet is decided later, not refused", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - {name: app, image: "app:1", securityContext: "<unknown>"}
`}, undecided: []string{
			cannotDecide(`Deployment "api"`, "pod-security-standards", "spec.template.spec"),
		}},
		{name: "a container without a security context is refused for each setting restricted asks for", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: celery-worker}
spec: {template: {spec: {containers: [{name: worker, image: "api:1"}]}}}
`}, want: []string{
			`Deployment "celery-worker": Pod Security restricted (v1.34) forbids allowPrivilegeEscalation != false: container "worker" must set securityContext.allowPrivilegeEscalation=false; set securityContext.allowPrivilegeEscalation: false on each container named, under spec.template.spec`,
			`Deployment "celery-worker": Pod Security restricted (v1.34) forbids unrestricted capabilities: container "worker" must set securityContext.capabilities.drop=["ALL"]; set securityContext.capabilities.drop: [ALL] on each container named (only NET_BIND_SERVICE may be added), under spec.template.spec`,
			`Deployment "celery-worker": Pod Security restricted (v1.34) forbids runAsNonRoot != true: pod or container "worker" must set securityContext.runAsNonRoot=true; set securityContext.runAsNonRoot: true on the pod or on every container, with a non-zero runAsUser, under spec.template.spec`,
			`Deployment "celery-worker": Pod Security restricted (v1.34) forbids seccompProfile: pod or container "worker" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"; set securityContext.seccompProfile.type: RuntimeDefault (or Localhost) on the pod or on every container, under spec.template.spec`,
		}},
		{name: "a privileged root init container is refused, its app container is not", manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres}
spec:
  template:
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 999, seccompProfile: {type: RuntimeDefault}}
      initContainers:
      - {name: chown, image: "busybox:1.36", securityContext: {runAsUser: 0, privileged: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [CHOWN]}}}
      containers:
      - {name: postgres, image: "postgres:16", securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}
`}, want: []string{
			`StatefulSet "postgres": Pod Security restricted (v1.34) forbids privileged: container "chown" must not set securityContext.privileged=true; remove securityContext.privileged (or set it to false), under spec.template.spec`,
			`StatefulSet "postgres": Pod Security restricted (v1.34) forbids unrestricted capabilities: container "chown" must not include "CHOWN" in securityContext.capabilities.add; set securityContext.capabilities.drop: [ALL] on each container named (only NET_BIND_SERVICE may be added), under spec.template.spec`,
			`StatefulSet "postgres": Pod Security restricted (v1.34) forbids runAsUser=0: container "chown" must not set runAsUser=0; set securityContext.runAsUser to a non-zero UID, under spec.template.spec`,
		}},
		{name: "a container's unconfined seccomp profile overrides the pod's and is refused", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: tool}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - {name: tool, image: "tool:1", securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: Unconfined}}}
`}, want: []string{
			`Pod "tool": Pod Security restricted (v1.34) forbids seccompProfile: container "tool" must not set securityContext.seccompProfile.type to "Unconfined"; set securityContext.seccompProfile.type: RuntimeDefault (or Localhost) on the pod or on every container, under spec`,
		}},
		{name: "host namespaces, a hostPath volume and a host port are refused (restricted reports hostPath as a volume type)", manifests: []string{`
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-exporter}
spec:
  template:
    spec:
      hostNetwork: true
      hostPID: true
      hostIPC: true
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      volumes: [{name: logs, hostPath: {path: /var/log}}]
      containers:
      - {name: e, image: "e:1", ports: [{containerPort: 9100, hostPort: 9100}], securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}
`}, want: []string{
			`DaemonSet "node-exporter": Pod Security restricted (v1.34) forbids host namespaces: hostNetwork=true, hostPID=true, hostIPC=true; remove hostNetwork, hostPID and hostIPC, under spec.template.spec`,
			`DaemonSet "node-exporter": Pod Security restricted (v1.34) forbids hostPort: container "e" uses hostPort 9100; remove hostPort and reach the container through a Service, under spec.template.spec`,
			`DaemonSet "node-exporter": Pod Security restricted (v1.34) forbids restricted volume types: volume "logs" uses restricted volume type "hostPath"; use configMap, secret, emptyDir, projected, downwardAPI, persistentVolumeClaim, ephemeral, csi or image volumes, under spec.template.spec`,
		}},
		{name: "at baseline, a hostPath volume is refused as such", config: map[string]any{"level": "baseline"}, manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: log-shipper}
spec: {template: {spec: {volumes: [{name: logs, hostPath: {path: /var/log}}], containers: [{name: s, image: "fluent-bit:3.0"}]}}}
`}, want: []string{
			`Deployment "log-shipper": Pod Security baseline (v1.34) forbids hostPath volumes: volume "logs"; use an emptyDir, ConfigMap, Secret or PersistentVolumeClaim volume instead, under spec.template.spec`,
		}},
		{name: "ordinary volumes and ports pass", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      volumes: [{name: tmp, emptyDir: {}}, {name: cache, persistentVolumeClaim: {claimName: model-cache}}, {name: cfg, configMap: {name: c}}]` + restrictedPod + `
`}},
		{name: "a setting restricted asks for, not known yet, is decided later; one known to be wrong is refused now", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      securityContext: "<unknown>"
      containers:
      - {name: api, image: "api:1", securityContext: {allowPrivilegeEscalation: "<unknown>", capabilities: {drop: [ALL]}}}
`, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: agent}
spec:
  template:
    spec:
      hostPID: true
      securityContext: "<unknown>"
      containers:
      - {name: api, image: "<unknown>", securityContext: {allowPrivilegeEscalation: "<unknown>", capabilities: {drop: [ALL]}}}
`}, want: []string{
			`Deployment "agent": Pod Security restricted (v1.34) forbids host namespaces: hostPID=true; remove hostNetwork, hostPID and hostIPC, under spec.template.spec`,
		}, undecided: []string{
			cannotDecide(`Deployment "api"`, "pod-security-standards", "spec.template.spec.securityContext"),
		}},
		{name: "a value not known yet that restricted does not judge leaves nothing to decide", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - {name: app, image: "<unknown>", env: [{name: DB_HOST, value: "<unknown>"}], securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}
`}},
		{name: "volumes not known yet are decided later", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      volumes: ["<unknown>"]` + restrictedPod + `
`}, undecided: []string{
			cannotDecide(`Deployment "api"`, "pod-security-standards", "spec.template.spec.volumes"),
		}},
	})
}
