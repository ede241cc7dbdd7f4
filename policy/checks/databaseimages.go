package checks

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/jdjones/jd-jones-rag-infra/internal/imageref"
	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
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

// databaseImages returns the database image patterns configured for database-runs-as-statefulset.
func databaseImages(c *engine.Config) []*regexp.Regexp {
	return c.ParamsOf(DatabaseRunsAsStatefulSet).(*databaseImageParams).ImagePatterns
}

// servingPorts says on which ports a workload serves ("port 8000", "ports 80, 9090"), or "" when it
// does not serve: a database (left to database-runs-as-statefulset) or a workload without ports
// (workers and schedulers; celery-beat must stay at one). A port list unknown during preview is a note.
func servingPorts(o *engine.Object, w engine.Workload, dbs []*regexp.Regexp) (string, []engine.Result) {
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
			return "", []engine.Result{engine.Undecided(o, o.Subject(), cr.Path+".ports")}
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
