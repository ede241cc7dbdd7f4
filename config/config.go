package config

// Environment names a deployment environment; it picks the defaults and the production rules.
type Environment string

// The environments a stack may declare.
const (
	Dev  Environment = "dev"
	Prod Environment = "prod"
)

// IsProduction reports whether the production rules (HA data path, data protection) apply.
func (e Environment) IsProduction() bool { return e == Prod }

// Config is the whole validated configuration of one stack.
type Config struct {
	// The scalar keys (see ScalarKeys) have no json tag; their default tags are Pulumi.yaml's defaults,
	// which the CLI applies.

	// Environment is dev or prod (required): it picks the defaults of the object keys and turns on the
	// production rules (external Postgres and Redis with TLS, at least two replicas of every serving
	// workload, protectData, a named cluster).
	Environment Environment `enum:"dev,prod"`
	// Namespace is the Kubernetes namespace the platform owns, labelled for Pod Security "restricted": a
	// DNS label, never one of Kubernetes's (default, kube-*) nor the ingress controller's, DNS's or the
	// LLM's namespace.
	Namespace string `default:"jd-jones-rag"`
	// Domain is the DNS suffix of the three public hosts support.<domain>, portal.<domain> and
	// api.<domain>; it must be a DNS name short enough for all three.
	Domain string `default:"jdjones.com"`
	// ProtectData protects and retains on delete the namespace and every claim that holds data; it must
	// be true in prod.
	ProtectData bool `default:"false"`
	// KubernetesVersion is the cluster's minor version (v1.34): Pod Security enforces the restricted
	// profile of that version rather than "latest", so a cluster upgrade cannot tighten the rules under
	// running workloads unannounced.
	KubernetesVersion string `default:"v1.34"`

	// The object keys, by their json names (see ObjectKeys); each overrides the environment's defaults
	// field by field.

	// Ingress is the nginx Ingress of the three public hosts and its TLS.
	Ingress Ingress `json:"ingress"`
	// Images is the image of every container, pinned by tag or digest.
	Images Images `json:"images"`
	// Workloads sizes every workload: replicas or autoscaling, resources, and pod options.
	Workloads Workloads `json:"workloads"`
	// Storage picks the storage classes and sizes of the claims.
	Storage Storage `json:"storage"`
	// Postgres is the database: a StatefulSet in the cluster, or an external managed endpoint
	// (required in prod).
	Postgres DataService `json:"postgres"`
	// Redis is the Celery broker and cache: a StatefulSet in the cluster, or an external managed
	// endpoint (required in prod).
	Redis DataService `json:"redis"`
	// Chroma is the vector store: one StatefulSet replica in the cluster (the open-source server does
	// not replicate), or an external endpoint.
	Chroma DataService `json:"chroma"`
	// LLM is the language model the API and workers call, and where they may reach it.
	LLM LLM `json:"llm"`
	// Commands are the entry points of the application image.
	Commands Commands `json:"commands"`
	// Probes are the health contracts of the application images.
	Probes Probes `json:"probes"`
	// Network is what the NetworkPolicies know of the cluster around the namespace.
	Network Network `json:"network"`
	// Limits are the ceilings of every workload's size, so a typo is refused rather than left Pending.
	Limits Limits `json:"limits"`
	// Monitoring is metrics, alerting rules, Alertmanager's receivers and their storage.
	Monitoring Monitoring `json:"monitoring"`
	// Backups are scheduled CSI snapshots of the in-cluster data claims, and restores from them.
	Backups Backups `json:"backups"`
	// Cluster binds the stack to its cluster: the explicit Kubernetes provider's context.
	Cluster Cluster `json:"cluster"`
	// ExternalSecrets syncs the Secrets prod reads but does not create from a secret store.
	ExternalSecrets ExternalSecrets `json:"externalSecrets"`
	// StackReference takes the managed endpoints' hosts from another stack's outputs.
	StackReference StackReference `json:"stackReference"`

	// Supplied holds the secrets the stack supplies itself; absent ones are generated.
	Supplied SuppliedSecrets
}

