package config

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// FieldError is one refused config value: the key (without the project prefix), the value and what is allowed.
type FieldError struct {
	Key     string
	Value   any
	Allowed string
}

// redacted stands in for the value of a secret key in errors.
const redacted = "[secret]"

func (e *FieldError) Error() string {
	if e.Value == nil {
		return fmt.Sprintf("config %s:%s %s", Project, e.Key, e.Allowed)
	}
	return fmt.Sprintf("config %s:%s = %s: %s", Project, e.Key, quoted(e.Value), e.Allowed)
}

// quoted formats a value as a user wrote it in the stack file: strings quoted, numbers bare.
func quoted(v any) string {
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

// validator collects FieldErrors.
type validator struct{ errs ValidationError }

func (v *validator) fail(key string, value any, allowed string, args ...any) {
	v.errs = append(v.errs, &FieldError{Key: key, Value: value, Allowed: fmt.Sprintf(allowed, args...)})
}

// Validate checks every value of c and returns a ValidationError naming each bad one.
func (c *Config) Validate() error {
	v := &validator{}
	if c.Environment != Dev && c.Environment != Prod {
		v.fail(EnvironmentKey, string(c.Environment), "must be one of dev, prod")
	}
	v.dnsLabel(NamespaceKey, c.Namespace)
	if msgs := validation.IsDNS1123Subdomain(c.Domain); len(msgs) > 0 {
		v.fail(DomainKey, c.Domain, "must be a DNS domain: %s", strings.Join(msgs, "; "))
	}
	c.validateIngress(v)
	c.validateImages(v)
	c.validateWorkloads(v)
	c.validateStorage(v)
	c.validateData(v)
	c.validateLLM(v)
	c.validateCommands(v)
	if len(v.errs) > 0 {
		return v.errs
	}
	return nil
}

func (v *validator) dnsLabel(key, value string) {
	if msgs := validation.IsDNS1123Label(value); len(msgs) > 0 {
		v.fail(key, value, "must be a DNS-1123 label: %s", strings.Join(msgs, "; "))
	}
}

func (c *Config) validateIngress(v *validator) {
	if c.Ingress.ClassName == "" {
		v.fail("ingress.className", c.Ingress.ClassName, "must name an IngressClass, e.g. nginx")
	}
	v.dnsLabel("ingress.controllerNamespace", c.Ingress.ControllerNamespace)
	switch {
	case c.Ingress.TLSSecretName == "" && c.Ingress.ClusterIssuer == "":
		v.fail("ingress.tlsSecretName", "", "every host needs TLS: set ingress.tlsSecretName or ingress.clusterIssuer")
	case c.Ingress.TLSSecretName != "" && c.Ingress.ClusterIssuer != "":
		v.fail("ingress.clusterIssuer", c.Ingress.ClusterIssuer, "set either ingress.tlsSecretName or ingress.clusterIssuer, not both")
	case c.Ingress.TLSSecretName != "":
		if msgs := validation.IsDNS1123Subdomain(c.Ingress.TLSSecretName); len(msgs) > 0 {
			v.fail("ingress.tlsSecretName", c.Ingress.TLSSecretName, "must be a Secret name: %s", strings.Join(msgs, "; "))
		}
	}
}

func (c *Config) validateImages(v *validator) {
	images := map[string]string{
		"api": c.Images.API, "worker": c.Images.Worker, "externalPortal": c.Images.ExternalPortal,
		"internalPortal": c.Images.InternalPortal, "postgres": c.Images.Postgres,
		"postgresExporter": c.Images.PostgresExporter, "redis": c.Images.Redis, "redisExporter": c.Images.RedisExporter,
		"chroma": c.Images.Chroma, "prometheus": c.Images.Prometheus, "grafana": c.Images.Grafana,
	}
	for _, name := range slices.Sorted(maps.Keys(images)) {
		if problem := ImageProblem(images[name]); problem != "" {
			v.fail("images."+name, images[name], "%s", problem)
		}
	}
}

// ImageProblem explains why ref is not a pinned image reference, or returns "".
func ImageProblem(ref string) string {
	if ref == "" {
		return "must be an image reference repo:tag or repo@sha256:digest"
	}
	if strings.ContainsAny(ref, " \t") {
		return "must not contain spaces"
	}
	if repo, digest, ok := strings.Cut(ref, "@"); ok {
		if repo == "" || !strings.HasPrefix(digest, "sha256:") || len(digest) != len("sha256:")+64 {
			return "digest must be @sha256: followed by 64 hex characters"
		}
		return ""
	}
	slash := strings.LastIndex(ref, "/")
	colon := strings.LastIndex(ref, ":")
	if colon <= slash || colon == len(ref)-1 {
		return "must carry an explicit tag (repo:tag) or digest (repo@sha256:...)"
	}
	if ref[colon+1:] == "latest" {
		return "must not use the mutable tag latest; pin a version tag or digest"
	}
	return ""
}

func (c *Config) validateWorkloads(v *validator) {
	w := c.Workloads
	prod := c.Environment.IsProduction()
	autoscaled := map[string]Autoscaled{"api": w.API, "celeryWorker": w.CeleryWorker}
	for _, name := range slices.Sorted(maps.Keys(autoscaled)) {
		a, key := autoscaled[name], "workloads."+name
		if a.MinReplicas < 1 {
			v.fail(key+".minReplicas", a.MinReplicas, "must be at least 1")
		} else if prod && a.MinReplicas < 2 {
			v.fail(key+".minReplicas", a.MinReplicas, "must be at least 2 in prod, so one pod can be lost without downtime")
		}
		if a.MaxReplicas < a.MinReplicas {
			v.fail(key+".maxReplicas", a.MaxReplicas, "must be at least minReplicas (%d)", a.MinReplicas)
		}
		for _, target := range []struct {
			field   string
			percent int
		}{{"targetCPUPercent", a.TargetCPUPercent}, {"targetMemoryPercent", a.TargetMemoryPercent}} {
			if target.percent < 1 || target.percent > 100 {
				v.fail(key+"."+target.field, target.percent, "must be a utilization percentage between 1 and 100")
			}
		}
		v.resources(key+".resources", a.Resources)
	}
	replicated := map[string]Replicated{
		"externalPortal": w.ExternalPortal, "internalPortal": w.InternalPortal, "prometheus": w.Prometheus, "grafana": w.Grafana,
	}
	for _, name := range slices.Sorted(maps.Keys(replicated)) {
		r, key := replicated[name], "workloads."+name
		if r.Replicas < 1 {
			v.fail(key+".replicas", r.Replicas, "must be at least 1")
		} else if prod && r.Replicas < 2 {
			v.fail(key+".replicas", r.Replicas, "must be at least 2 in prod, so one pod can be lost without downtime")
		}
		v.resources(key+".resources", r.Resources)
	}
	singles := map[string]Single{
		"celeryBeat": w.CeleryBeat, "migration": w.Migration, "postgres": w.Postgres, "postgresExporter": w.PostgresExporter,
		"redis": w.Redis, "redisExporter": w.RedisExporter, "chroma": w.Chroma,
	}
	for _, name := range slices.Sorted(maps.Keys(singles)) {
		v.resources("workloads."+name+".resources", singles[name].Resources)
	}
}

// resources checks that every quantity parses, is positive, and that no request exceeds its limit.
func (v *validator) resources(key string, r Resources) {
	for _, pair := range []struct {
		name         string
		request, lim string
	}{{"cpu", r.Requests.CPU, r.Limits.CPU}, {"memory", r.Requests.Memory, r.Limits.Memory}} {
		req, reqOK := v.quantity(key+".requests."+pair.name, pair.request)
		lim, limOK := v.quantity(key+".limits."+pair.name, pair.lim)
		if reqOK && limOK && req.Cmp(lim) > 0 {
			v.fail(key+".requests."+pair.name, pair.request, "must not exceed limits.%s (%s)", pair.name, pair.lim)
		}
	}
}

// quantity parses a positive Kubernetes quantity.
func (v *validator) quantity(key, value string) (resource.Quantity, bool) {
	q, err := resource.ParseQuantity(value)
	if err != nil {
		v.fail(key, value, "must be a Kubernetes quantity such as 500m, 2, 512Mi or 20Gi")
		return q, false
	}
	if q.Sign() <= 0 {
		v.fail(key, value, "must be greater than zero")
		return q, false
	}
	return q, true
}

func (c *Config) validateStorage(v *validator) {
	s := c.Storage
	if s.ClassName == "" {
		v.fail("storage.className", s.ClassName, "must name the ReadWriteOnce StorageClass of the data claims")
	}
	if !slices.Contains(s.RWXCapableClasses, s.RWXClassName) {
		v.fail("storage.rwxClassName", s.RWXClassName,
			"must be one of storage.rwxCapableClasses %q: the shared claims are ReadWriteMany and block storage classes cannot serve that", s.RWXCapableClasses)
	}
	for _, size := range []struct{ key, value string }{
		{"postgresData", s.Sizes.PostgresData}, {"redisData", s.Sizes.RedisData}, {"chromaData", s.Sizes.ChromaData},
		{"modelCache", s.Sizes.ModelCache}, {"uploadsData", s.Sizes.UploadsData},
	} {
		v.quantity("storage.sizes."+size.key, size.value)
	}
}

func (c *Config) validateData(v *validator) {
	type service struct {
		key string
		svc DataService
		// secretKey is the secret config key that may supply an external endpoint's password ("" for none).
		secretKey string
		supplied  bool
	}
	for _, s := range []service{
		{"postgres", c.Postgres, PostgresPasswordKey, c.Supplied.PostgresPassword},
		{"redis", c.Redis, RedisPasswordKey, c.Supplied.RedisPassword},
		{"chroma", c.Chroma, "", false},
	} {
		switch s.svc.Mode {
		case InCluster:
			if c.Environment.IsProduction() && s.key != "chroma" {
				v.fail(s.key+".mode", s.svc.Mode, "must be external in prod: a single unreplicated %s is a single point of failure; point it at a managed endpoint", s.key)
			}
		case External:
			if msgs := validation.IsDNS1123Subdomain(s.svc.Host); len(msgs) > 0 {
				v.fail(s.key+".host", s.svc.Host, "must be the external endpoint's DNS name when %s.mode is external", s.key)
			}
			if s.secretKey != "" {
				v.credential(s.key, s.svc.PasswordSecret, s.supplied, s.secretKey)
			}
		default:
			v.fail(s.key+".mode", s.svc.Mode, "must be one of %s, %s", InCluster, External)
		}
		if msgs := validation.IsValidPortNum(s.svc.Port); len(msgs) > 0 {
			v.fail(s.key+".port", s.svc.Port, "must be a port number between 1 and 65535")
		}
	}
	if c.Postgres.Database == "" {
		v.fail("postgres.database", c.Postgres.Database, "must name the database")
	}
	if c.Postgres.User == "" {
		v.fail("postgres.user", c.Postgres.User, "must name the database role")
	}
}

// credential checks that exactly one source supplies an external credential.
func (v *validator) credential(key string, ref SecretRef, supplied bool, secretKey string) {
	switch {
	case supplied && ref.IsSet():
		v.fail(key+".passwordSecret", ref.Name, "set either %s.passwordSecret or the secret key %s, not both", key, secretKey)
	case !supplied && !ref.IsSet():
		v.fail(key+".passwordSecret", nil, "is required when %s.mode is external (or set the secret key %s)", key, secretKey)
	case ref.IsSet():
		v.secretRef(key+".passwordSecret", ref)
	}
}

func (v *validator) secretRef(key string, ref SecretRef) {
	if msgs := validation.IsDNS1123Subdomain(ref.Name); len(msgs) > 0 {
		v.fail(key+".name", ref.Name, "must be a Secret name")
	}
	if msgs := validation.IsConfigMapKey(ref.Key); len(msgs) > 0 {
		v.fail(key+".key", ref.Key, "must be a key of that Secret")
	}
}

// llmProviders are the providers the API supports; all but ollama need an API key.
var llmProviders = []string{"openai", "azure-openai", "anthropic", "ollama"}

func (c *Config) validateLLM(v *validator) {
	l := c.LLM
	if !slices.Contains(llmProviders, l.Provider) {
		v.fail("llm.provider", l.Provider, "must be one of %s", strings.Join(llmProviders, ", "))
	}
	if u, err := url.Parse(l.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.fail("llm.baseUrl", l.BaseURL, "must be an http(s) URL")
	}
	if l.Model == "" {
		v.fail("llm.model", l.Model, "must name the chat model")
	}
	if l.EmbeddingModel == "" {
		v.fail("llm.embeddingModel", l.EmbeddingModel, "must name the embedding model")
	}
	switch {
	case c.Supplied.LLMAPIKey && l.APIKeySecret.IsSet():
		v.fail("llm.apiKeySecret", l.APIKeySecret.Name, "set either llm.apiKeySecret or the secret key %s, not both", LLMAPIKeyKey)
	case l.APIKeySecret.IsSet():
		v.secretRef("llm.apiKeySecret", l.APIKeySecret)
	case !c.Supplied.LLMAPIKey && l.Provider != "ollama":
		v.fail("llm.apiKeySecret", nil, "is required for provider %q (or set the secret key %s)", l.Provider, LLMAPIKeyKey)
	}
}

func (c *Config) validateCommands(v *validator) {
	commands := map[string][]string{
		"commands.worker": c.Commands.Worker, "commands.beat": c.Commands.Beat, "commands.migration": c.Commands.Migration,
		"probes.workerLiveness": c.Probes.WorkerLiveness, "probes.workerReadiness": c.Probes.WorkerReadiness,
		"probes.beatLiveness": c.Probes.BeatLiveness, "probes.beatReadiness": c.Probes.BeatReadiness,
	}
	for _, key := range slices.Sorted(maps.Keys(commands)) {
		if len(commands[key]) == 0 || commands[key][0] == "" {
			v.fail(key, commands[key], "must be a non-empty command (an argv list)")
		}
	}
	paths := map[string]string{"probes.apiPath": c.Probes.APIPath, "probes.portalPath": c.Probes.PortalPath}
	for _, key := range slices.Sorted(maps.Keys(paths)) {
		if !strings.HasPrefix(paths[key], "/") {
			v.fail(key, paths[key], "must be an HTTP path starting with /")
		}
	}
}
