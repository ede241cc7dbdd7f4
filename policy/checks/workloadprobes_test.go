package checks

import "testing"

// cannotDecide is the fixed wording of a "cannot decide during preview" note.
func cannotDecide(subject, policy, what string) string {
	return subject + ": " + policy + " cannot decide during preview: " + what +
		" is not known yet; it is checked again when the value is known"
}

func TestWorkloadProbes(t *testing.T) {
	runTable(t, WorkloadProbes, []checkCase{
		{name: "a deployment whose container has both probes passes", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
      - {name: api, image: "api:1", ports: [{name: http, containerPort: 8000}], livenessProbe: {httpGet: {path: /healthz, port: http}}, readinessProbe: {tcpSocket: {port: 8000}}}
`}},
		{name: "probes on ports a sidecar or the container itself declares pass", manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres}
spec:
  template:
    spec:
      containers:
      - {name: postgres, image: "postgres:16", ports: [{containerPort: 5432}], livenessProbe: {tcpSocket: {port: 5432}}, readinessProbe: {grpc: {port: 9187}}, startupProbe: {exec: {command: [pg_isready]}}}
      - {name: exporter, image: "exporter:1", ports: [{name: metrics, containerPort: 9187}], livenessProbe: {httpGet: {path: /, port: metrics}}, readinessProbe: {httpGet: {path: /, port: 9187}}}
`}},
		{name: "a probe on a named port the container does not declare is flagged", manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres}
spec:
  template:
    spec:
      containers:
      - {name: postgres, image: "postgres:16", ports: [{name: metrics, containerPort: 5432}], livenessProbe: {exec: {command: [pg_isready]}}, readinessProbe: {exec: {command: [pg_isready]}}}
      - {name: exporter, image: "exporter:1", ports: [{name: http, containerPort: 9187}], livenessProbe: {httpGet: {path: /, port: metrics}}, readinessProbe: {httpGet: {path: /, port: http}}, startupProbe: {tcpSocket: {port: metric}}}
`}, want: []string{
			`StatefulSet "postgres" container "exporter": livenessProbe targets port "metrics", which the container does not declare, so it can never pass; name one of the container's ports, or declare the port the application listens on`,
			`StatefulSet "postgres" container "exporter": startupProbe targets port "metric", which the container does not declare, so it can never pass; name one of the container's ports, or declare the port the application listens on`,
		}},
		{name: "a probe on a port number no container declares is valid: declaring ports is informational", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
      - {name: api, image: "api:1", ports: [{name: http, containerPort: 8000}], livenessProbe: {httpGet: {path: /health, port: 8080}}, readinessProbe: {grpc: {port: 9000}}}
`}},
		{name: "jobs, cronjobs and init containers are exempt", manifests: []string{`
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {template: {spec: {containers: [{name: migrate, image: "api:1"}]}}}
`, `
apiVersion: batch/v1
kind: CronJob
metadata: {name: reindex}
spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: reindex, image: "api:1"}]}}}}}
`, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      initContainers: [{name: wait-for-db, image: "postgres:16"}]
      containers:
      - {name: api, image: "api:1", ports: [{containerPort: 9000}], livenessProbe: {exec: {command: [true]}}, readinessProbe: {grpc: {port: 9000}}}
`}},
		{name: "a celery worker without probes is flagged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: celery-worker}
spec: {template: {spec: {containers: [{name: worker, image: "api:1"}]}}}
`}, want: []string{
			`Deployment "celery-worker" container "worker": no livenessProbe and no readinessProbe; add livenessProbe and readinessProbe (httpGet, tcpSocket, grpc or exec)`,
		}},
		{name: "a statefulset without a readiness probe is flagged", manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis}
spec:
  template:
    spec:
      containers:
      - {name: redis, image: "redis:7.2", livenessProbe: {exec: {command: [redis-cli, ping]}}}
`}, want: []string{
			`StatefulSet "redis" container "redis": no readinessProbe; add readinessProbe (httpGet, tcpSocket, grpc or exec)`,
		}},
		{name: "a bare pod with a probe that checks nothing is flagged", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: debug}
spec:
  containers:
  - {name: shell, image: "busybox:1.36", livenessProbe: {periodSeconds: 10}, readinessProbe: {exec: {command: [true]}}}
`}, want: []string{
			`Pod "debug" container "shell": livenessProbe has no handler; give it an httpGet, tcpSocket, grpc or exec check`,
		}},
		{name: "an auto-named daemonset is named after its pulumi resource", manifests: []string{`
# pulumi name: node-agent
apiVersion: apps/v1
kind: DaemonSet
metadata: {labels: {app: node-agent}}
spec: {template: {spec: {containers: [{name: agent, image: "agent:2", readinessProbe: {exec: {command: [true]}}}]}}}
`}, want: []string{
			`DaemonSet "node-agent" container "agent": no livenessProbe; add livenessProbe (httpGet, tcpSocket, grpc or exec)`,
		}},
		{name: "a probe unknown during preview is not judged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
      - {name: api, image: "api:1", livenessProbe: "<unknown>", readinessProbe: {httpGet: {path: /ready, port: "<unknown>"}}}
      - {name: sidecar, image: "proxy:1", ports: "<unknown>", livenessProbe: {tcpSocket: {port: 15000}}, readinessProbe: {tcpSocket: {port: admin}}}
`}, undecided: []string{
			cannotDecide(`Deployment "api" container "api"`, "workload-probes", "spec.template.spec.containers[0].livenessProbe"),
		}},
		{name: "a container list unknown during preview is not judged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {template: {spec: {containers: "<unknown>"}}}
`}, undecided: []string{
			cannotDecide(`Deployment "api"`, "workload-probes", "spec.template.spec.containers"),
		}},
	})
}
