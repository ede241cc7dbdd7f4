package checks

import "testing"

func TestImageTagNotLatest(t *testing.T) {
	runTable(t, ImageTagNotLatest, []checkCase{
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
