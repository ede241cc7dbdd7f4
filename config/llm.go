package config

import (
	"net/url"
	"slices"
	"strings"
)

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

// llmProviders are the providers the API supports; all but ollama need an API key.
var llmProviders = []string{"openai", "azure-openai", "anthropic", "ollama"}

// validateLLM checks the provider, its URL and reach, the models and the API key's source.
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
