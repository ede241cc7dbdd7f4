package checks

import "testing"

// restrictedPod is a pod spec fragment that satisfies every restricted-security-context item.
const restrictedContainer = `{name: api, image: "api:1", securityContext: {runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}, readOnlyRootFilesystem: true}}`

func TestRestrictedSecurityContext(t *testing.T) {
	runTable(t, RestrictedSecurityContext, []checkCase{
		{name: "a restricted container passes, with settings at pod or container level", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {template: {spec: {containers: [` + restrictedContainer + `]}}}
`, `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: Localhost, localhostProfile: p.json}}
      containers:
      - {name: m, image: "api:1", securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}}
`}},
		{name: "a container without a security context is flagged for each missing setting", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: celery-worker}
spec: {template: {spec: {containers: [{name: worker, image: "api:1"}]}}}
`}, want: []string{
			`Deployment "celery-worker" container "worker": runAsNonRoot is not true; set securityContext.runAsNonRoot: true on the pod or the container, with a non-zero runAsUser`,
			`Deployment "celery-worker" container "worker": allowPrivilegeEscalation is not false; set securityContext.allowPrivilegeEscalation: false`,
			`Deployment "celery-worker" container "worker": does not drop all capabilities; set securityContext.capabilities.drop: [ALL]`,
			`Deployment "celery-worker" container "worker": has no seccomp profile; set securityContext.seccompProfile.type: RuntimeDefault on the pod or the container`,
		}},
		{name: "a privileged root init container is flagged", manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres}
spec:
  template:
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 999, seccompProfile: {type: RuntimeDefault}}
      initContainers:
      - {name: chown, image: "busybox:1.36", securityContext: {runAsUser: 0, runAsNonRoot: false, privileged: true, allowPrivilegeEscalation: true, capabilities: {drop: [ALL], add: [CHOWN]}}}
      containers:
      - {name: postgres, image: "postgres:16", securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}
`}, want: []string{
			`StatefulSet "postgres" init container "chown": runAsNonRoot is not true; set securityContext.runAsNonRoot: true on the pod or the container, with a non-zero runAsUser`,
			`StatefulSet "postgres" init container "chown": runs as user 0 (root); set securityContext.runAsUser to a non-zero UID`,
			`StatefulSet "postgres" init container "chown": allowPrivilegeEscalation is not false; set securityContext.allowPrivilegeEscalation: false`,
			`StatefulSet "postgres" init container "chown": adds capability CHOWN; remove it from securityContext.capabilities.add (restricted allows only NET_BIND_SERVICE)`,
			`StatefulSet "postgres" init container "chown": runs privileged; remove securityContext.privileged (or set it to false)`,
		}},
		{name: "an unconfined seccomp profile is flagged", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: tool}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - {name: tool, image: "tool:1", securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: Unconfined}}}
`}, want: []string{
			`Pod "tool" container "tool": uses seccomp profile "Unconfined"; set securityContext.seccompProfile.type: RuntimeDefault (or Localhost)`,
		}},
		{name: "settings unknown during preview are not judged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      securityContext: "<unknown>"
      containers:
      - {name: api, image: "api:1", securityContext: {allowPrivilegeEscalation: "<unknown>", capabilities: {drop: [ALL]}}}
`}, undecided: []string{
			cannotDecide(`Deployment "api" container "api"`, "restricted-security-context", "spec.template.spec.containers[0].securityContext.runAsNonRoot"),
			cannotDecide(`Deployment "api" container "api"`, "restricted-security-context", "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"),
			cannotDecide(`Deployment "api" container "api"`, "restricted-security-context", "spec.template.spec.containers[0].securityContext.seccompProfile"),
		}},
	})
}

func TestReadOnlyRootFilesystem(t *testing.T) {
	const fix = "; set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes (e.g. /tmp)"
	runTable(t, ReadOnlyRootFilesystem, []checkCase{
		{name: "a read-only root filesystem passes", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {template: {spec: {containers: [` + restrictedContainer + `]}}}
`}},
		{name: "a container without a security context is flagged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: grafana}
spec: {template: {spec: {containers: [{name: grafana, image: "grafana/grafana:11.1.0"}]}}}
`}, want: []string{`Deployment "grafana" container "grafana": readOnlyRootFilesystem is not true` + fix}},
		{name: "an explicitly writable root filesystem is flagged", manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis}
spec: {template: {spec: {containers: [{name: redis, image: "redis:7.2", securityContext: {readOnlyRootFilesystem: false}}]}}}
`}, want: []string{`StatefulSet "redis" container "redis": readOnlyRootFilesystem is not true` + fix}},
		{name: "an init container is flagged", manifests: []string{`
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {template: {spec: {initContainers: [{name: wait, image: "busybox:1.36"}], containers: [` + restrictedContainer + `]}}}
`}, want: []string{`Job "migrate" init container "wait": readOnlyRootFilesystem is not true` + fix}},
		{name: "a value unknown during preview is not judged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {template: {spec: {containers: [{name: api, image: "api:1", securityContext: {readOnlyRootFilesystem: "<unknown>"}}]}}}
`}, undecided: []string{
			cannotDecide(`Deployment "api" container "api"`, "read-only-root-filesystem", "spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem"),
		}},
	})
}

func TestNoHostAccess(t *testing.T) {
	runTable(t, NoHostAccess, []checkCase{
		{name: "a pod with ordinary volumes and ports passes", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      volumes: [{name: tmp, emptyDir: {}}, {name: cache, persistentVolumeClaim: {claimName: model-cache}}]
      containers: [{name: api, image: "api:1", ports: [{containerPort: 8000}]}]
`}},
		{name: "host namespaces are flagged", manifests: []string{`
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-exporter}
spec: {template: {spec: {hostNetwork: true, hostPID: true, hostIPC: true, containers: [{name: e, image: "prom/node-exporter:v1.8.1"}]}}}
`}, want: []string{
			`DaemonSet "node-exporter": shares the host's network namespace (hostNetwork: true); remove hostNetwork`,
			`DaemonSet "node-exporter": shares the host's PID namespace (hostPID: true); remove hostPID`,
			`DaemonSet "node-exporter": shares the host's IPC namespace (hostIPC: true); remove hostIPC`,
		}},
		{name: "a hostPath volume is flagged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: log-shipper}
spec: {template: {spec: {volumes: [{name: logs, hostPath: {path: /var/log}}], containers: [{name: s, image: "fluent-bit:3.0"}]}}}
`}, want: []string{
			`Deployment "log-shipper": mounts host path /var/log (volume "logs"); use an emptyDir, ConfigMap, Secret or PersistentVolumeClaim volume instead`,
		}},
		{name: "a host port is flagged", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: web}
spec: {containers: [{name: web, image: "nginx:1.27", ports: [{containerPort: 80, hostPort: 8080}]}]}
`}, want: []string{
			`Pod "web" container "web": binds host port 8080; remove hostPort and reach the container through a Service`,
		}},
		{name: "volumes and ports unknown during preview are not judged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {template: {spec: {volumes: "<unknown>", containers: [{name: api, image: "api:1", ports: "<unknown>"}]}}}
`}, undecided: []string{
			cannotDecide(`Deployment "api"`, "no-host-access", "spec.template.spec.volumes"),
			cannotDecide(`Deployment "api" container "api"`, "no-host-access", "spec.template.spec.containers[0].ports"),
		}},
	})
}
