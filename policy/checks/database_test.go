package checks

import "testing"

func TestDatabaseRunsAsStatefulSet(t *testing.T) {
	const fix = "; run it as a StatefulSet with a volumeClaimTemplate, or use a managed service"
	runTable(t, DatabaseNotDeployment, []checkCase{
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

func TestServingDeploymentReplicas(t *testing.T) {
	const fix = "; set spec.replicas to at least 2, or leave it unset and let a HorizontalPodAutoscaler with minReplicas of 2 or more scale it"
	grafana := `
apiVersion: apps/v1
kind: Deployment
metadata: {name: grafana}
spec: {replicas: 1, template: {spec: {containers: [{name: grafana, image: "grafana/grafana:11.1.0", ports: [{containerPort: 3000}]}]}}}
`
	runTable(t, ServingReplicas, []checkCase{
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

func TestDatabaseHAInProduction(t *testing.T) {
	const fix = "; use a managed endpoint or an operator-managed replicated cluster (e.g. CloudNativePG, Redis with Sentinel); more copies of an unreplicated server are not HA"
	postgres := `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres}
spec: {replicas: 1, template: {spec: {containers: [{name: postgres, image: "pgvector/pgvector:pg16"}]}}}
`
	runTable(t, DatabaseHA, []checkCase{
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

// serving-deployment-replicas leaves databases to database-runs-as-statefulset, by that policy's
// imagePatterns: widening them widens what both treat as a database.
func TestWideningDatabaseImagePatternsWidensServingReplicas(t *testing.T) {
	rs := []Resource{manifest(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: vectors, namespace: rag}
spec: {replicas: 1, template: {spec: {containers: [{name: db, image: "acme/vectorstore:2", ports: [{containerPort: 6333}]}]}}}
`)}
	reported := func(opts Options) (out []string) {
		for _, f := range Evaluate(rs, opts) {
			if f.Policy == ServingReplicas.Name || f.Policy == DatabaseNotDeployment.Name {
				out = append(out, f.Policy)
			}
		}
		return out
	}
	assertLines(t, "with the default patterns", []string{ServingReplicas.Name}, reported(Options{Production: true}))
	widened := map[string]any{"imagePatterns": []any{"vectorstore"}}
	assertLines(t, "with vectorstore added", []string{DatabaseNotDeployment.Name}, reported(Options{Production: true,
		Policies: map[string]PolicyConfig{DatabaseNotDeployment.Name: {Properties: widened}}}))
	assertLines(t, "with vectorstore added and database-runs-as-statefulset disabled", nil, reported(Options{Production: true,
		Policies: map[string]PolicyConfig{DatabaseNotDeployment.Name: {Level: Disabled, Properties: widened}}}))
}
