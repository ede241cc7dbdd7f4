package checks

import (
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

func TestServingDeploymentReplicas(t *testing.T) {
	const fix = "; set spec.replicas to at least 2, or leave it unset and let a HorizontalPodAutoscaler with minReplicas of 2 or more scale it"
	grafana := `
apiVersion: apps/v1
kind: Deployment
metadata: {name: grafana}
spec: {replicas: 1, template: {spec: {containers: [{name: grafana, image: "grafana/grafana:11.1.0", ports: [{containerPort: 3000}]}]}}}
`
	runTable(t, ServingDeploymentReplicas, []checkCase{
		{name: "outside production one replica passes", manifests: []string{grafana}},
		{name: "in production, two replicas, hpa-managed deployments, workers and beat pass", production: true, manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: external-portal}
spec: {replicas: 3, template: {spec: {containers: [{name: web, image: "portal:1", ports: [{containerPort: 3000}]}]}}}
`, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {template: {spec: {containers: [{name: api, image: "api:1", ports: [{containerPort: 8000}]}]}}}
`, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: celery-beat}
spec: {replicas: 1, template: {spec: {containers: [{name: beat, image: "api:1"}]}}}
`}},
		{name: "in production one exporter of a managed endpoint passes: a second would duplicate its series", production: true, manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: redis-exporter}
spec: {replicas: 1, template: {spec: {containers: [{name: exporter, image: "oliver006/redis_exporter:v1.67.0", ports: [{containerPort: 9121}]}]}}}
`}},
		{name: "in production an exporter does not excuse the server beside it", production: true, manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: 1, template: {spec: {containers: [{name: web, image: "nginx:1.27", ports: [{containerPort: 80}]}, {name: exporter, image: "nginx/nginx-prometheus-exporter:1.3", ports: [{containerPort: 9113}]}]}}}
`}, want: []string{
			`Deployment "web": serves on ports 80, 9113 with 1 replica in production (minimum 2)` + fix,
		}},
		{name: "in production a single grafana is flagged", production: true, manifests: []string{grafana}, want: []string{
			`Deployment "grafana": serves on port 3000 with 1 replica in production (minimum 2)` + fix,
		}},
		{name: "the policy's production flag makes any stack production", config: map[string]any{"production": true}, manifests: []string{grafana}, want: []string{
			`Deployment "grafana": serves on port 3000 with 1 replica in production (minimum 2)` + fix,
		}},
		{name: "a configured minimum applies", production: true, config: map[string]any{"minReplicas": float64(3)}, manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {replicas: 2, template: {spec: {containers: [{name: api, image: "api:1", ports: [{containerPort: 8000}, {containerPort: 9090}]}]}}}
`}, want: []string{
			`Deployment "api": serves on ports 8000, 9090 with 2 replicas in production (minimum 3); set spec.replicas to at least 3, or leave it unset and let a HorizontalPodAutoscaler with minReplicas of 3 or more scale it`,
		}},
		{name: "replicas unknown during preview are not judged", production: true, manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {replicas: "<unknown>", template: {spec: {containers: [{name: api, image: "api:1", ports: [{containerPort: 8000}]}]}}}
`}, undecided: []string{
			cannotDecide(`Deployment "api"`, "serving-deployment-replicas", "spec.replicas"),
		}},
	})
}

// serving-deployment-replicas leaves databases to database-runs-as-statefulset, by that policy's
// imagePatterns: widening them widens what both treat as a database.
func TestWideningDatabaseImagePatternsWidensServingReplicas(t *testing.T) {
	rs := []engine.Resource{manifest(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: vectors, namespace: rag}
spec: {replicas: 1, template: {spec: {containers: [{name: db, image: "acme/vectorstore:2", ports: [{containerPort: 6333}]}]}}}
`)}
	reported := func(opts engine.Options) (out []string) {
		for _, f := range Evaluate(rs, opts) {
			if f.Policy == ServingDeploymentReplicas.Name || f.Policy == DatabaseRunsAsStatefulSet.Name {
				out = append(out, f.Policy)
			}
		}
		return out
	}
	assertLines(t, "with the default patterns", []string{ServingDeploymentReplicas.Name}, reported(engine.Options{Production: true}))
	widened := map[string]any{"imagePatterns": []any{"vectorstore"}}
	assertLines(t, "with vectorstore added", []string{DatabaseRunsAsStatefulSet.Name}, reported(engine.Options{Production: true,
		Policies: map[string]engine.PolicyConfig{DatabaseRunsAsStatefulSet.Name: {Properties: widened}}}))
	assertLines(t, "with vectorstore added and database-runs-as-statefulset disabled", nil, reported(engine.Options{Production: true,
		Policies: map[string]engine.PolicyConfig{DatabaseRunsAsStatefulSet.Name: {Level: engine.Disabled, Properties: widened}}}))
}
