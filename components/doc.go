// Package components holds one Pulumi component resource per layer of the JD Jones RAG platform and the
// small helpers every layer shares: labels, the restricted container defaults, workloads and services.
//
// Every component registers as jdjones:rag:<Type> (tokenPrefix), parents its children, derives their
// names from its own and registers its outputs last (builder.go: register, child, opts, done). The files:
//
//	platform.go         Platform: every layer below, in dependency order
//	foundation.go       Foundation: the namespace (Pod Security restricted), jd-jones-config, jd-jones-secrets
//	storage.go          SharedStorage: model-cache and uploads-data (ReadWriteMany)
//	uploads.go          uploads in an S3 bucket: the settings, keys and egress that replace uploads-data
//	data.go             DataLayer: Postgres with pgvector, Redis and ChromaDB as StatefulSets, exporter sidecars
//	redisconf.go        redis.conf, from the redis-config Secret
//	chromaproxy.go      the nginx sidecar that admits only requests carrying ChromaDB's token
//	trust.go            the CA bundles of external endpoints that use TLS
//	applications.go     the table of application workloads (API, workers, beat, migration, portals): image,
//	                    command, size, probes, port and whom each calls; api.go, worker.go and frontend.go
//	                    register them from it and network.go derives their flows from it
//	api.go              APILayer: the migration Job, then the API Deployment, Service, HPA and PDB
//	worker.go           WorkerLayer: celery-worker (HPA, PDB) and celery-beat (one replica, Recreate)
//	frontend.go         FrontendLayer: external-portal, internal-portal and the TLS Ingress
//	monitoring.go       MonitoringLayer: bundled mode's Prometheus StatefulSet, or operator mode's objects
//	scrape.go           Prometheus's configuration: scrape jobs by headless Services, alerting
//	alerts.go           the alert rules (monitoring/alerts.yml) with the stack's thresholds
//	alertmanager.go     Alertmanager: its StatefulSet, receivers and the alertmanager-receivers Secret
//	grafana.go          Grafana with its provisioned datasource and dashboards (monitoring/*.json)
//	operator.go         operator mode: a PodMonitor per scraped workload and one PrometheusRule
//	keda.go             keda mode: the workers' ScaledObject and TriggerAuthentication, KEDA's way to Redis
//	telemetry.go        the OTEL_* variables of the API and workers, their egress to the collector, and
//	                    operator mode's dashboard ConfigMaps for Grafana's sidecar
//	exporters.go        ExternalExporters: postgres-exporter and redis-exporter beside external endpoints
//	backups.go          Backups: the volume-snapshots CronJob and its RBAC
//	externalsecrets.go  ExternalSecrets: one ExternalSecret per Secret of externalSecrets.keys
//	network.go          NetworkPolicies: default deny both ways, DNS, one allow per flow of the diagram
//	extraobjects.go     ExtraObjects: the stack's extraObjects manifests as typed resources, and the check
//	                    that none replaces an object the platform registers (a render under mocks)
//	workload.go         pods: the restricted pod template, pod options, Deployments and StatefulSets
//	podextras.go        pod options' volumes, main-container mounts and native sidecars
//	container.go        containers: the restricted security context, probes, resources, pull policy
//	secretfiles.go      Secrets the stack writes besides jd-jones-secrets, mounted as files
//	meta.go             names, labels and checksum annotations shared by every layer
//	builder.go          register and the builder every component, layer or not, builds its children with
//
// A component's tests sit beside it, named after its file (backups.go, backups_test.go), in package
// components_test, which runs the whole program (platform.Program) under mocks with internal/stacktest;
// platform/ tests the whole program. A few tests of unexported pieces (alerts, applications, metrics) are
// in package components.
//
// monitoring/ holds the files the monitoring layer embeds: alerts.yml and its promtool tests
// (alerts_test.yml), the Grafana dashboards, and metrics.yml, every metric they may use with its source.
package components
