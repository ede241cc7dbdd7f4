package config

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/jdjones/jd-jones-rag-infra/internal/imageref"
)

// FieldError is one refused config value: the key (without the project prefix), the value and what is allowed.
type FieldError struct {
	Key     string
	Value   any
	Allowed string
}

func (e *FieldError) Error() string {
	if e.Value == nil {
		return fmt.Sprintf("config %s:%s %s", Project, e.Key, e.Allowed)
	}
	return fmt.Sprintf("config %s:%s = %s: %s", Project, e.Key, quoted(e.Value), e.Allowed)
}

// quoted formats a value as a user wrote it in the stack file: strings quoted, numbers bare.
func quoted(v any) string {
	if v == secretValue {
		return secretValue
	}
	switch v := v.(type) {
	case string, []string:
		return fmt.Sprintf("%q", v)
	default:
		return fmt.Sprint(v)
	}
}

// ValidationError lists every refused value of a stack's configuration.
type ValidationError []*FieldError

func (v ValidationError) Error() string {
	lines := make([]string, len(v))
	for i, e := range v {
		lines[i] = "  - " + e.Error()
	}
	return "invalid stack configuration:\n" + strings.Join(lines, "\n")
}

// Keys lists the refused keys, for callers and tests.
func (v ValidationError) Keys() []string {
	keys := make([]string, len(v))
	for i, e := range v {
		keys[i] = e.Key
	}
	return keys
}

// validator collects FieldErrors about one Config.
type validator struct {
	config *Config
	errs   ValidationError
}

// fail refuses value under key.
func (v *validator) fail(key string, value any, allowed string, args ...any) {
	v.errs = append(v.errs, &FieldError{Key: key, Value: value, Allowed: fmt.Sprintf(allowed, args...)})
}

// refuse refuses the value of the config field ptr points to, named by its key.
func (v *validator) refuse(ptr any, allowed string, args ...any) {
	v.fail(v.config.keyOf(ptr), reflect.ValueOf(ptr).Elem().Interface(), allowed, args...)
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
	c.validateImages(v)
	c.validateWorkloads(v)
	c.validatePodOptions(v)
	c.validateStorage(v)
	c.validateUploads(v)
	c.validateData(v)
	c.validateLLM(v)
	c.validateCommands(v)
	c.validateNetwork(v)
	c.validateMonitoring(v)
	c.validateBackups(v)
	c.validateExternalSecrets(v)
	c.validateStackReference(v)
	if len(v.errs) > 0 {
		return v.errs
	}
	return nil
}

// prometheusDuration is a Prometheus duration: units from milliseconds to years, largest first.
var prometheusDuration = regexp.MustCompile(`^([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$`)

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

// validateLimits checks the ceilings themselves.
func (c *Config) validateLimits(v *validator) {
	l := &c.Limits
	v.quantity(&l.CPU)
	v.quantity(&l.Memory)
	if l.Replicas < 2 {
		v.refuse(&l.Replicas, "must be at least 2")
	}
}

func (v *validator) dnsLabel(key, value string) {
	if msgs := validation.IsDNS1123Label(value); len(msgs) > 0 {
		v.fail(key, value, "must be a DNS-1123 label: %s", strings.Join(msgs, "; "))
	}
}

