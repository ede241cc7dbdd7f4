package checks

import "testing"

func TestSelectorMatchesLabels(t *testing.T) {
	const fix = "; make spec.selector match the labels of spec.template.metadata.labels"
	runTable(t, SelectorMatchesLabels, []checkCase{
		{name: "a selector that is a subset of the template labels passes, and a job without one", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", "{app: api}"),
			`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  selector: {matchExpressions: [{key: app, operator: In, values: [db]}]}
  template: {metadata: {labels: {app: db, version: "16"}}, spec: {containers: [{name: db, image: "db:1"}]}}
`, "apiVersion: batch/v1\nkind: Job\nmetadata: {name: m}\nspec: {template: {spec: {containers: [{name: m, image: \"m:1\"}]}}}\n",
		}},
		{name: "a selector that misses the template labels is flagged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template: {metadata: {labels: {app: api-server}}, spec: {containers: [{name: api, image: "api:1"}]}}
`}, want: []string{`Deployment "api": spec.selector app=api does not select its pod template's labels app=api-server` + fix}},
		{name: "a daemonset without a selector is flagged", manifests: []string{`
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec: {template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: a, image: "a:1"}]}}}
`}, want: []string{`DaemonSet "agent": has no spec.selector, which apps/v1 requires` + fix}},
		{name: "an empty selector is flagged", manifests: []string{`
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec: {selector: {}, template: {metadata: {labels: {app: rs}}, spec: {containers: [{name: a, image: "a:1"}]}}}
`}, want: []string{`ReplicaSet "rs": has an empty spec.selector, which would select every pod in the namespace` + fix}},
		{name: "labels unknown during preview are not judged", manifests: []string{
			deploymentWith("api", "rag", "replicas: 2", `"<unknown>"`),
		}, undecided: []string{cannotDecide(`Deployment "api"`, "selector-matches-labels", "spec.selector or spec.template.metadata.labels")}},
	})
}
