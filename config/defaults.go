package config

import "fmt"

// Defaults returns the object values an environment starts from; the stack's object keys override them
// field by field. Prod carries the review's replica counts and HPA ranges; dev is small. The scalar keys'
// defaults (namespace, domain, protectData) live in Pulumi.yaml, which the CLI applies.
func Defaults(env Environment) Config {
	c := Config{
		Environment: env,
		Ingress: Ingress{
			Mode:                IngressNginx,
			ClassName:           "nginx",
			ControllerNamespace: "ingress-nginx",
			ACMESolver:          HTTP01,
			// Document uploads of up to 100 MB; an LLM answer may pause five minutes between chunks.
			ProxyBodySize:           "100m",
			ProxyReadTimeoutSeconds: 300,
		},
		Network: Network{DNS: DNS{Namespace: "kube-system", PodSelector: "k8s-app=kube-dns"}},
		// A large node's worth: no container of this platform needs more.
		Limits:     Limits{CPU: "16", Memory: "64Gi", Replicas: 50},
		Monitoring: defaultMonitoring(),
		Backups:    defaultBackups(),
		Telemetry:  defaultTelemetry(),
		Images: Images{
			API:              "ghcr.io/jdjones/rag-api:1.0.0",
			Worker:           "ghcr.io/jdjones/rag-api:1.0.0",
			ExternalPortal:   "ghcr.io/jdjones/rag-external-portal:1.0.0",
			InternalPortal:   "ghcr.io/jdjones/rag-internal-portal:1.0.0",
			Postgres:         "pgvector/pgvector:0.8.0-pg16",
			PostgresExporter: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
			Redis:            "redis:7.4.2-alpine",
			RedisExporter:    "oliver006/redis_exporter:v1.67.0",
			Chroma:           "chromadb/chroma:1.0.12",
			Prometheus:       "prom/prometheus:v3.2.1",
			Grafana:          "grafana/grafana:11.5.2",
			Alertmanager:     "prom/alertmanager:v0.28.1",
			ChromaProxy:      "nginxinc/nginx-unprivileged:1.28.0-alpine",
			Kubectl:          "alpine/k8s:1.34.1",
		},
		ExternalSecrets: ExternalSecrets{RefreshInterval: defaultRefreshInterval},
		Storage: Storage{
			ClassName:         "standard",
			RWXClassName:      "nfs-client",
			RWXCapableClasses: []string{"nfs-client"},
			Sizes: ClaimSizes{
				PostgresData: "20Gi",
				RedisData:    "5Gi",
				ChromaData:   "50Gi",
				ModelCache:   "10Gi",
				UploadsData:  "20Gi",
			},
			Uploads: defaultUploads(),
		},
		Postgres: DataService{Mode: InCluster, Port: 5432, Database: "jdjones", User: "jdjones"},
		Redis:    DataService{Mode: InCluster, Port: 6379},
		Chroma:   DataService{Mode: InCluster, Port: 8000},
		LLM: LLM{
			Provider:       "openai",
			Model:          "gpt-4o-mini",
			EmbeddingModel: "text-embedding-3-small",
			BaseURL:        "https://api.openai.com/v1",
		},
		Commands: Commands{
			Worker:    []string{"celery", "-A", "app.worker", "worker", "--loglevel=INFO"},
			Beat:      []string{"celery", "-A", "app.worker", "beat", "--loglevel=INFO", "--schedule=/tmp/celerybeat-schedule"},
			Migration: []string{"alembic", "upgrade", "head"},
		},
		Probes: Probes{
			APIPath:    "/health",
			PortalPath: "/",
			// The heartbeat pattern of celery issue 4079: a bootstep touches the file every few seconds.
			WorkerLiveness:  fileFresherThan("/tmp/worker_heartbeat", 2),
			WorkerReadiness: []string{"test", "-e", "/tmp/worker_ready"},
			// Beat answers no inspect ping; its scheduler tick touches a file.
			BeatLiveness:  fileFresherThan("/tmp/beat_heartbeat", 2),
			BeatReadiness: []string{"test", "-e", "/tmp/beat_heartbeat"},
		},
	}
	if env.IsProduction() {
		c.Workloads = prodWorkloads()
	} else {
		c.Workloads = devWorkloads()
	}
	return c
}

// fileFresherThan is an exec probe that passes while path was modified within the last minutes.
func fileFresherThan(path string, minutes int) []string {
	return []string{"sh", "-c", fmt.Sprintf(`test -n "$(find %s -mmin -%d 2>/dev/null)"`, path, minutes)}
}

// Grace periods of the autoscaled workloads: an API request finishes in seconds; a Celery worker's warm
// shutdown waits for its running tasks (document ingestion and embedding take minutes).
const (
	apiGracePeriod    = 30
	workerGracePeriod = 600
)