func (c *Config) validateIngress(v *validator) {
	i := &c.Ingress
	if msgs := validation.IsDNS1123Subdomain(i.ClassName); len(msgs) > 0 {
		v.refuse(&i.ClassName, "must name an IngressClass, e.g. nginx: %s", strings.Join(msgs, "; "))
	}
	if msgs := validation.IsDNS1123Label(i.ControllerNamespace); len(msgs) > 0 {
		v.refuse(&i.ControllerNamespace, "must be a DNS-1123 label: %s", strings.Join(msgs, "; "))
	}
	secret, issuer := c.keyOf(&i.TLSSecretName), c.keyOf(&i.ClusterIssuer)
	switch {
	case i.TLSSecretName == "" && i.ClusterIssuer == "":
		v.refuse(&i.TLSSecretName, "every host needs TLS: set %s or %s", secret, issuer)
	case i.TLSSecretName != "" && i.ClusterIssuer != "":
		v.refuse(&i.ClusterIssuer, "set either %s or %s, not both", secret, issuer)
	case i.TLSSecretName != "":
		if msgs := validation.IsDNS1123Subdomain(i.TLSSecretName); len(msgs) > 0 {
			v.refuse(&i.TLSSecretName, "must be a Secret name: %s", strings.Join(msgs, "; "))
		}
	default:
		if msgs := validation.IsDNS1123Subdomain(i.ClusterIssuer); len(msgs) > 0 {
			v.refuse(&i.ClusterIssuer, "must name a cert-manager ClusterIssuer: %s", strings.Join(msgs, "; "))
		}
	}
	if i.ACMESolver != HTTP01 && i.ACMESolver != DNS01 {
		v.refuse(&i.ACMESolver, "must be one of %s, %s", HTTP01, DNS01)
	}
	switch {
	case len(i.PortalSourceRanges) == 0 && c.Environment.IsProduction():
		v.refuse(&i.PortalSourceRanges, "is required in prod: the employee portal admits only the office and VPN ranges, as CIDRs")
	case len(i.PortalSourceRanges) > 0:
		v.cidrs(&i.PortalSourceRanges)
	}
	if !nginxSize.MatchString(i.ProxyBodySize) {
		v.refuse(&i.ProxyBodySize, "must be an nginx size such as 100m, 512k or 1g")
	}
	if i.ProxyReadTimeoutSeconds < 1 || i.ProxyReadTimeoutSeconds > 3600 {
		v.refuse(&i.ProxyReadTimeoutSeconds, "must be between 1 and 3600 seconds")
	}
}

// nginxSize is nginx's size syntax: a number of bytes, kilobytes (k) or megabytes (m), or gigabytes (g).
var nginxSize = regexp.MustCompile(`^[1-9][0-9]*[kKmMgG]?$`)

// Address ranges no allowed CIDR may overlap: link-local holds every cloud's metadata endpoint.
var linkLocal = []netip.Prefix{netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("fe80::/10")}

// cidrs checks a list of destination or source ranges: each a CIDR, none the whole address space, none
// overlapping link-local (the cloud metadata endpoint).
func (v *validator) cidrs(list *[]string) {
	for _, raw := range *list {
		p, err := netip.ParsePrefix(raw)
		switch {
		case err != nil:
			v.refuse(list, "%q is not a CIDR such as 10.0.0.0/16", raw)
		case p.Bits() == 0:
			v.refuse(list, "%q is every address; list the endpoint's own ranges", raw)
		case p != p.Masked():
			v.refuse(list, "%q has host bits set; write the range as %s", raw, p.Masked())
		case slices.ContainsFunc(linkLocal, p.Overlaps):
			v.refuse(list, "%q overlaps link-local addresses, where the cloud metadata endpoint answers", raw)
		default:
			continue
		}
		return
	}
}

func (c *Config) validateImages(v *validator) {
	for _, image := range sortedFieldsOf[string](&c.Images) {
		if problem := ImageProblem(*image.value); problem != "" {
			v.refuse(image.value, "%s", problem)
		}
	}
}

// ImageProblem explains why ref is not a pinned image reference, or returns "".
func ImageProblem(ref string) string {
	const needsPin = "must carry an explicit tag (repo:tag) or digest (repo@sha256:...)"
	if strings.ContainsAny(ref, " \t") {
		return "must not contain spaces"
	}
	parsed, err := imageref.Parse(ref)
	switch {
	case errors.Is(err, imageref.ErrEmpty):
		return "must be an image reference repo:tag or repo@sha256:digest"
	case errors.Is(err, imageref.ErrDigest), err == nil && parsed.Digest != "" && !strings.HasPrefix(parsed.Digest, "sha256:"):
		return "digest must be @sha256: followed by 64 hex characters"
	case errors.Is(err, imageref.ErrTag) && imageref.Split(ref).Tag == "":
		return needsPin
	case err != nil:
		return err.Error()
	case parsed.Digest != "":
		return ""
	case parsed.Tag == "":
		return needsPin
	case parsed.Tag == "latest":
		return "must not use the mutable tag latest; pin a version tag or digest"
	}
	return ""
}

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

