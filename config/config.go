package config

import (
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

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

	// Ingress is the edge of the three public hosts (nginx Ingresses, or Gateway API HTTPRoutes) and its TLS.
	Ingress Ingress `json:"ingress"`
	// Images is the image of every container, pinned by tag or digest.
	Images Images `json:"images"`
	// Workloads sizes every workload: replicas or autoscaling, resources, and pod options.
	Workloads Workloads `json:"workloads"`
	// Storage picks the storage classes and sizes of the claims.
	Storage Storage `json:"storage"`
	// Postgres is the database: a StatefulSet in the cluster, or an external endpoint (required in
	// prod).
	Postgres DataService `json:"postgres"`
	// Redis is the Celery broker and cache: a StatefulSet in the cluster, or an external endpoint
	// (required in prod).
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
	// StackReference takes the external endpoints' hosts from another stack's outputs.
	StackReference StackReference `json:"stackReference"`
	// Telemetry sends the API's and workers' OpenTelemetry signals to a collector.
	Telemetry Telemetry `json:"telemetry"`
	// ExtraObjects are plain Kubernetes manifests the stack registers in its namespace beside the
	// platform's objects, each judged by the policy pack: namespaced kinds only, no Secret, a fixed
	// metadata.name, never an object the platform registers itself.
	ExtraObjects []map[string]any `json:"extraObjects"`

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

// Validate checks every value of c and returns a ValidationError naming each bad one.
func (c *Config) Validate() error {
	v := &validator{config: c}
	if c.Environment != Dev && c.Environment != Prod {
		v.fail(EnvironmentKey, string(c.Environment), "must be one of dev, prod")
	}
	v.dnsLabel(NamespaceKey, c.Namespace)
	c.validateNamespaceIsOurs(v)
	c.validateDomain(v)
	if c.Environment.IsProduction() && !c.ProtectData {
		v.fail(ProtectDataKey, c.ProtectData, "must be true in prod: without it a destroy deletes the namespace and every data claim")
	}
	if !kubernetesMinor.MatchString(c.KubernetesVersion) {
		v.fail(KubernetesVersionKey, c.KubernetesVersion, "must be the cluster's minor version such as v1.34 (Pod Security enforces that version's rules)")
	}
	c.validateLimits(v)
	if c.Environment.IsProduction() && !c.IsBound() {
		v.fail(c.keyOf(&c.Cluster.Context), nil, "is required in prod (or the secret key %s): the stack deploys to its own cluster, never to whatever the ambient kubeconfig's current context is", KubeconfigKey)
	}
	if strings.ContainsAny(c.Cluster.Context, " \t\n") {
		v.refuse(&c.Cluster.Context, "must be a context name of the kubeconfig")
	}
	c.validateIngress(v)
	c.validateGateway(v)
	c.validateImages(v)
	c.validateWorkloads(v)
	c.validateAutoscaling(v)
	c.validatePodOptions(v)
	c.validateStorage(v)
	c.validateData(v)
	c.validateLLM(v)
	c.validateCommands(v)
	c.validateNetwork(v)
	c.validateMonitoring(v)
	c.validateBackups(v)
	c.validateExternalSecrets(v)
	c.validateStackReference(v)
	c.validateTelemetry(v)
	c.validateUploads(v)
	c.validateExtraObjects(v)
	if len(v.errs) > 0 {
		return v.errs
	}
	return nil
}

// kubernetesMinor is a Kubernetes minor version as Pod Security labels take it.
var kubernetesMinor = regexp.MustCompile(`^v1\.[0-9]{1,3}$`)

// reservedNamespaces belong to Kubernetes: adopting one would put default-deny policies and Pod Security
// labels on the cluster's own pods, and a dev destroy would delete it.
var reservedNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease"}

// validateNamespaceIsOurs refuses a namespace the stack must not own: Kubernetes's, and the namespaces of
// the ingress controller, the cluster DNS and an in-cluster LLM, which the stack only talks to.
func (c *Config) validateNamespaceIsOurs(v *validator) {
	others := map[string]string{
		c.Ingress.ControllerNamespace: c.keyOf(&c.Ingress.ControllerNamespace),
		c.Network.DNS.Namespace:       c.keyOf(&c.Network.DNS.Namespace),
	}
	if c.LLM.Namespace != "" {
		others[c.LLM.Namespace] = c.keyOf(&c.LLM.Namespace)
	}
	switch {
	case slices.Contains(reservedNamespaces, c.Namespace) || strings.HasPrefix(c.Namespace, "kube-"):
		v.fail(NamespaceKey, c.Namespace, "must be a namespace of its own, not one of Kubernetes's (%s, kube-*): the stack puts default-deny policies and Pod Security labels on it, and a dev destroy deletes it", strings.Join(reservedNamespaces, ", "))
	case others[c.Namespace] != "":
		v.fail(NamespaceKey, c.Namespace, "must not be the namespace of %s: the stack would isolate and own it", others[c.Namespace])
	}
}

// validateDomain checks the DNS suffix of the public hosts: a DNS name whose every label, and the
// longest host built on it, fits DNS's limits.
func (c *Config) validateDomain(v *validator) {
	if msgs := validation.IsDNS1123Subdomain(c.Domain); len(msgs) > 0 {
		v.fail(DomainKey, c.Domain, "must be a DNS domain: %s", strings.Join(msgs, "; "))
		return
	}
	for _, label := range strings.Split(c.Domain, ".") {
		if msgs := validation.IsDNS1123Label(label); len(msgs) > 0 {
			v.fail(DomainKey, c.Domain, "label %q must be a DNS label: %s", label, strings.Join(msgs, "; "))
			return
		}
	}
	if msgs := validation.IsDNS1123Subdomain("support." + c.Domain); len(msgs) > 0 {
		v.fail(DomainKey, c.Domain, "is too long for the host support.%s: %s", c.Domain, strings.Join(msgs, "; "))
	}
}
