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
	// Environment is dev or prod.
	Environment Environment
	// Namespace is the Kubernetes namespace every object lives in.
	Namespace string
	// Domain is the DNS suffix of the three public hosts (support., portal., api.).
	Domain string
	// ProtectData puts Protect and RetainOnDelete on every claim that holds data.
	ProtectData bool
	// KubernetesVersion is the cluster's minor version (v1.34), which Pod Security enforces its rules of.
	KubernetesVersion string

	// The object keys, by their json names; see ObjectKeys.
	Ingress    Ingress     `json:"ingress"`
	Images     Images      `json:"images"`
	Workloads  Workloads   `json:"workloads"`
	Storage    Storage     `json:"storage"`
	Postgres   DataService `json:"postgres"`
	Redis      DataService `json:"redis"`
	Chroma     DataService `json:"chroma"`
	LLM        LLM         `json:"llm"`
	Commands   Commands    `json:"commands"`
	Probes     Probes      `json:"probes"`
	Network    Network     `json:"network"`
	Limits     Limits      `json:"limits"`
	Monitoring Monitoring  `json:"monitoring"`
	Backups    Backups     `json:"backups"`
	// Cluster binds the stack to its cluster: the explicit Kubernetes provider's context.
	Cluster Cluster `json:"cluster"`
	// ExternalSecrets and StackReference are optional sources of what prod reads from outside.
	ExternalSecrets ExternalSecrets `json:"externalSecrets"`
	StackReference  StackReference  `json:"stackReference"`

	// Supplied holds the secrets the stack supplies itself; absent ones are generated.
	Supplied SuppliedSecrets
}

// Cluster names the cluster a stack deploys to, so a wrong ambient kubeconfig context cannot send it
// elsewhere: a context of the kubeconfig (ambient, or the secret key kubeconfig).
type Cluster struct {
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
	// TLSSecretName names an existing TLS Secret for all hosts; exclusive with ClusterIssuer.
	TLSSecretName string `json:"tlsSecretName"`
	// ClusterIssuer names a cert-manager ClusterIssuer that issues the certificate; exclusive with TLSSecretName.
	ClusterIssuer string `json:"clusterIssuer"`
	// ACMESolver is how the ClusterIssuer proves the hosts: http01 admits cert-manager's solver pods
	// from the ingress controller; dns01 needs nothing in the namespace.
	ACMESolver string `json:"acmeSolver"`
	// PortalSourceRanges are the CIDRs that may reach the employee portal (required in prod).
	PortalSourceRanges []string `json:"portalSourceRanges"`
	// ProxyBodySize is the largest request body, in nginx size syntax (document uploads).
	ProxyBodySize string `json:"proxyBodySize"`
	// ProxyReadTimeoutSeconds is how long the controller waits between two reads of a response
	// (streamed LLM answers pause while the model thinks).
	ProxyReadTimeoutSeconds int `json:"proxyReadTimeoutSeconds"`
}

// ACME solvers a ClusterIssuer may use.
const (
	HTTP01 = "http01"
	DNS01  = "dns01"
)

// Images holds one image reference (repo:tag or repo@digest) per container.
type Images struct {
	API              string `json:"api"`
	Worker           string `json:"worker"`
	ExternalPortal   string `json:"externalPortal"`
	InternalPortal   string `json:"internalPortal"`
	Postgres         string `json:"postgres"`
	PostgresExporter string `json:"postgresExporter"`
	Redis            string `json:"redis"`
	RedisExporter    string `json:"redisExporter"`
	Chroma           string `json:"chroma"`
	Prometheus       string `json:"prometheus"`
	Grafana          string `json:"grafana"`
	Alertmanager     string `json:"alertmanager"`
	// ChromaProxy is the token-checking nginx in front of ChromaDB (an image that runs as non-root).
	ChromaProxy string `json:"chromaProxy"`
	// Kubectl runs the volume snapshot job (a shell and kubectl).
	Kubectl string `json:"kubectl"`
}

// ResourceList is a CPU and memory pair in Kubernetes quantity syntax.
type ResourceList struct {
	CPU    string `json:"cpu"`
	Memory string `json:"memory"`
}

// Resources are a container's requests and limits.
type Resources struct {
	Requests ResourceList `json:"requests"`
	Limits   ResourceList `json:"limits"`
}

// Single is a workload that always runs exactly one replica.
type Single struct {
	Resources Resources  `json:"resources"`
	Pod       PodOptions `json:"pod"`
}

// Replicated is a workload with a fixed replica count.
type Replicated struct {
	Replicas  int        `json:"replicas"`
	Resources Resources  `json:"resources"`
	Pod       PodOptions `json:"pod"`
}

// Limits are the ceilings a workload's size may not exceed: what one node can hold and what the cluster
// can afford, so a typo (20 CPUs, 512Gi, 500 replicas) is refused instead of leaving pods Pending.
type Limits struct {
	// CPU and Memory are the largest request or limit of one container.
	CPU    string `json:"cpu"`
	Memory string `json:"memory"`
	// Replicas is the largest replica count or HPA maximum of one workload.
	Replicas int `json:"replicas"`
}

