package checks

import "testing"

func TestImagePinnedByDigest(t *testing.T) {
	const fix = "; append @sha256:<digest> to the image"
	runTable(t, ImagePinnedByDigest, []checkCase{
		{name: "digest-pinned images pass", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {template: {spec: {containers: [{name: api, image: "ghcr.io/jdjones/api:2.3.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}]}}}
`}},
		{name: "a tagged image is flagged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {template: {spec: {containers: [{name: api, image: "ghcr.io/jdjones/api:2.3.1"}]}}}
`}, want: []string{`Deployment "api" container "api": image ghcr.io/jdjones/api:2.3.1 is not pinned by digest` + fix}},
		{name: "a workload's unpinned containers are one finding listing them", manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres}
spec:
  template:
    spec:
      initContainers: [{name: init, image: "busybox:1.36"}]
      containers:
      - {name: postgres, image: "pgvector/pgvector:0.8.0-pg16"}
      - {name: exporter, image: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1"}
      - {name: pinned, image: "api@sha256:abc"}
`}, want: []string{`StatefulSet "postgres": init container "init": image busybox:1.36 is not pinned by digest; ` +
			`container "postgres": image pgvector/pgvector:0.8.0-pg16 is not pinned by digest; ` +
			`container "exporter": image quay.io/prometheuscommunity/postgres-exporter:v0.17.1 is not pinned by digest` + fix}},
		{name: "an init container's image is flagged", manifests: []string{`
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {template: {spec: {initContainers: [{name: wait, image: "busybox:1.36"}], containers: [{name: m, image: "api@sha256:abc"}]}}}
`}, want: []string{`Job "migrate" init container "wait": image busybox:1.36 is not pinned by digest` + fix}},
		{name: "a latest image is flagged here too", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: tool}
spec: {containers: [{name: tool, image: "tool"}]}
`}, want: []string{`Pod "tool" container "tool": image tool is not pinned by digest` + fix}},
		{name: "an image unknown during preview is not judged", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: tool}
spec: {containers: [{name: tool, image: "<unknown>"}]}
`}, undecided: []string{
			cannotDecide(`Pod "tool" container "tool"`, "image-pinned-by-digest", "spec.containers[0].image"),
		}},
	})
}
