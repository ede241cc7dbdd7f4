package checks

import "testing"

func TestDatabaseHAInProduction(t *testing.T) {
	const fix = "; use a managed endpoint or an operator-managed replicated cluster (e.g. CloudNativePG, Redis with Sentinel); more copies of an unreplicated server are not HA"
	postgres := `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres}
spec: {replicas: 1, template: {spec: {containers: [{name: postgres, image: "pgvector/pgvector:pg16"}]}}}
`
	runTable(t, DatabaseHAInProduction, []checkCase{
		{name: "outside production a single postgres passes", manifests: []string{postgres}},
		{name: "in production, replicated clusters and non-database statefulsets pass", production: true, manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: pg-ha}
spec: {replicas: 3, template: {spec: {containers: [{name: postgresql, image: "bitnami/postgresql-repmgr:16.4.0"}]}}}
`, `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis-node}
spec:
  replicas: 3
  template:
    spec:
      containers: [{name: redis, image: "redis:7.2"}, {name: sentinel, image: "bitnami/redis-sentinel:7.2"}]
`, `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: chromadb}
spec: {replicas: 1, template: {spec: {containers: [{name: chroma, image: "chromadb/chroma:0.5.5"}]}}}
`}},
		{name: "in production a single postgres is flagged", production: true, manifests: []string{postgres}, want: []string{
			`StatefulSet "postgres": runs an unreplicated in-cluster database server (image pgvector/pgvector:pg16, 1 replica) in production` + fix,
		}},
		{name: "in production more copies of redis are still flagged", production: true, manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis}
spec: {replicas: 3, template: {spec: {containers: [{name: redis, image: "redis:7.2"}]}}}
`}, want: []string{
			`StatefulSet "redis": runs an unreplicated in-cluster database server (image redis:7.2, 3 replicas) in production` + fix,
		}},
		{name: "an operator label on a single instance is not enough", production: true, manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: pg, labels: {cnpg.io/cluster: pg}}
spec: {template: {spec: {containers: [{name: postgres, image: "postgres:16"}]}}}
`}, want: []string{
			`StatefulSet "pg": runs an unreplicated in-cluster database server (image postgres:16, 1 replica) in production` + fix,
		}},
		{name: "an operator-labelled cluster with replicas passes", production: true, manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: pg}
spec: {replicas: 3, template: {metadata: {labels: {application: spilo}}, spec: {containers: [{name: postgres, image: "postgres:16"}]}}}
`}},
		{name: "an image unknown during preview is not judged", production: true, manifests: []string{`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec: {replicas: 1, template: {spec: {containers: [{name: db, image: "<unknown>"}]}}}
`}, undecided: []string{
			cannotDecide(`StatefulSet "db" container "db"`, "database-ha-in-production", "spec.template.spec.containers[0].image"),
		}},
	})
}
