package checks

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/jdjones/jd-jones-rag-infra/internal/imageref"
)

// defaultDatabaseImages name database and cache images by the last segment of the repository
// (so "pgvector/pgvector", "bitnami/postgresql" and "docker.io/library/redis" all match, while
// "oliver006/redis_exporter" does not).
var defaultDatabaseImages = []string{
	`postgres(ql)?(-.*)?`, `pgvector`, `postgis`, `timescaledb(-ha)?`, `spilo(-\d+)?`,
	`redis(-stack|-stack-server)?`, `valkey`, `keydb`, `dragonfly`, `memcached`,
	`chroma(db)?`, `qdrant`, `weaviate`, `milvus`,
	`mysql(-server)?`, `mariadb`, `percona(-server)?`, `mongo(db)?(-community-server)?`,
	`elasticsearch`, `opensearch`, `cassandra`, `scylla`, `neo4j`, `clickhouse(-server)?`,
	`couchdb`, `influxdb`, `etcd`,
}

// defaultHAImages are the Postgres and Redis images whose production copies must be replicated.
var defaultHAImages = []string{
	`postgres(ql)?(-.*)?`, `pgvector`, `postgis`, `timescaledb(-ha)?`,
	`redis(-stack|-stack-server)?`, `valkey`, `keydb`,
}

// exporterImage names Prometheus exporters ("postgres-exporter", "redis_exporter"): they measure a
// database and keep no data, so no database pattern claims them.
var exporterImage = regexp.MustCompile(`^.*[-_]exporter$`)

// matchImage reports whether the image's name matches one of the patterns in full; never an exporter's.
func matchImage(image string, patterns []*regexp.Regexp) bool {
	name := imageref.Split(image).Name()
	if exporterImage.MatchString(name) {
		return false
	}
	for _, re := range patterns {
		if loc := re.FindStringIndex(name); loc != nil && loc[0] == 0 && loc[1] == len(name) {
			return true
		}
	}
	return false
}

// DatabaseNotDeployment keeps databases and caches out of Deployments.
var DatabaseNotDeployment = &Policy{
	Name:        "database-runs-as-statefulset",
	Description: "Databases and caches run as StatefulSets (or managed services), never as Deployments or other controllers.",
	Remediation: "run it as a StatefulSet with a volumeClaimTemplate, or use a managed service",
	Why:         "review finding 3 (postgres, redis and chromadb were single-replica Deployments); no linter checks this",
	Level:       Mandatory,
	Kinds:       []string{PodBearing},
	Params:      &databaseImageParams{ImagePatterns: mustCompileAll(defaultDatabaseImages...)},
	Resource:    checkDatabaseNotDeployment,
}

// databaseImageParams are the parameters of database-runs-as-statefulset. Its imagePatterns are the
// pack's one list of database images: serving-deployment-replicas reads them too (databaseImages).
type databaseImageParams struct {
	ImagePatterns []*regexp.Regexp `param:"imagePatterns" help:"regular expressions matched in full against the image name (last repository segment); serving-deployment-replicas leaves these images to this policy"`
}

// databaseImages returns the database image patterns configured for database-runs-as-statefulset.
func databaseImages(c *Config) []*regexp.Regexp {
	return c.ParamsOf(DatabaseNotDeployment).(*databaseImageParams).ImagePatterns
}

func checkDatabaseNotDeployment(o *Object, c *Config) []Result {
	w, _ := o.Workload()
	if o.Kind == "StatefulSet" || !w.LongRunning {
		return nil // StatefulSets (any group's) are the fix; Jobs may well run psql or redis-cli.
	}
	patterns := c.Params.(*databaseImageParams).ImagePatterns
	return forContainers(o, w, false, func(cr ContainerRef) []Result {
		if cr.C.Image == "" && o.Unknown(cr.Path+".image") {
			return []Result{Undecided(o, containerSubject(o, cr), cr.Path+".image")}
		}
		if !matchImage(cr.C.Image, patterns) {
			return nil
		}
		return []Result{Violation(o, containerSubject(o, cr),
			fmt.Sprintf("runs the database/cache image %s as a %s", cr.C.Image, o.Kind), "")}
	})
}

// ServingReplicas requires production Deployments that serve traffic to run more than one pod.
var ServingReplicas = &Policy{
	Name:        "serving-deployment-replicas",
	Description: "In production, every Deployment that serves traffic runs at least two replicas.",
	Remediation: "set spec.replicas to at least 2, or leave it unset and let a HorizontalPodAutoscaler with minReplicas of 2 or more scale it",
	Why:         "review finding 3 (single points of failure); kube-score, Polaris",
	Level:       Mandatory,
	Kinds:       []string{"Deployment"},
	Params:      &servingReplicasParams{MinReplicas: 2},
	Resource:    checkServingReplicas,
}

// servingReplicasParams are the parameters of serving-deployment-replicas.
type servingReplicasParams struct {
	MinReplicas int `param:"minReplicas" min:"1" help:"fewest replicas a serving Deployment may run in production"`
	productionSwitch
}

func checkServingReplicas(o *Object, c *Config) []Result {
	if !c.Production {
		return nil
	}
	w, _ := o.Workload()
	if w.Replicas == nil {
		if o.Unknown(w.ReplicasPath) {
			return []Result{Undecided(o, o.Subject(), w.ReplicasPath)}
		}
		return nil // No replicas: an HorizontalPodAutoscaler manages it (see hpa-targets).
	}
	minimum := c.Params.(*servingReplicasParams).MinReplicas
	if int(*w.Replicas) >= minimum {
		return nil
	}
	serves, undecided := servingPorts(o, w, databaseImages(c))
	if serves == "" {
		return undecided
	}
	return []Result{Violation(o, o.Subject(), fmt.Sprintf("serves on %s with %s in production (minimum %d)",
		serves, replicasText(*w.Replicas), minimum),
		fmt.Sprintf("set spec.replicas to at least %d, or leave it unset and let a HorizontalPodAutoscaler with minReplicas of %d or more scale it",
			minimum, minimum))}
}

