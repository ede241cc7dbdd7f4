package checks

import "testing"

func TestContainerResources(t *testing.T) {
	runTable(t, ContainerResources, []checkCase{
		{name: "limits and requests of zero count as unset", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
      - {name: api, image: "api:1", resources: {requests: {cpu: "0", memory: 128Mi}, limits: {cpu: "0m", memory: "0"}}}
`}, want: []string{`Deployment "api" container "api": no requests.cpu (set to 0), limits.cpu (set to 0), limits.memory (set to 0); set resources.requests.cpu, resources.limits.cpu and resources.limits.memory`}},
		{name: "containers with requests and limits pass", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      initContainers: [{name: migrate, image: "api:1", resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {cpu: 500m, memory: 256Mi}}}]
      containers: [{name: api, image: "api:1", resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {cpu: "1", memory: 1Gi}}}]
`}},
		{name: "a container without resources is flagged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: prometheus}
spec: {template: {spec: {containers: [{name: prometheus, image: "prom/prometheus:v2.53.0"}]}}}
`}, want: []string{
			`Deployment "prometheus" container "prometheus": no requests.cpu, requests.memory, limits.cpu, limits.memory; set resources.requests.cpu, resources.requests.memory, resources.limits.cpu and resources.limits.memory`,
		}},
		{name: "an init container without limits is flagged", manifests: []string{`
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          initContainers: [{name: wait, image: "busybox:1.36", resources: {requests: {cpu: 10m, memory: 16Mi}}}]
          containers: [{name: backup, image: "backup:1", resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 100m, memory: 64Mi}}}]
`}, want: []string{
			`CronJob "backup" init container "wait": no limits.cpu, limits.memory; set resources.limits.cpu and resources.limits.memory`,
		}},
		{name: "a missing memory limit alone is flagged", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: tool}
spec: {containers: [{name: tool, image: "tool:1", resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 100m}}}]}
`}, want: []string{
			`Pod "tool" container "tool": no limits.memory; set resources.limits.memory`,
		}},
		{name: "configured requirements replace the defaults", config: map[string]any{"limits": []any{"memory"}}, manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {template: {spec: {containers: [{name: api, image: "api:1", resources: {requests: {cpu: 1, memory: 1Gi}, limits: {memory: 1Gi}}}]}}}
`}},
		{name: "resources unknown during preview are not judged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {template: {spec: {containers: [{name: api, image: "api:1", resources: {requests: {cpu: 1, memory: 1Gi}, limits: "<unknown>"}}]}}}
`}, undecided: []string{
			cannotDecide(`Deployment "api" container "api"`, "container-resources", "spec.template.spec.containers[0].resources.limits.cpu"),
			cannotDecide(`Deployment "api" container "api"`, "container-resources", "spec.template.spec.containers[0].resources.limits.memory"),
		}},
	})
}
