package components

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"

	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// tokenPrefix is the package and module of every component type token.
const tokenPrefix = "jdjones:rag:"

// PartOf is the application every object belongs to (app.kubernetes.io/part-of).
const PartOf = "jd-jones-rag"

// The object names of the review's inventory; NetworkPolicies and Services select pods by these.
const (
	APIName            = "api"
	MigrationName      = "db-migrate"
	CeleryWorkerName   = "celery-worker"
	CeleryBeatName     = "celery-beat"
	ExternalPortalName = "external-portal"
	InternalPortalName = "internal-portal"
	PostgresName       = "postgres"
	RedisName          = "redis"
	ChromaName         = "chromadb"
	PrometheusName     = "prometheus"
	GrafanaName        = "grafana"
	ConfigMapName      = "jd-jones-config"
	SecretName         = "jd-jones-secrets"
	ModelCacheName     = "model-cache"
	UploadsDataName    = "uploads-data"
	PostgresInitName   = "postgres-init"
	PrometheusConfig   = "prometheus-config"
	IngressName        = "jd-jones-rag"
)

// Mount paths of the shared claims in the API and worker containers; jd-jones-config tells the application.
const (
	modelCachePath = "/models"
	uploadsPath    = "/uploads"
)

// Labels of the recommended app.kubernetes.io set.
const (
	nameLabel      = "app.kubernetes.io/name"
	instanceLabel  = "app.kubernetes.io/instance"
	componentLabel = "app.kubernetes.io/component"
	partOfLabel    = "app.kubernetes.io/part-of"
	managedByLabel = "app.kubernetes.io/managed-by"
	versionLabel   = "app.kubernetes.io/version"
)

// scope is what every object of the stack shares: its namespace and the instance label.
type scope struct {
	// namespace is the Namespace's name output, so every object depends on the Namespace.
	namespace pulumi.StringInput
	// instance tells this stack's objects apart from another install's (app.kubernetes.io/instance).
	instance string
}

// selectorLabels select the pods of one workload; they never change after creation.
func (s scope) selectorLabels(name string) pulumi.StringMap {
	return pulumi.StringMap{nameLabel: pulumi.String(name), instanceLabel: pulumi.String(s.instance)}
}

// labels are the full recommended set for an object of a component.
func (s scope) labels(name, component string) pulumi.StringMap {
	l := s.selectorLabels(name)
	l[componentLabel] = pulumi.String(component)
	l[partOfLabel] = pulumi.String(PartOf)
	l[managedByLabel] = pulumi.String("pulumi")
	return l
}

// meta is the metadata of a named object of a component.
func (s scope) meta(name, component string) metav1.ObjectMetaArgs {
	return metav1.ObjectMetaArgs{Name: pulumi.String(name), Namespace: s.namespace, Labels: s.labels(name, component)}
}

// hosts are the public hosts of the review: support.<domain>, portal.<domain>, api.<domain>.
func hosts(domain string) (support, portal, api string) {
	return "support." + domain, "portal." + domain, "api." + domain
}

// checksum is a stable digest of key/value data, put on pod templates so a change rolls the pods.
func checksum(data map[string]string) string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(data)) {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(data[k]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// mergeAnnotations merges annotation maps into a new one; later maps win.
func mergeAnnotations(maps ...pulumi.StringMap) pulumi.StringMap {
	out := pulumi.StringMap{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
