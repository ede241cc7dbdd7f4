package checks

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// defaultHAImages are the Postgres and Redis images whose production copies must be replicated.
var defaultHAImages = []string{
	`postgres(ql)?(-.*)?`, `pgvector`, `postgis`, `timescaledb(-ha)?`,
	`redis(-stack|-stack-server)?`, `valkey`, `keydb`,
}

// DatabaseHAInProduction forbids unreplicated in-cluster Postgres and Redis servers in production.
var DatabaseHAInProduction = &engine.Policy{
	Name:        "database-ha-in-production",
	Description: "In production, Postgres and Redis are a managed endpoint or a replicated cluster, not a single in-cluster server.",
	Remediation: "use a managed endpoint or an operator-managed replicated cluster (e.g. CloudNativePG, Redis with Sentinel); more copies of an unreplicated server are not HA",
	Why:         "review finding 3 (Postgres and Redis were single points of failure); no linter checks this",
	Level:       engine.Mandatory,
	Kinds:       []string{"StatefulSet"},
	Params: &databaseHAParams{
		ImagePatterns:           engine.MustCompileAll(defaultHAImages...),
		ReplicatedImagePatterns: engine.MustCompileAll(`spilo(-\d+)?`, `postgresql-repmgr`, `patroni`, `redis-sentinel`, `valkey-sentinel`),
		ReplicationLabels: []string{"cnpg.io/cluster", "postgres-operator.crunchydata.com/cluster", "application=spilo",
			"app.kubernetes.io/managed-by=postgres-operator", "app.kubernetes.io/managed-by=redis-operator",
			"redis_setup_type=replication", "redis_setup_type=cluster"},
	},
	Resource: checkDatabaseHAInProduction,
}

// databaseHAParams are the parameters of database-ha-in-production.
type databaseHAParams struct {
	ImagePatterns           []*regexp.Regexp `param:"imagePatterns" help:"Postgres/Redis image names (last repository segment, full match) that need replication"`
	ReplicatedImagePatterns []*regexp.Regexp `param:"replicatedImagePatterns" help:"images in the same pod that provide replication and failover"`
	ReplicationLabels       []string         `param:"replicationLabels" help:"labels (key or key=value) of operator-managed replicated clusters"`
	engine.ProductionSwitch
}

func checkDatabaseHAInProduction(o *engine.Object, c *engine.Config) []engine.Result {
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
			return []engine.Result{engine.Undecided(o, engine.ContainerSubject(o, cr), cr.Path+".image")}
		}
		if matchImage(cr.C.Image, dbImages) && !cr.Init && server == "" {
			server = cr.C.Image
		}
		if matchImage(cr.C.Image, helpers) {
			replicatedImage = true
		}
	}
	if o.Unknown(w.SpecPath + ".containers") {
		return []engine.Result{engine.Undecided(o, o.Subject(), w.SpecPath+".containers")}
	}
	if server == "" {
		return nil
	}
	replicas := int32(1)
	if w.Replicas != nil {
		replicas = *w.Replicas
	} else if o.Unknown(w.ReplicasPath) {
		return []engine.Result{engine.Undecided(o, o.Subject(), w.ReplicasPath)}
	}
	if replicas >= 2 && (replicatedImage || hasAnyLabel(o.Meta.Labels, prm.ReplicationLabels) ||
		hasAnyLabel(w.Labels, prm.ReplicationLabels)) {
		return nil
	}
	return []engine.Result{engine.Violation(o, o.Subject(),
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