// Autoscaled is a workload whose size its HPA owns: the Deployment sets no replica count, so neither
// Pulumi nor a kubectl apply of the rendered YAML ever resets what the autoscaler chose.
type Autoscaled struct {
	MinReplicas         int       `json:"minReplicas"`
	MaxReplicas         int       `json:"maxReplicas"`
	TargetCPUPercent    int       `json:"targetCPUPercent"`
	TargetMemoryPercent int       `json:"targetMemoryPercent"`
	Resources           Resources `json:"resources"`
	// TerminationGracePeriodSeconds is how long a stopping pod may finish its work (a Celery worker's
	// warm shutdown lets its running tasks complete) before it is killed.
	TerminationGracePeriodSeconds int        `json:"terminationGracePeriodSeconds"`
	Pod                           PodOptions `json:"pod"`
}

// Workloads sizes every container of the platform.
type Workloads struct {
	API              Autoscaled `json:"api"`
	CeleryWorker     Autoscaled `json:"celeryWorker"`
	CeleryBeat       Single     `json:"celeryBeat"`
	Migration        Single     `json:"migration"`
	ExternalPortal   Replicated `json:"externalPortal"`
	InternalPortal   Replicated `json:"internalPortal"`
	Postgres         Single     `json:"postgres"`
	PostgresExporter Single     `json:"postgresExporter"`
	Redis            Single     `json:"redis"`
	RedisExporter    Single     `json:"redisExporter"`
	Chroma           Single     `json:"chroma"`
	Prometheus       Replicated `json:"prometheus"`
	Grafana          Replicated `json:"grafana"`
	// Alertmanager's replicas form one cluster, which sends each notification once.
	Alertmanager    Replicated `json:"alertmanager"`
	VolumeSnapshots Single     `json:"volumeSnapshots"`
}

// Sizes are the capacities of the five claims of the review's inventory.
type Sizes struct {
	PostgresData string `json:"postgresData"`
	RedisData    string `json:"redisData"`
	ChromaData   string `json:"chromaData"`
	ModelCache   string `json:"modelCache"`
	UploadsData  string `json:"uploadsData"`
}

// Storage picks the storage classes and claim sizes.
type Storage struct {
	// ClassName is the ReadWriteOnce class of the data claims.
	ClassName string `json:"className"`
	// RWXClassName is the class of the shared ReadWriteMany claims; it must be listed in RWXCapableClasses.
	RWXClassName string `json:"rwxClassName"`
	// RWXCapableClasses are the classes this cluster's operators have verified support ReadWriteMany.
	RWXCapableClasses []string `json:"rwxCapableClasses"`
	// Sizes are the claims' capacities.
	Sizes Sizes `json:"sizes"`
}

// DataService modes.
const (
	InCluster = "in-cluster"
	External  = "external"
)

// SecretRef points at a key of a Secret managed outside this stack (for example by External Secrets).
type SecretRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// IsSet reports whether the reference names a Secret.
func (r SecretRef) IsSet() bool { return r.Name != "" || r.Key != "" }

// DataService is Postgres, Redis or Chroma: either in-cluster or an external managed endpoint.
type DataService struct {
	// Mode is in-cluster or external.
	Mode string `json:"mode"`
	// Host and Port address an external endpoint; ignored in-cluster.
	Host string `json:"host"`
	Port int    `json:"port"`
	// Database and User are Postgres's database and role.
	Database string `json:"database,omitempty"`
	User     string `json:"user,omitempty"`
	// PasswordSecret holds an external endpoint's credential when the stack does not supply it as a secret.
	PasswordSecret SecretRef `json:"passwordSecret"`
	// CIDRs are the addresses of an external endpoint: the only ones its clients may send to.
	CIDRs []string `json:"cidrs"`
	// TLS encrypts and verifies the connections to an external endpoint (required in prod).
	TLS EndpointTLS `json:"tls"`
}

// EndpointTLS is TLS to an external endpoint, verified against a CA bundle or the system's trust store.
type EndpointTLS struct {
	Enabled bool `json:"enabled"`
	// CA is the bundle that signs the endpoint's certificate; unset uses the system's trust store.
	CA CARef `json:"ca"`
}

// CARef points at a CA bundle in a ConfigMap or a Secret of the namespace, managed outside the stack.
type CARef struct {
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
	Provider       string    `json:"provider"`
	Model          string    `json:"model"`
	EmbeddingModel string    `json:"embeddingModel"`
	BaseURL        string    `json:"baseUrl"`
	APIKeySecret   SecretRef `json:"apiKeySecret"`
	// CIDRs are the provider's addresses; unset, the API and workers may reach any public address on
	// the URL's port (never private, link-local or cluster ranges).
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
	Namespace string `json:"namespace"`
	// PodSelector is a label selector in kubectl syntax, e.g. k8s-app=kube-dns.
	PodSelector string `json:"podSelector"`
}

// Commands are the application image's entry points.
type Commands struct {
	Worker    []string `json:"worker"`
	Beat      []string `json:"beat"`
	Migration []string `json:"migration"`
}

// Probes are the health contracts of the application images.
type Probes struct {
	APIPath         string   `json:"apiPath"`
	PortalPath      string   `json:"portalPath"`
	WorkerLiveness  []string `json:"workerLiveness"`
	WorkerReadiness []string `json:"workerReadiness"`
	BeatLiveness    []string `json:"beatLiveness"`
	BeatReadiness   []string `json:"beatReadiness"`
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
