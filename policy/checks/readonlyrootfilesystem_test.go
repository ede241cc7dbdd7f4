package checks

import "testing"

// restrictedContainer is a container that Pod Security restricted admits, with a read-only root filesystem.
const restrictedContainer = `{name: api, image: "api:1", securityContext: {runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}, readOnlyRootFilesystem: true}}`

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