func resources(reqCPU, reqMem, limCPU, limMem string) Resources {
	return Resources{
		Requests: ResourceList{CPU: reqCPU, Memory: reqMem},
		Limits:   ResourceList{CPU: limCPU, Memory: limMem},
	}
}

// prodWorkloads are the review's sizes: api HPA 2-10, portals 3 and 2. The worker's HPA floor is 2, not the
// review's 1 (nor its initial 2), because production refuses a single replica of a serving workload.
func prodWorkloads() Workloads {
	return Workloads{
		API: Autoscaled{MinReplicas: 2, MaxReplicas: 10, TargetCPUPercent: 70, TargetMemoryPercent: 80,
			Resources: resources("500m", "1Gi", "2", "4Gi"), TerminationGracePeriodSeconds: apiGracePeriod, Autoscaling: defaultAutoscaling()},
		CeleryWorker: Autoscaled{MinReplicas: 2, MaxReplicas: 8, TargetCPUPercent: 70, TargetMemoryPercent: 80,
			Resources: resources("500m", "1Gi", "2", "4Gi"), TerminationGracePeriodSeconds: workerGracePeriod, Autoscaling: defaultAutoscaling()},
		CeleryBeat:       Single{Resources: resources("100m", "256Mi", "500m", "512Mi")},
		Migration:        Single{Resources: resources("250m", "512Mi", "1", "1Gi")},
		ExternalPortal:   Replicated{Replicas: 3, Resources: resources("100m", "256Mi", "500m", "512Mi")},
		InternalPortal:   Replicated{Replicas: 2, Resources: resources("100m", "256Mi", "500m", "512Mi")},
		Postgres:         Single{Resources: resources("1", "2Gi", "2", "4Gi")},
		PostgresExporter: Single{Resources: resources("50m", "64Mi", "200m", "128Mi")},
		Redis:            Single{Resources: resources("250m", "512Mi", "1", "1Gi")},
		RedisExporter:    Single{Resources: resources("50m", "64Mi", "200m", "128Mi")},
		Chroma:           Single{Resources: resources("500m", "2Gi", "2", "4Gi")},
		// Two identical Prometheus replicas scrape the same targets: the standard HA pair.
		Prometheus: Replicated{Replicas: 2, Resources: resources("250m", "1Gi", "1", "2Gi")},
		// Grafana is stateless here (provisioned datasource and dashboards, admin from a Secret).
		Grafana:         Replicated{Replicas: 2, Resources: resources("100m", "256Mi", "500m", "512Mi")},
		VolumeSnapshots: Single{Resources: resources("50m", "64Mi", "200m", "128Mi")},
		// Two clustered Alertmanagers: either takes every alert, and the pair sends each notification once.
		Alertmanager: Replicated{Replicas: 2, Resources: resources("50m", "128Mi", "500m", "256Mi")},
	}
}

// devWorkloads are one replica each with small requests.
func devWorkloads() Workloads {
	small := resources("50m", "128Mi", "500m", "512Mi")
	return Workloads{
		API: Autoscaled{MinReplicas: 1, MaxReplicas: 3, TargetCPUPercent: 70, TargetMemoryPercent: 80,
			Resources: resources("100m", "256Mi", "1", "1Gi"), TerminationGracePeriodSeconds: apiGracePeriod, Autoscaling: defaultAutoscaling()},
		CeleryWorker: Autoscaled{MinReplicas: 1, MaxReplicas: 3, TargetCPUPercent: 70, TargetMemoryPercent: 80,
			Resources: resources("100m", "256Mi", "1", "1Gi"), TerminationGracePeriodSeconds: workerGracePeriod, Autoscaling: defaultAutoscaling()},
		CeleryBeat:       Single{Resources: small},
		Migration:        Single{Resources: small},
		ExternalPortal:   Replicated{Replicas: 1, Resources: small},
		InternalPortal:   Replicated{Replicas: 1, Resources: small},
		Postgres:         Single{Resources: resources("100m", "256Mi", "1", "1Gi")},
		PostgresExporter: Single{Resources: resources("10m", "32Mi", "100m", "64Mi")},
		Redis:            Single{Resources: small},
		RedisExporter:    Single{Resources: resources("10m", "32Mi", "100m", "64Mi")},
		Chroma:           Single{Resources: resources("100m", "256Mi", "1", "1Gi")},
		Prometheus:       Replicated{Replicas: 1, Resources: small},
		Grafana:          Replicated{Replicas: 1, Resources: small},
		Alertmanager:     Replicated{Replicas: 1, Resources: small},
		VolumeSnapshots:  Single{Resources: resources("50m", "64Mi", "200m", "128Mi")},
	}
}