// Cluster names the cluster a stack deploys to, so a wrong ambient kubeconfig context cannot send it
// elsewhere: a context of the kubeconfig (ambient, or the secret key kubeconfig).
type Cluster struct {
	// Context is a context of the kubeconfig (the ambient one, or the secret key kubeconfig); required
	// in prod unless the secret key kubeconfig is set, so an explicit provider never follows the
	// ambient current context there.
	Context string `json:"context"`
}

// IsBound reports whether the stack names its cluster (a context, or a kubeconfig of its own).
func (c *Config) IsBound() bool { return c.Cluster.Context != "" || c.Supplied.Kubeconfig }

// Ingress configures the nginx Ingress and its TLS.
type Ingress struct {
	// ClassName is the IngressClass that serves the hosts.
	ClassName string `json:"className"`
	// ControllerNamespace is where the ingress controller's pods run; NetworkPolicies admit traffic from it.
	ControllerNamespace string `json:"controllerNamespace"`
	// TLSSecretName names an existing TLS Secret for all hosts; exactly one of TLSSecretName and
	// ClusterIssuer is required (every host needs TLS).
	TLSSecretName string `json:"tlsSecretName"`
	// ClusterIssuer names the cert-manager cluster issuer that issues the certificate; exclusive with
	// TLSSecretName.
	ClusterIssuer string `json:"clusterIssuer"`
	// ACMESolver is how the cluster issuer proves the hosts: http01 admits cert-manager's solver pods
	// from the ingress controller; dns01 needs nothing in the namespace.
	ACMESolver string `json:"acmeSolver" enum:"http01,dns01"`
	// PortalSourceRanges are the CIDRs that may reach the employee portal (required in prod); none may
	// be the whole address space or overlap link-local addresses.
	PortalSourceRanges []string `json:"portalSourceRanges"`
	// ProxyBodySize is the largest request body (document uploads), in nginx size syntax: 100m, 512k, 1g.
	ProxyBodySize string `json:"proxyBodySize"`
	// ProxyReadTimeoutSeconds is how long the controller waits between two reads of a response
	// (streamed LLM answers pause while the model thinks), between 1 and 3600.
	ProxyReadTimeoutSeconds int `json:"proxyReadTimeoutSeconds"`
}

// ACME solvers a ClusterIssuer may use.
const (
	HTTP01 = "http01"
	DNS01  = "dns01"
)

