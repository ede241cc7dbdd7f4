package checks

import "testing"

func TestImageTagNotLatest(t *testing.T) {
	runTable(t, ImageTag, []checkCase{
		{name: "version tags, digests and registry ports pass", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      initContainers: [{name: wait, image: "registry.local:5000/busybox:1.36"}]
      containers:
      - {name: api, image: "ghcr.io/jdjones/api:2.3.1"}
      - {name: proxy, image: "envoyproxy/envoy@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
`}},
		{name: "the latest tag is flagged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: grafana}
spec: {template: {spec: {containers: [{name: grafana, image: "grafana/grafana:latest"}]}}}
`}, want: []string{
			`Deployment "grafana" container "grafana": image grafana/grafana:latest uses the latest tag; pin a version tag such as grafana/grafana:<version> (or a digest)`,
		}},
		{name: "an untagged image on a registry with a port is flagged", manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis}
spec: {template: {spec: {initContainers: [{name: init, image: "registry.local:5000/redis"}], containers: [{name: redis, image: "redis:7.2"}]}}}
`}, want: []string{
			`StatefulSet "redis" init container "init": image registry.local:5000/redis has no tag, so it means registry.local:5000/redis:latest; pin a version tag such as registry.local:5000/redis:<version> (or a digest)`,
		}},
		{name: "a container without an image is flagged", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: broken}
spec: {containers: [{name: app}]}
`}, want: []string{
			`Pod "broken" container "app": has no image; set image to a versioned image reference`,
		}},
		{name: "an image unknown during preview is not judged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {template: {spec: {containers: [{name: api, image: "<unknown>"}]}}}
`}, undecided: []string{
			cannotDecide(`Deployment "api" container "api"`, "image-tag-not-latest", "spec.template.spec.containers[0].image"),
		}},
	})
}

func TestImagePinnedByDigest(t *testing.T) {
	const fix = "; append @sha256:<digest> to the image"
	runTable(t, ImageDigest, []checkCase{
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
