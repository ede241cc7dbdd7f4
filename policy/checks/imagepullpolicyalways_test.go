package checks

import "testing"

func TestImagePullPolicyAlways(t *testing.T) {
	const fix = "; set imagePullPolicy: Always, or pin the image by digest"
	runTable(t, ImagePullPolicyAlways, []checkCase{
		{name: "always, a digest and the latest default pass", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - {name: a, image: "api:1.0.0", imagePullPolicy: Always}
  - {name: b, image: "api@sha256:abc", imagePullPolicy: IfNotPresent}
  - {name: c, image: "tool"}
`}},
		{name: "ifnotpresent on a tag is flagged", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: app}
spec: {containers: [{name: a, image: "api:1.0.0", imagePullPolicy: IfNotPresent}]}
`}, want: []string{`Pod "app" container "a": imagePullPolicy is IfNotPresent for the mutable tag api:1.0.0` + fix}},
		{name: "an unset policy on a version tag is flagged", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: app}
spec: {containers: [{name: a, image: "api:1.0.0"}]}
`}, want: []string{`Pod "app" container "a": imagePullPolicy is unset (IfNotPresent for a tag other than latest) for the mutable tag api:1.0.0` + fix}},
		{name: "a workload's containers are one finding", manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis}
spec:
  template:
    spec:
      containers:
      - {name: redis, image: "redis:7.4", imagePullPolicy: IfNotPresent}
      - {name: exporter, image: "oliver006/redis_exporter:v1.67.0", imagePullPolicy: Never}
`}, want: []string{`StatefulSet "redis": container "redis": imagePullPolicy is IfNotPresent for the mutable tag redis:7.4; ` +
			`container "exporter": imagePullPolicy is Never for the mutable tag oliver006/redis_exporter:v1.67.0` + fix}},
		{name: "a policy unknown during preview is not judged", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: app}
spec: {containers: [{name: a, image: "api:1.0.0", imagePullPolicy: "<unknown>"}]}
`}, undecided: []string{cannotDecide(`Pod "app" container "a"`, "image-pull-policy-always", "spec.containers[0].imagePullPolicy")}},
	})
}