// minClaim is the smallest data claim.
var minClaim = resource.MustParse("1Gi")

func (c *Config) validateStorage(v *validator) {
	s := &c.Storage
	if s.ClassName == "" {
		v.refuse(&s.ClassName, "must name the ReadWriteOnce StorageClass of the data claims")
	}
	if !slices.Contains(s.RWXCapableClasses, s.RWXClassName) {
		v.refuse(&s.RWXClassName,
			"must be one of %s %q: the shared claims are ReadWriteMany and block storage classes cannot serve that", c.keyOf(&s.RWXCapableClasses), s.RWXCapableClasses)
	}
	for _, size := range fieldsOf[string](&s.Sizes) {
		if q, ok := v.quantity(size.value); ok && q.Cmp(minClaim) < 0 {
			v.refuse(size.value, "must be at least 1Gi: a data claim smaller than that is a typo (a unit missing or m for Mi)")
		}
	}
}

func (c *Config) validateData(v *validator) {
	for _, s := range []struct {
		svc *DataService
		// secretKey is the secret config key that may supply an external endpoint's password ("" for none).
		secretKey string
		supplied  bool
		// inClusterInProd tolerates one unreplicated in-cluster copy in prod (Chroma has no managed form here).
		inClusterInProd bool
		// port is the port the in-cluster server listens on.
		port int
	}{
		{&c.Postgres, PostgresPasswordKey, c.Supplied.PostgresPassword, false, PostgresPort},
		{&c.Redis, RedisPasswordKey, c.Supplied.RedisPassword, false, RedisPort},
		{&c.Chroma, "", false, true, ChromaPort},
	} {
		key := c.keyOf(s.svc)
		switch s.svc.Mode {
		case InCluster:
			if c.Environment.IsProduction() && !s.inClusterInProd {
				v.refuse(&s.svc.Mode, "must be external in prod: a single unreplicated %s is a single point of failure; point it at a managed endpoint", key)
			}
			if len(s.svc.CIDRs) > 0 {
				v.refuse(&s.svc.CIDRs, "is only for an external endpoint; the in-cluster %s is reached by its pods' labels", key)
			}
			if s.svc.TLS.Enabled {
				v.refuse(&s.svc.TLS.Enabled, "is only for an external endpoint; the in-cluster %s serves no certificate", key)
			}
			if s.svc.Port != s.port {
				v.refuse(&s.svc.Port, "must be %d, the port the in-cluster %s serves on (only an external endpoint's port is configurable)", s.port, key)
			}
		case External:
			modeKey := c.keyOf(&s.svc.Mode)
			if msgs := validation.IsDNS1123Subdomain(s.svc.Host); len(msgs) > 0 && !c.hostFromStackReference(s.svc) {
				v.refuse(&s.svc.Host, "must be the external endpoint's DNS name when %s is external", modeKey)
			}
			if s.secretKey != "" {
				v.credential(&s.svc.PasswordSecret, modeKey, s.supplied, s.secretKey)
			}
			if len(s.svc.CIDRs) == 0 {
				v.fail(c.keyOf(&s.svc.CIDRs), nil, "is required when %s is external: the endpoint's address ranges, the only ones its clients may reach", modeKey)
			} else {
				v.cidrs(&s.svc.CIDRs)
			}
			if !s.svc.TLS.Enabled && c.Environment.IsProduction() {
				v.refuse(&s.svc.TLS.Enabled, "must be true in prod: credentials and customer data must not cross the network in plaintext")
			}
			v.caRef(&s.svc.TLS.CA)
		default:
			v.refuse(&s.svc.Mode, "must be one of %s, %s", InCluster, External)
		}
		if msgs := validation.IsValidPortNum(s.svc.Port); len(msgs) > 0 {
			v.refuse(&s.svc.Port, "must be a port number between 1 and 65535")
		}
	}
	if !postgresIdentifier.MatchString(c.Postgres.Database) {
		v.refuse(&c.Postgres.Database, "must name the database as a plain Postgres identifier (lowercase letters, digits and _, at most 63): it is written into connection URIs")
	}
	if !postgresIdentifier.MatchString(c.Postgres.User) {
		v.refuse(&c.Postgres.User, "must name the database role as a plain Postgres identifier (lowercase letters, digits and _, at most 63): it is written into connection URIs")
	}
}

