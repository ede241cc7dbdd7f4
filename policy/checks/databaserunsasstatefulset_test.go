package checks

import "testing"

func TestDatabaseRunsAsStatefulSet(t *testing.T) {
	const fix = "; run it as a StatefulSet with a volumeClaimTemplate, or use a managed service"
	runTable(t, DatabaseRunsAsStatefulSet, []checkCase{
		{name: "a statefulset database and a deployment with a redis exporter pass", manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres}
spec: {template: {spec: {containers: [{name: postgres, image: "pgvector/pgvector:pg16"}]}}}
`, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: metrics}
spec:
  template:
    spec:
      initContainers: [{name: wait-for-db, image: "postgres:16-alpine"}]
      containers: [{name: exporter, image: "oliver006/redis_exporter:v1.62.0"}, {name: pgbouncer, image: "bitnami/pgbouncer:1.23"}]
`}},
		{name: "a postgres exporter of a managed database runs as a deployment", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: postgres-exporter}
spec: {template: {spec: {containers: [{name: exporter, image: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1"}]}}}
`}},
		{name: "an exporter beside the database it measures does not hide the database", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: postgres}
spec: {template: {spec: {containers: [{name: postgres, image: "postgres:16"}, {name: exporter, image: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1"}]}}}
`}, want: []string{
			`Deployment "postgres" container "postgres": runs the database/cache image postgres:16 as a Deployment` + fix,
		}},
		{name: "postgres with pgvector as a deployment is flagged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: postgres}
spec: {template: {spec: {containers: [{name: postgres, image: "pgvector/pgvector:pg16"}]}}}
`}, want: []string{
			`Deployment "postgres" container "postgres": runs the database/cache image pgvector/pgvector:pg16 as a Deployment` + fix,
		}},
		{name: "redis from a registry with a port as a deployment is flagged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: redis}
spec: {template: {spec: {containers: [{name: redis, image: "registry.local:5000/library/redis:7.2-alpine"}]}}}
`}, want: []string{
			`Deployment "redis" container "redis": runs the database/cache image registry.local:5000/library/redis:7.2-alpine as a Deployment` + fix,
		}},
		{name: "chromadb as a deployment is flagged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: chromadb}
spec: {template: {spec: {containers: [{name: chroma, image: "chromadb/chroma:0.5.5"}]}}}
`}, want: []string{
			`Deployment "chromadb" container "chroma": runs the database/cache image chromadb/chroma:0.5.5 as a Deployment` + fix,
		}},
		{name: "configured image patterns replace the defaults", config: map[string]any{"imagePatterns": []any{"my-db"}}, manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: store}
spec: {template: {spec: {containers: [{name: db, image: "corp/my-db:3"}, {name: cache, image: "redis:7"}]}}}
`}, want: []string{
			`Deployment "store" container "db": runs the database/cache image corp/my-db:3 as a Deployment` + fix,
		}},
		{name: "an image unknown during preview is not judged", manifests: []string{`
apiVersion: apps/v1
kind: Deployment
metadata: {name: vector}
spec: {template: {spec: {containers: [{name: db, image: "<unknown>"}]}}}
`}, undecided: []string{
			cannotDecide(`Deployment "vector" container "db"`, "database-runs-as-statefulset", "spec.template.spec.containers[0].image"),
		}},
	})
}
