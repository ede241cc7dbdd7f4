package checks

import "testing"

func TestNoDuplicateEnv(t *testing.T) {
	const fix = "; keep one entry per name"
	runTable(t, NoDuplicateEnv, []checkCase{
		{name: "distinct names pass, also across containers", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      initContainers: [{name: migrate, image: "api:1", env: [{name: LOG_LEVEL, value: info}]}]
      containers: [{name: api, image: "api:1", env: [{name: LOG_LEVEL, value: info}, {name: PORT, value: "8000"}]}]
`}},
		{name: "a name set twice is flagged", manifests: []string{envPod(`{name: LOG_LEVEL, value: info}, {name: PORT, value: "1"}, {name: LOG_LEVEL, value: debug}`)},
			want: []string{`Pod "app" container "app": env LOG_LEVEL is set 2 times (env[0], env[2]); only env[2] takes effect` + fix}},
		{name: "a value and a secret reference under one name are flagged", manifests: []string{envPod(`{name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: pw}}}, {name: DB_PASSWORD, value: "$(X)"}`)},
			want: []string{`Pod "app" container "app": env DB_PASSWORD is set 2 times (env[0], env[1]); only env[1] takes effect` + fix}},
		{name: "an init container's duplicates are flagged", manifests: []string{`
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {template: {spec: {initContainers: [{name: wait, image: "a:1", env: [{name: A, value: "1"}, {name: A, value: "1"}, {name: A, value: "2"}]}], containers: [{name: m, image: "a:1"}]}}}
`}, want: []string{`Job "migrate" init container "wait": env A is set 3 times (env[0], env[1], env[2]); only env[2] takes effect` + fix}},
		{name: "an env list unknown during preview is not judged", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: app}
spec: {containers: [{name: app, image: "a:1", env: "<unknown>"}]}
`}, undecided: []string{cannotDecide(`Pod "app" container "app"`, "no-duplicate-env", "spec.containers[0].env")}},
	})
}