// postgresIdentifier is an unquoted Postgres identifier: nothing a URI or a shell would read as syntax.
var postgresIdentifier = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// credential checks that exactly one source supplies an external credential: the Secret ref or the
// stack's secret key; modeKey names the mode that requires it.
func (v *validator) credential(ref *SecretRef, modeKey string, supplied bool, secretKey string) {
	key := v.config.keyOf(ref)
	switch {
	case supplied && ref.IsSet():
		v.fail(key, ref.Name, "set either %s or the secret key %s, not both", key, secretKey)
	case !supplied && !ref.IsSet():
		v.fail(key, nil, "is required when %s is external (or set the secret key %s)", modeKey, secretKey)
	case ref.IsSet():
		v.secretRef(ref)
	}
}

// secretRef checks that a reference names a Secret and one of its keys.
func (v *validator) secretRef(ref *SecretRef) {
	if msgs := validation.IsDNS1123Subdomain(ref.Name); len(msgs) > 0 {
		v.refuse(&ref.Name, "must be a Secret name")
	}
	if msgs := validation.IsConfigMapKey(ref.Key); len(msgs) > 0 {
		v.refuse(&ref.Key, "must be a key of that Secret")
	}
}

// caRef checks that a CA bundle reference names one ConfigMap or Secret and a key.
func (v *validator) caRef(ref *CARef) {
	switch {
	case ref.ConfigMap != "" && ref.Secret != "":
		v.refuse(&ref.Secret, "set either %s or %s, not both", v.config.keyOf(&ref.ConfigMap), v.config.keyOf(&ref.Secret))
	case ref.ConfigMap != "":
		if msgs := validation.IsDNS1123Subdomain(ref.ConfigMap); len(msgs) > 0 {
			v.refuse(&ref.ConfigMap, "must be a ConfigMap name")
		}
	case ref.Secret != "":
		if msgs := validation.IsDNS1123Subdomain(ref.Secret); len(msgs) > 0 {
			v.refuse(&ref.Secret, "must be a Secret name")
		}
	case ref.Key != "":
		v.refuse(&ref.Key, "needs %s or %s to name the object that holds it", v.config.keyOf(&ref.ConfigMap), v.config.keyOf(&ref.Secret))
	}
	if ref.Key != "" {
		if msgs := validation.IsConfigMapKey(ref.Key); len(msgs) > 0 {
			v.refuse(&ref.Key, "must be a key of that object")
		}
	}
}

// llmProviders are the providers the API supports; all but ollama need an API key.
var llmProviders = []string{"openai", "azure-openai", "anthropic", "ollama"}

