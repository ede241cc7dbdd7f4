package checks

import "testing"

// cannotDecide is the fixed wording of a "cannot decide during preview" note.
func cannotDecide(subject, policy, what string) string {
	return subject + ": " + policy + " cannot decide during preview: " + what +
		" is not known yet; it is checked again when the value is known"
}

func TestWorkloadProbes(t *testing.T) {
	runTable(t, Probes, []checkCase{
		{name: "a deployment whose container has both probes passes", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
      - {name: api, image: "api:1", livenessProbe: {httpGet: {path: /healthz, port: 8000}}, readinessProbe: {tcpSocket: {port: 8000}}}
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
      - {name: api, image: "api:1", livenessProbe: {exec: {command: [true]}}, readinessProbe: {grpc: {port: 9000}}}
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
