package checks

import (
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

func TestKubernetesObjectReadable(t *testing.T) {
	runTable(t, engine.KubernetesObjectReadable, []checkCase{
		{name: "well-typed objects and other providers' resources pass", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {replicas: 2}
`}},
		{name: "replicas written as a string is flagged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {replicas: "2"}
`}, want: []string{`Deployment "api": cannot be read as apps/v1 Deployment: spec.replicas is a JSON string where the API expects int32; fix the value to the type the Kubernetes API expects`}},
		{name: "a malformed quantity is flagged", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: tool}
spec: {containers: [{name: t, resources: {limits: {memory: lots}}}]}
`}, want: []string{`Pod "tool": cannot be read as v1 Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'; fix the value to the type the Kubernetes API expects`}},
		{name: "containers written as a map are flagged", manifests: []string{`
apiVersion: v1
kind: Pod
metadata: {name: tool}
spec: {containers: {name: t}}
`}, want: []string{`Pod "tool": cannot be read as v1 Pod: spec.containers is a JSON object where the API expects []v1.Container; fix the value to the type the Kubernetes API expects`}},
		{name: "values unknown during preview are no problem", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {replicas: "<unknown>"}
`}},
	})
}