func (c *Config) validateLLM(v *validator) {
	l := &c.LLM
	if !slices.Contains(llmProviders, l.Provider) {
		v.refuse(&l.Provider, "must be one of %s", strings.Join(llmProviders, ", "))
	}
	u, err := url.Parse(l.BaseURL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		v.refuse(&l.BaseURL, "must be an http(s) URL")
	case u.Scheme == "http" && c.Environment.IsProduction():
		v.refuse(&l.BaseURL, "must be https in prod: prompts carry customer documents and the request carries the API key")
	case l.Namespace == "" && len(l.CIDRs) == 0 && isClusterHost(u.Hostname()):
		v.refuse(&l.BaseURL, "is a cluster address, which the internet egress excludes: set %s to the provider's namespace", c.keyOf(&l.Namespace))
	}
	switch {
	case l.Namespace != "" && len(l.CIDRs) > 0:
		v.refuse(&l.CIDRs, "set either %s or %s, not both", c.keyOf(&l.CIDRs), c.keyOf(&l.Namespace))
	case l.Namespace != "":
		v.dnsLabel(c.keyOf(&l.Namespace), l.Namespace)
	case len(l.CIDRs) > 0:
		v.cidrs(&l.CIDRs)
	}
	if l.Model == "" {
		v.refuse(&l.Model, "must name the chat model")
	}
	if l.EmbeddingModel == "" {
		v.refuse(&l.EmbeddingModel, "must name the embedding model")
	}
	key := c.keyOf(&l.APIKeySecret)
	switch {
	case c.Supplied.LLMAPIKey && l.APIKeySecret.IsSet():
		v.fail(key, l.APIKeySecret.Name, "set either %s or the secret key %s, not both", key, LLMAPIKeyKey)
	case l.APIKeySecret.IsSet():
		v.secretRef(&l.APIKeySecret)
	case !c.Supplied.LLMAPIKey && l.Provider != "ollama":
		v.fail(key, nil, "is required for provider %q (or set the secret key %s)", l.Provider, LLMAPIKeyKey)
	}
}

// isClusterHost reports whether a host name resolves inside the cluster: a Service name, alone or
// qualified with its namespace and the cluster's domain.
func isClusterHost(host string) bool {
	return !strings.Contains(host, ".") || strings.HasSuffix(host, ".svc") || strings.Contains(host, ".svc.")
}

func (c *Config) validateNetwork(v *validator) {
	n := &c.Network
	v.dnsLabel(c.keyOf(&n.DNS.Namespace), n.DNS.Namespace)
	if sel, err := metav1.ParseToLabelSelector(n.DNS.PodSelector); err != nil || n.DNS.PodSelector == "" || len(sel.MatchExpressions) > 0 {
		v.refuse(&n.DNS.PodSelector, "must be label=value pairs selecting the cluster DNS pods, e.g. k8s-app=kube-dns")
	}
	v.cidrs(&n.ClusterCIDRs)
}

// alwaysSucceeds are commands whose exit status says nothing about anything.
var alwaysSucceeds = []string{"true", ":", "echo", "printf"}

// trivialScript is a shell script that ends by succeeding whatever came before.
var trivialScript = regexp.MustCompile(`(?s)^\s*(true|:|exit(\s+0)?|echo\b.*)\s*;?\s*$|(\|\||;|&&)\s*(true|:|exit(\s+0)?)\s*;?\s*$`)

// cannotFail reports whether an exec probe's argv always exits 0: a command that always succeeds, or a
// shell whose script does.
func cannotFail(argv []string) bool {
	if slices.Contains(alwaysSucceeds, path.Base(argv[0])) {
		return true
	}
	shells := []string{"sh", "bash", "ash", "dash", "zsh"}
	if slices.Contains(shells, path.Base(argv[0])) && len(argv) >= 3 && argv[1] == "-c" {
		return trivialScript.MatchString(argv[2])
	}
	return false
}

func (c *Config) validateCommands(v *validator) {
	commands := append(sortedFieldsOf[[]string](&c.Commands), sortedFieldsOf[[]string](&c.Probes)...)
	for _, command := range commands {
		if len(*command.value) == 0 || (*command.value)[0] == "" {
			v.refuse(command.value, "must be a non-empty command (an argv list)")
		}
	}
	for _, probe := range sortedFieldsOf[[]string](&c.Probes) {
		if len(*probe.value) > 0 && cannotFail(*probe.value) {
			v.refuse(probe.value, "always succeeds, so it would report a hung process healthy; check something the process does (a heartbeat file, a ping)")
		}
	}
	for _, path := range sortedFieldsOf[string](&c.Probes) {
		if !strings.HasPrefix(*path.value, "/") {
			v.refuse(path.value, "must be an HTTP path starting with /")
		}
	}
}
