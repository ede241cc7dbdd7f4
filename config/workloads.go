package config

import (
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Workloads sizes every container of the platform.
type Workloads struct {
	// API is the FastAPI Deployment, scaled by its HPA.
	API Autoscaled `json:"api"`
	// CeleryWorker is the Celery worker Deployment, scaled by its HPA.
	CeleryWorker Autoscaled `json:"celeryWorker"`
	// CeleryBeat is the Celery scheduler: always one pod, replaced with the Recreate strategy.
	CeleryBeat Single `json:"celeryBeat"`
	// Migration is the database migration Job that runs before the API and workers roll out.
	Migration Single `json:"migration"`
	// ExternalPortal is the customer support portal.
	ExternalPortal Replicated `json:"externalPortal"`
	// InternalPortal is the employee portal.
	InternalPortal Replicated `json:"internalPortal"`
	// Postgres is the in-cluster database's StatefulSet (unused when postgres is external).
	Postgres Single `json:"postgres"`
	// PostgresExporter is the exporter container of the Postgres pod, or its own Deployment for an
	// external Postgres; it takes no pod options (set them on postgres).
	PostgresExporter Single `json:"postgresExporter"`
	// Redis is the in-cluster Redis's StatefulSet (unused when redis is external).
	Redis Single `json:"redis"`
	// RedisExporter is the exporter container of the Redis pod, or its own Deployment for an external
	// Redis; it takes no pod options (set them on redis).
	RedisExporter Single `json:"redisExporter"`
	// Chroma is ChromaDB's StatefulSet (unused when chroma is external).
	Chroma Single `json:"chroma"`
	// Prometheus is the bundled Prometheus; its replicas scrape the same targets (an HA pair).
	Prometheus Replicated `json:"prometheus"`
	// Grafana is the bundled Grafana (stateless: provisioned datasource and dashboards).
	Grafana Replicated `json:"grafana"`
	// Alertmanager's replicas form one cluster, which sends each notification once.
	Alertmanager Replicated `json:"alertmanager"`
	// VolumeSnapshots is the CronJob that snapshots the data claims (when backups.schedule is set).
	VolumeSnapshots Single `json:"volumeSnapshots"`
}

// Autoscaled is a workload whose size its HPA owns: the Deployment sets no replica count, so neither
// Pulumi nor a kubectl apply of the rendered YAML ever resets what the autoscaler chose.
type Autoscaled struct {
	// MinReplicas is the HPA's floor: at least 1 (2 in prod).
	MinReplicas int `json:"minReplicas"`
	// MaxReplicas is the HPA's ceiling: at least minReplicas and at most limits.replicas.
	MaxReplicas int `json:"maxReplicas"`
	// TargetCPUPercent and TargetMemoryPercent are the average utilization of the requests the HPA
	// scales to keep, each between 1 and 100.
	TargetCPUPercent    int `json:"targetCPUPercent"`
	TargetMemoryPercent int `json:"targetMemoryPercent"`
	// Resources are each container's requests and limits.
	Resources Resources `json:"resources"`
	// TerminationGracePeriodSeconds is how long a stopping pod may finish its work (a Celery worker's
	// warm shutdown lets its running tasks complete) before it is killed, between 1 and 3600.
	TerminationGracePeriodSeconds int `json:"terminationGracePeriodSeconds"`
	// Autoscaling is what the size follows: hpa (CPU and memory) or, for celeryWorker, keda (the
	// Celery queues' length).
	Autoscaling Autoscaling `json:"autoscaling"`
	// Pod are the pods' options (placement, env, labels…); {} changes nothing.
	Pod PodOptions `json:"pod"`
}

// Replicated is a workload with a fixed replica count.
type Replicated struct {
	// Replicas is the pod count: at least 1 (2 in prod) and at most limits.replicas.
	Replicas int `json:"replicas"`
	// Resources are each container's requests and limits.
	Resources Resources `json:"resources"`
	// Pod are the pods' options (placement, env, labels…); {} changes nothing.
	Pod PodOptions `json:"pod"`
}

// Single is a workload that always runs exactly one replica.
type Single struct {
	// Resources are the container's requests and limits.
	Resources Resources `json:"resources"`
	// Pod are the pod's options (placement, env, labels…); {} changes nothing.
	Pod PodOptions `json:"pod"`
}

// Resources are a container's requests and limits.
type Resources struct {
	// Requests are what the scheduler reserves for the container; neither may exceed its limit.
	Requests ResourceList `json:"requests"`
	// Limits are the most the container may use.
	Limits ResourceList `json:"limits"`
	// Extended are the extended resources by name ({nvidia.com/gpu: "1"}, amd.com/gpu, hugepages-2Mi),
	// each rendered as both request and limit, as Kubernetes requires: a whole number of a
	// domain-prefixed device resource, or a multiple of the page size for hugepages. Unset requests none.
	Extended map[string]string `json:"extended"`
}

// ResourceList is a CPU and memory pair in Kubernetes quantity syntax.
type ResourceList struct {
	// CPU is a Kubernetes quantity of CPU (500m, 2): greater than zero and at most the ceiling limits.cpu
	// (a top-level key).
	CPU string `json:"cpu"`
	// Memory is a Kubernetes quantity of bytes (512Mi, 4Gi): at least 4Mi (512m is half a byte) and at
	// most the ceiling limits.memory (a top-level key).
	Memory string `json:"memory"`
}

// WorkloadSizing is a workload's resources and pod count, whichever of Single, Replicated or Autoscaled its
// key is.
type WorkloadSizing struct {
	Resources Resources
	// Replicas is the fixed pod count (1 for a Single); 0 when Autoscale owns it.
	Replicas int
	// Autoscale is the autoscaler's range and targets; nil for a fixed count.
	Autoscale *Autoscaled
	// Single is set for a workload that always runs exactly one pod.
	Single bool
	// GracePeriodSeconds is how long a stopping pod may finish its work: the autoscaled workloads
	// configure it; every other workload gets DefaultGracePeriodSeconds.
	GracePeriodSeconds int
}

// DefaultGracePeriodSeconds is Kubernetes's default termination grace period.
const DefaultGracePeriodSeconds = 30

// WorkloadSizing is the sizing under workloads.<key>.
func (c *Config) WorkloadSizing(key string) (WorkloadSizing, error) {
	if a, err := lookup[Autoscaled](c, &c.Workloads, key); err == nil {
		return WorkloadSizing{Resources: a.Resources, Autoscale: &a, GracePeriodSeconds: a.TerminationGracePeriodSeconds}, nil
	}
	if r, err := lookup[Replicated](c, &c.Workloads, key); err == nil {
		return WorkloadSizing{Resources: r.Resources, Replicas: r.Replicas, GracePeriodSeconds: DefaultGracePeriodSeconds}, nil
	}
	s, err := lookup[Single](c, &c.Workloads, key)
	return WorkloadSizing{Resources: s.Resources, Replicas: 1, Single: true, GracePeriodSeconds: DefaultGracePeriodSeconds}, err
}

// validateWorkloads checks every workload's replicas or autoscaling range and its resources.
func (c *Config) validateWorkloads(v *validator) {
	prod := c.Environment.IsProduction()
	for _, a := range sortedFieldsOf[Autoscaled](&c.Workloads) {
		w := a.value
		v.replicaFloor(&w.MinReplicas, prod)
		if w.MaxReplicas < w.MinReplicas {
			v.refuse(&w.MaxReplicas, "must be at least minReplicas (%d)", w.MinReplicas)
		}
		v.replicaCeiling(&w.MaxReplicas)
		if w.TerminationGracePeriodSeconds < 1 || w.TerminationGracePeriodSeconds > 3600 {
			v.refuse(&w.TerminationGracePeriodSeconds, "must be between 1 and 3600 seconds")
		}
		for _, percent := range []*int{&w.TargetCPUPercent, &w.TargetMemoryPercent} {
			if *percent < 1 || *percent > 100 {
				v.refuse(percent, "must be a utilization percentage between 1 and 100")
			}
		}
		v.resourceQuantities(&w.Resources)
	}
	for _, r := range sortedFieldsOf[Replicated](&c.Workloads) {
		v.replicaFloor(&r.value.Replicas, prod)
		v.replicaCeiling(&r.value.Replicas)
		v.resourceQuantities(&r.value.Resources)
	}
	for _, s := range sortedFieldsOf[Single](&c.Workloads) {
		v.resourceQuantities(&s.value.Resources)
	}
}

// replicaFloor checks a serving workload's smallest pod count: at least one, and two in prod.
func (v *validator) replicaFloor(replicas *int, prod bool) {
	if *replicas < 1 {
		v.refuse(replicas, "must be at least 1")
	} else if prod && *replicas < 2 {
		v.refuse(replicas, "must be at least 2 in prod, so one pod can be lost without downtime")
	}
}

// replicaCeiling keeps a pod count under limits.replicas.
func (v *validator) replicaCeiling(replicas *int) {
	if ceiling := v.config.Limits.Replicas; *replicas > ceiling {
		v.refuse(replicas, "must not exceed %s (%d)", v.config.keyOf(&v.config.Limits.Replicas), ceiling)
	}
}

// resourceQuantities checks that every quantity parses, is positive, fits the ceiling of its resource,
// that memory is whole bytes, and that no request exceeds its limit.
func (v *validator) resourceQuantities(r *Resources) {
	limits := &v.config.Limits
	for _, pair := range []struct {
		request, limit, ceiling *string
		memory                  bool
	}{{&r.Requests.CPU, &r.Limits.CPU, &limits.CPU, false}, {&r.Requests.Memory, &r.Limits.Memory, &limits.Memory, true}} {
		req, reqOK := v.resourceQuantity(pair.request, pair.ceiling, pair.memory)
		lim, limOK := v.resourceQuantity(pair.limit, pair.ceiling, pair.memory)
		if reqOK && limOK && req.Cmp(lim) > 0 {
			limitKey := v.config.keyOf(pair.limit)
			v.refuse(pair.request, "must not exceed limits.%s (%s)", limitKey[strings.LastIndex(limitKey, ".")+1:], *pair.limit)
		}
	}
	v.extendedResources(r)
}

// minMemory is the least memory a container may be given: less is a typo (512m is half a byte).
var minMemory = resource.MustParse("4Mi")

// resourceQuantity parses a CPU or memory quantity and checks it against its ceiling.
func (v *validator) resourceQuantity(value, ceiling *string, memory bool) (resource.Quantity, bool) {
	q, ok := v.quantity(value)
	if !ok {
		return q, false
	}
	if memory && q.Cmp(minMemory) < 0 {
		v.refuse(value, "is %s bytes; memory is counted in bytes (m is a thousandth), so write Mi or Gi, e.g. 512Mi", q.AsDec().String())
		return q, false
	}
	if limit, err := resource.ParseQuantity(*ceiling); err == nil && q.Cmp(limit) > 0 {
		v.refuse(value, "must not exceed %s (%s), what one node of this cluster can give a container", v.config.keyOf(ceiling), *ceiling)
		return q, false
	}
	return q, true
}

// quantity parses a positive Kubernetes quantity.
func (v *validator) quantity(value *string) (resource.Quantity, bool) {
	q, err := resource.ParseQuantity(*value)
	if err != nil {
		v.refuse(value, "must be a Kubernetes quantity such as 500m, 2, 512Mi or 20Gi")
		return q, false
	}
	if q.Sign() <= 0 {
		v.refuse(value, "must be greater than zero")
		return q, false
	}
	return q, true
}