// servingPorts says on which ports a workload serves ("port 8000", "ports 80, 9090"), or "" when it
// does not serve: a database (left to database-runs-as-statefulset) or a workload without ports
// (workers and schedulers; celery-beat must stay at one). A port list unknown during preview is a note.
func servingPorts(o *Object, w Workload, dbs []*regexp.Regexp) (string, []Result) {
	var ports []string
	exporters := 0
	containers := w.Containers(false)
	for _, cr := range containers {
		if matchImage(cr.C.Image, dbs) {
			return "", nil
		}
		if exporterImage.MatchString(imageref.Split(cr.C.Image).Name()) {
			exporters++
		}
		if o.Unknown(cr.Path+".ports") || o.Unknown(cr.Path) {
			return "", []Result{Undecided(o, o.Subject(), cr.Path+".ports")}
		}
		for _, p := range cr.C.Ports {
			ports = append(ports, fmt.Sprint(p.ContainerPort))
		}
	}
	// A Deployment of exporters alone serves Prometheus only, and one endpoint's exporter must run once:
	// a second replica would duplicate every series it reports.
	if exporters == len(containers) {
		return "", nil
	}
	switch len(ports) {
	case 0:
		return "", nil
	case 1:
		return "port " + ports[0], nil
	}
	return "ports " + strings.Join(ports, ", "), nil
}

// DatabaseHA forbids unreplicated in-cluster Postgres and Redis servers in production.
var DatabaseHA = &Policy{
	Name:        "database-ha-in-production",
	Description: "In production, Postgres and Redis are a managed endpoint or a replicated cluster, not a single in-cluster server.",
	Remediation: "use a managed endpoint or an operator-managed replicated cluster (e.g. CloudNativePG, Redis with Sentinel); more copies of an unreplicated server are not HA",
	Why:         "review finding 3 (Postgres and Redis were single points of failure); no linter checks this",
	Level:       Mandatory,
	Kinds:       []string{"StatefulSet"},
	Params: &databaseHAParams{
		ImagePatterns:           mustCompileAll(defaultHAImages...),
		ReplicatedImagePatterns: mustCompileAll(`spilo(-\d+)?`, `postgresql-repmgr`, `patroni`, `redis-sentinel`, `valkey-sentinel`),
		ReplicationLabels: []string{"cnpg.io/cluster", "postgres-operator.crunchydata.com/cluster", "application=spilo",
			"app.kubernetes.io/managed-by=postgres-operator", "app.kubernetes.io/managed-by=redis-operator",
			"redis_setup_type=replication", "redis_setup_type=cluster"},
	},
	Resource: checkDatabaseHA,
}

// databaseHAParams are the parameters of database-ha-in-production.
type databaseHAParams struct {
	ImagePatterns           []*regexp.Regexp `param:"imagePatterns" help:"Postgres/Redis image names (last repository segment, full match) that need replication"`
	ReplicatedImagePatterns []*regexp.Regexp `param:"replicatedImagePatterns" help:"images in the same pod that provide replication and failover"`
	ReplicationLabels       []string         `param:"replicationLabels" help:"labels (key or key=value) of operator-managed replicated clusters"`
	productionSwitch
}

func checkDatabaseHA(o *Object, c *Config) []Result {
	if !c.Production {
		return nil
	}
	w, _ := o.Workload()
	prm := c.Params.(*databaseHAParams)
	dbImages, helpers := prm.ImagePatterns, prm.ReplicatedImagePatterns
	var server string
	replicatedImage := false
	for _, cr := range w.Containers(true) {
		if cr.C.Image == "" && (o.Unknown(cr.Path+".image") || o.Unknown(cr.Path)) {
			return []Result{Undecided(o, containerSubject(o, cr), cr.Path+".image")}
		}
		if matchImage(cr.C.Image, dbImages) && !cr.Init && server == "" {
			server = cr.C.Image
		}
		if matchImage(cr.C.Image, helpers) {
			replicatedImage = true
		}
	}
	if o.Unknown(w.SpecPath + ".containers") {
		return []Result{Undecided(o, o.Subject(), w.SpecPath+".containers")}
	}
	if server == "" {
		return nil
	}
	replicas := int32(1)
	if w.Replicas != nil {
		replicas = *w.Replicas
	} else if o.Unknown(w.ReplicasPath) {
		return []Result{Undecided(o, o.Subject(), w.ReplicasPath)}
	}
	if replicas >= 2 && (replicatedImage || hasAnyLabel(o.Meta.Labels, prm.ReplicationLabels) ||
		hasAnyLabel(w.Labels, prm.ReplicationLabels)) {
		return nil
	}
	return []Result{Violation(o, o.Subject(),
		fmt.Sprintf("runs an unreplicated in-cluster database server (image %s, %s) in production", server, replicasText(replicas)), "")}
}

// hasAnyLabel reports whether labels carry any of the wanted "key" or "key=value" entries.
func hasAnyLabel(labels map[string]string, wanted []string) bool {
	for _, w := range wanted {
		k, v, withValue := strings.Cut(w, "=")
		if got, ok := labels[k]; ok && (!withValue || got == v) {
			return true
		}
	}
	return false
}