// Images holds one image reference per container: repo:tag or repo@sha256:digest, never the tag latest.
type Images struct {
	// API is the FastAPI application's image.
	API string `json:"api"`
	// Worker is the Celery worker's and beat's image (the application's, by default the API's).
	Worker string `json:"worker"`
	// ExternalPortal is the customer support portal's image.
	ExternalPortal string `json:"externalPortal"`
	// InternalPortal is the employee portal's image.
	InternalPortal string `json:"internalPortal"`
	// Postgres is the in-cluster database's image (with pgvector).
	Postgres string `json:"postgres"`
	// PostgresExporter is the Prometheus exporter of Postgres's metrics.
	PostgresExporter string `json:"postgresExporter"`
	// Redis is the in-cluster Redis's image.
	Redis string `json:"redis"`
	// RedisExporter is the Prometheus exporter of Redis's metrics.
	RedisExporter string `json:"redisExporter"`
	// Chroma is the in-cluster ChromaDB's image.
	Chroma string `json:"chroma"`
	// Prometheus is the bundled Prometheus's image.
	Prometheus string `json:"prometheus"`
	// Grafana is the bundled Grafana's image.
	Grafana string `json:"grafana"`
	// Alertmanager is the bundled Alertmanager's image.
	Alertmanager string `json:"alertmanager"`
	// ChromaProxy is the token-checking nginx in front of ChromaDB (an image that runs as non-root).
	ChromaProxy string `json:"chromaProxy"`
	// Kubectl runs the volume snapshot job (a shell and kubectl).
	Kubectl string `json:"kubectl"`
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

// Resources are a container's requests and limits.
type Resources struct {
	// Requests are what the scheduler reserves for the container; neither may exceed its limit.
	Requests ResourceList `json:"requests"`
	// Limits are the most the container may use.
	Limits ResourceList `json:"limits"`
}

// Single is a workload that always runs exactly one replica.
type Single struct {
	// Resources are the container's requests and limits.
	Resources Resources `json:"resources"`
	// Pod are the pod's options (placement, env, labels…); {} changes nothing.
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

// Limits are the ceilings a workload's size may not exceed: what one node can hold and what the cluster
// can afford, so a typo (20 CPUs, 512Gi, 500 replicas) is refused instead of leaving pods Pending.
type Limits struct {
	// CPU and Memory are the largest request or limit of one container (Kubernetes quantities).
	CPU    string `json:"cpu"`
	Memory string `json:"memory"`
	// Replicas is the largest replica count or HPA maximum of one workload, at least 2.
	Replicas int `json:"replicas"`
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
	// Pod are the pods' options (placement, env, labels…); {} changes nothing.
	Pod PodOptions `json:"pod"`
}

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

// Sizes are the capacities of the five claims of the review's inventory.
type Sizes struct {
	// PostgresData is the in-cluster Postgres's claim; every size is a quantity of at least 1Gi.
	PostgresData string `json:"postgresData"`
	// RedisData is the in-cluster Redis's claim.
	RedisData string `json:"redisData"`
	// ChromaData is the in-cluster ChromaDB's claim.
	ChromaData string `json:"chromaData"`
	// ModelCache is the shared ReadWriteMany claim of downloaded models.
	ModelCache string `json:"modelCache"`
	// UploadsData is the shared ReadWriteMany claim of uploaded documents.
	UploadsData string `json:"uploadsData"`
}

// Storage picks the storage classes and claim sizes.
type Storage struct {
	// ClassName is the ReadWriteOnce class of the data claims (required).
	ClassName string `json:"className"`
	// RWXClassName is the class of the shared ReadWriteMany claims; it must be listed in RWXCapableClasses.
	RWXClassName string `json:"rwxClassName"`
	// RWXCapableClasses are the classes this cluster's operators have verified support ReadWriteMany.
	RWXCapableClasses []string `json:"rwxCapableClasses"`
	// Sizes are the claims' capacities.
	Sizes Sizes `json:"sizes"`
	// Uploads is where uploaded documents live: the uploads-data claim (the default) or an S3 bucket.
	Uploads Uploads `json:"uploads"`
}

// DataService modes.
const (
	InCluster = "in-cluster"
	External  = "external"
)

// SecretRef points at a key of a Secret managed outside this stack (for example by External Secrets).
type SecretRef struct {
	// Name is the Secret's name in the namespace.
	Name string `json:"name"`
	// Key is the key of the Secret that holds the value.
	Key string `json:"key"`
}

// IsSet reports whether the reference names a Secret.
func (r SecretRef) IsSet() bool { return r.Name != "" || r.Key != "" }

// DataService is Postgres, Redis or Chroma: either in-cluster or an external managed endpoint.
type DataService struct {
	// Mode is in-cluster or external (Postgres and Redis must be external in prod).
	Mode string `json:"mode" enum:"in-cluster,external"`
	// Host and Port address an external endpoint: the host a DNS name, required when external unless
	// stackReference supplies it; in-cluster, the port must stay the server's own.
	Host string `json:"host"`
	Port int    `json:"port"`
	// Database and User are Postgres's database and role, plain Postgres identifiers (lowercase
	// letters, digits and _).
	Database string `json:"database,omitempty"`
	User     string `json:"user,omitempty"`
	// PasswordSecret holds an external endpoint's credential when the stack does not supply it as a
	// secret key (postgresPassword, redisPassword): exactly one of the two is required.
	PasswordSecret SecretRef `json:"passwordSecret"`
	// CIDRs are the addresses of an external endpoint, required when external: the only ones its
	// clients may send to.
	CIDRs []string `json:"cidrs"`
	// TLS encrypts and verifies the connections to an external endpoint (required in prod).
	TLS EndpointTLS `json:"tls"`
}

// EndpointTLS is TLS to an external endpoint, verified against a CA bundle or the system's trust store.
type EndpointTLS struct {
	// Enabled turns TLS on (Postgres sslmode verify-full, Redis rediss); only for an external endpoint,
	// and required in prod.
	Enabled bool `json:"enabled"`
	// CA is the bundle that signs the endpoint's certificate; unset uses the system's trust store.
	CA CARef `json:"ca"`
}

// CARef points at a CA bundle in a ConfigMap or a Secret of the namespace, managed outside the stack.
type CARef struct {
	// ConfigMap and Secret name the object holding the bundle: one of them, not both.
	ConfigMap string `json:"configMap"`
	Secret    string `json:"secret"`
	// Key is the bundle's key in that object (ca.crt when unset).
	Key string `json:"key"`
}

// IsSet reports whether the reference names an object.
func (r CARef) IsSet() bool { return r.ConfigMap != "" || r.Secret != "" }

// IsExternal reports whether the service is a managed endpoint outside the cluster.
func (d DataService) IsExternal() bool { return d.Mode == External }

// LLM configures the language model the API and workers call.
type LLM struct {
	// Provider is the API the application speaks.
	Provider string `json:"provider" enum:"openai,azure-openai,anthropic,ollama"`
	// Model is the chat model's name (required).
	Model string `json:"model"`
	// EmbeddingModel is the embedding model's name (required).
	EmbeddingModel string `json:"embeddingModel"`
	// BaseURL is the provider's http(s) URL (https in prod); a cluster address needs namespace.
	BaseURL string `json:"baseUrl"`
	// APIKeySecret is the Secret key holding the API key when the stack does not set the secret key
	// llmApiKey: one of the two is required, except for ollama.
	APIKeySecret SecretRef `json:"apiKeySecret"`
	// CIDRs are the provider's addresses; unset, the API and workers may reach any public address on
	// the URL's port (never private, link-local or cluster ranges). Exclusive with namespace.
	CIDRs []string `json:"cidrs"`
	// Namespace is where an in-cluster provider (such as Ollama) runs; its pods are the only destination.
	Namespace string `json:"namespace"`
}

// Network is what the NetworkPolicies need to know of the cluster around the namespace.
type Network struct {
	// DNS is the cluster DNS, the one destination every pod may reach (port 53).
	DNS DNS `json:"dns"`
	// ClusterCIDRs are the cluster's pod and Service ranges outside the private ranges, which the LLM's
	// internet egress must also exclude.
	ClusterCIDRs []string `json:"clusterCIDRs"`
}

// DNS selects the cluster DNS pods.
type DNS struct {
	// Namespace is where the cluster DNS pods run.
	Namespace string `json:"namespace"`
	// PodSelector is a label selector in kubectl syntax, e.g. k8s-app=kube-dns.
	PodSelector string `json:"podSelector"`
}

// Commands are the application image's entry points.
type Commands struct {
	// Worker is the Celery worker's argv (non-empty).
	Worker []string `json:"worker"`
	// Beat is the Celery beat's argv.
	Beat []string `json:"beat"`
	// Migration is the migration Job's argv.
	Migration []string `json:"migration"`
}

// Probes are the health contracts of the application images.
type Probes struct {
	// APIPath is the API's HTTP health path (starting with /).
	APIPath string `json:"apiPath"`
	// PortalPath is the portals' HTTP health path (starting with /).
	PortalPath string `json:"portalPath"`
	// WorkerLiveness is the worker's liveness exec probe (an argv that fails when the process hangs;
	// one that always succeeds, such as true, is refused): by default, a heartbeat file's age.
	WorkerLiveness []string `json:"workerLiveness"`
	// WorkerReadiness is the worker's readiness exec probe.
	WorkerReadiness []string `json:"workerReadiness"`
	// BeatLiveness is beat's liveness exec probe: by default, the age of the file its scheduler touches.
	BeatLiveness []string `json:"beatLiveness"`
	// BeatReadiness is beat's readiness exec probe.
	BeatReadiness []string `json:"beatReadiness"`
}

// SuppliedSecrets records which secret keys the stack sets; the values are read as Pulumi secrets when used.
type SuppliedSecrets struct {
	PostgresPassword bool
	RedisPassword    bool
	JWTSecret        bool
	LLMAPIKey        bool
	// AlertWebhookURL and AlertSMTPPassword feed Alertmanager's receivers; nothing is generated for them.
	AlertWebhookURL   bool
	AlertSMTPPassword bool
	// Kubeconfig is a kubeconfig the stack's Kubernetes provider uses instead of the ambient one.
	Kubeconfig bool
}
