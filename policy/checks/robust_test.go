package checks

import (
	"strings"
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// TestMalformedObjectsNeverCrashTheChecks feeds every policy objects of the wrong shapes: each is
// reported (kubernetes-object-readable) or skipped, and no check panics.
func TestMalformedObjectsNeverCrashTheChecks(t *testing.T) {
	docs := []string{
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: not-a-spec\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: []\nspec: {template: 5}\n",
		"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: b}\nspec: {template: {spec: {containers: [null, 5, x, {}]}}, volumeClaimTemplates: [null]}\n",
		"apiVersion: v1\nkind: Pod\nmetadata: {name: c, labels: \"<unknown>\"}\nspec: {containers: [{name: x, env: [null, {}, {name: PASSWORD}], ports: [{}], securityContext: {}}]}\n",
		"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: d}\nspec: {rules: [null, {http: {paths: [null, {backend: {}}]}}], tls: [null, {hosts: [null]}]}\n",
		"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: e}\nspec: {}\n",
		"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: f}\nspec: {maxUnavailable: \"abc%\", selector: {matchExpressions: [{key: a, operator: Bogus}]}}\n",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: g}\ndata: {a: \"not base64!\"}\n",
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: h}\nspec: {podSelector: {matchExpressions: [{key: app, operator: In}]}}\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: i}\nspec: {selector: {app: \"<unknown>\"}, ports: [null]}\n",
		"apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: j, namespace: \"<unknown>\"}\n",
	}
	var rs []engine.Resource
	for _, d := range docs {
		rs = append(rs, manifest(t, d))
	}
	rs = append(rs, engine.Resource{Type: "random:index/randomPassword:RandomPassword", Name: "pw", URN: "urn:pulumi:s::p::random::pw"},
		engine.Resource{Type: "kubernetes:apps/v1:Deployment", Name: "empty", URN: "urn:pulumi:s::p::kubernetes:apps/v1:Deployment::empty"})
	for _, f := range Evaluate(rs, engine.Options{Production: true}) {
		if strings.Contains(f.Message, "failed with") {
			t.Errorf("a check panicked: %s", f)
		}
	}
}
