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
	fix := "; change it under "
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
			`StatefulSet "db": Pod Security restricted (v1.34) forbids procMount: container "app" must not set securityContext.procMount to "Unmasked"` + fix + "spec.template.spec",
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
			`Pod "p": Pod Security restricted (v1.34) forbids forbidden sysctls: kernel.msgmax` + fix + "spec",
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
			`CronJob "reindex": Pod Security restricted (v1.34) forbids restricted volume types: volume "disk" uses restricted volume type "iscsi"` + fix + "spec.jobTemplate.spec.template.spec",
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
			`Job "migrate": Pod Security restricted (v1.34) forbids forbidden AppArmor profile: pod must not set AppArmor profile type to "Unconfined"` + fix + "spec.template.spec",
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
			`Deployment "api": Pod Security restricted (v1.34) forbids forbidden AppArmor profile: annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/app="unconfined""` + fix + "spec.template.spec",
		}},
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
			`DaemonSet "agent": Pod Security baseline (latest) forbids host namespaces: hostNetwork=true` + fix + "spec.template.spec",
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
	})
}
