package checks

import "testing"

func TestNamespacePodSecurity(t *testing.T) {
	const fix = "; label the namespace pod-security.kubernetes.io/enforce: restricted"
	runTable(t, NamespacePodSecurity, []checkCase{
		{name: "a restricted namespace and an exempt system namespace pass", manifests: []string{`
apiVersion: v1
kind: Namespace
metadata: {name: jd-jones-rag, labels: {pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: latest}}
`, `
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
`}},
		{name: "a namespace without the label is flagged", manifests: []string{`
apiVersion: v1
kind: Namespace
metadata: {name: jd-jones-rag}
`}, want: []string{`Namespace "jd-jones-rag": has no pod-security.kubernetes.io/enforce label` + fix}},
		{name: "a baseline namespace is flagged", manifests: []string{`
apiVersion: v1
kind: Namespace
metadata: {name: monitoring, labels: {pod-security.kubernetes.io/enforce: baseline}}
`}, want: []string{`Namespace "monitoring": enforces Pod Security "baseline", below the required "restricted"` + fix}},
		{name: "a misspelt level is flagged", manifests: []string{`
apiVersion: v1
kind: Namespace
metadata: {name: apps, labels: {pod-security.kubernetes.io/enforce: restrictive}}
`}, want: []string{`Namespace "apps": has pod-security.kubernetes.io/enforce "restrictive", which is not a Pod Security level` + fix}},
		{name: "a configured minimum of baseline accepts baseline and flags privileged", config: map[string]any{"minimumLevel": "baseline"}, manifests: []string{`
apiVersion: v1
kind: Namespace
metadata: {name: monitoring, labels: {pod-security.kubernetes.io/enforce: baseline}}
`, `
apiVersion: v1
kind: Namespace
metadata: {name: agents, labels: {pod-security.kubernetes.io/enforce: privileged}}
`}, want: []string{`Namespace "agents": enforces Pod Security "privileged", below the required "baseline"; label the namespace pod-security.kubernetes.io/enforce: baseline`}},
		{name: "labels unknown during preview are not judged", manifests: []string{`
apiVersion: v1
kind: Namespace
metadata: {name: apps, labels: "<unknown>"}
`}, undecided: []string{
			cannotDecide(`Namespace "apps"`, "namespace-pod-security", `metadata.labels["pod-security.kubernetes.io/enforce"]`),
		}},
	})
}
