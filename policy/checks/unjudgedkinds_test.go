package checks

import "testing"

// customObject is an object of a kind the pack has no policy of its own for.
func customObject(apiVersion, kind, name, spec string) string {
	return `
apiVersion: ` + apiVersion + `
kind: ` + kind + `
metadata: {name: ` + name + `, namespace: rag}
spec: ` + spec + `
`
}

func TestUnjudgedKinds(t *testing.T) {
	const listed = `The stack: has objects of kinds no policy of the pack judges beyond its checks of every object: `
	const fix = `; review them by hand; for a custom kind with a pod template, add its path to podTemplatePaths`
	runTable(t, UnjudgedKinds, []checkCase{
		{name: "a stack of kinds the checks read says nothing", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			pdb("api", "rag", "maxUnavailable: 1", "{app: api}"),
			labelledNamespace("rag", `{pod-security.kubernetes.io/enforce: restricted}`),
		}},
		{name: "custom resources are listed by kind, with their counts", manifests: []string{
			customObject("external-secrets.io/v1", "ExternalSecret", "llm", "{refreshInterval: 15m}"),
			customObject("external-secrets.io/v1", "ExternalSecret", "data", "{refreshInterval: 15m}"),
			customObject("monitoring.coreos.com/v1", "ServiceMonitor", "api", "{endpoints: [{port: http}]}"),
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
		}, want: []string{listed + `external-secrets.io/v1 ExternalSecret (2), monitoring.coreos.com/v1 ServiceMonitor (1)` + fix}},
		{name: "a built-in kind no check reads is listed too", manifests: []string{
			customObject("v1", "ResourceQuota", "quota", "{hard: {pods: \"10\"}}"),
			customObject("v1", "LimitRange", "limits", "{limits: [{type: Container}]}"),
		}, want: []string{listed + `v1 LimitRange (1), v1 ResourceQuota (1)` + fix}},
		{name: "a custom kind with a pod template path is judged, one without is listed", manifests: []string{
			customObject("argoproj.io/v1alpha1", "Rollout", "api", "{template: {spec: {containers: [{name: api, image: \"api:1\"}]}}}"),
			customObject("argoproj.io/v1alpha1", "Workflow", "etl", "{templates: [{name: main, container: {image: \"etl:1\"}}]}"),
		}, want: []string{listed + `argoproj.io/v1alpha1 Workflow (1)` + fix}},
		{name: "a custom resource whose spec is not known yet is still listed by its kind", manifests: []string{
			customObject("example.com/v1alpha1", "Widget", "worker", `"<unknown>"`),
		}, want: []string{listed + `example.com/v1alpha1 Widget (1)` + fix}},
	})
}
