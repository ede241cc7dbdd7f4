package config

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Project is the Pulumi project name; every key of this program lives in its namespace.
const Project = "jd-jones-rag-infra"

// The scalar keys this program reads, in the order they are applied.
const (
	EnvironmentKey = "environment"
	NamespaceKey   = "namespace"
	DomainKey      = "domain"
	ProtectDataKey = "protectData"
	// KubernetesVersionKey is the cluster's minor version, e.g. v1.34.
	KubernetesVersionKey = "kubernetesVersion"
)

// ScalarKeys are the plain (non-object, non-secret) keys, in the order they are applied.
var ScalarKeys = []string{EnvironmentKey, NamespaceKey, DomainKey, ProtectDataKey, KubernetesVersionKey}

// The ports the in-cluster data services listen on; only an external endpoint's port is configurable.
const (
	PostgresPort = 5432
	RedisPort    = 6379
	ChromaPort   = 8000
)

// The secret config keys a stack may set.
const (
	// PostgresPasswordKey is Postgres's password: of the in-cluster server, or of an external
	// endpoint instead of postgres.passwordSecret.
	PostgresPasswordKey = "postgresPassword"
	// RedisPasswordKey is Redis's password: of the in-cluster server, or of an external endpoint
	// instead of redis.passwordSecret.
	RedisPasswordKey = "redisPassword"
	// JWTSecretKey signs the API's JSON Web Tokens.
	JWTSecretKey = "jwtSecret"
	// LLMAPIKeyKey is the LLM provider's API key, instead of llm.apiKeySecret.
	LLMAPIKeyKey = "llmApiKey"
	// AlertWebhookURLKey is the URL of Alertmanager's webhook receiver, which receives every
	// notification (a URL often embeds a token): https on port 443.
	AlertWebhookURLKey = "alertWebhookUrl"
	// AlertSMTPPasswordKey is the SMTP password of Alertmanager's email receiver (with
	// monitoring.alertmanager.emailTo, emailFrom and smtpSmarthost).
	AlertSMTPPasswordKey = "alertSmtpPassword"
	// KubeconfigKey is a kubeconfig (its content) the stack's provider uses instead of the ambient one.
	KubeconfigKey = "kubeconfig"
)

// SecretKeys are the optional secret keys; when absent the program generates the passwords and the JWT
// secret, and does without the others (docs/configuration.md says what each absence means).
var SecretKeys = []string{PostgresPasswordKey, RedisPasswordKey, JWTSecretKey, LLMAPIKeyKey, AlertWebhookURLKey, AlertSMTPPasswordKey, KubeconfigKey}

// ObjectKeys are the structured keys (the json names of Config's object fields); each overrides the
// environment's defaults field by field.
var ObjectKeys = func() []string {
	var keys []string
	for _, f := range fields(&Config{}) {
		keys = append(keys, f.key)
	}
	return keys
}()

// field is one field of a config object: its key as a stack file spells it (the json tag) and a pointer
// to its value. The json tags are the configuration's only vocabulary: loading, validation and lookups
// all read the keys from them.
type field struct {
	key string
	ptr any
}

// fields lists the json-tagged fields of the struct object points to, in declaration order.
func fields(object any) []field {
	v := reflect.ValueOf(object).Elem()
	var out []field
	for i := range v.NumField() {
		key, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if key == "" || key == "-" {
			continue
		}
		out = append(out, field{key: key, ptr: v.Field(i).Addr().Interface()})
	}
	return out
}

// keyed is a field of one Go type.
type keyed[T any] struct {
	key   string
	value *T
}

// fieldsOf lists the fields of type T of the struct object points to, in declaration order.
func fieldsOf[T any](object any) []keyed[T] {
	var out []keyed[T]
	for _, f := range fields(object) {
		if p, ok := f.ptr.(*T); ok {
			out = append(out, keyed[T]{f.key, p})
		}
	}
	return out
}

// sortedFieldsOf is fieldsOf sorted by key.
func sortedFieldsOf[T any](object any) []keyed[T] {
	out := fieldsOf[T](object)
	slices.SortFunc(out, func(a, b keyed[T]) int { return strings.Compare(a.key, b.key) })
	return out
}

// keyOf is the dotted key of the field of c that ptr points to, e.g. "ingress.className".
func (c *Config) keyOf(ptr any) string {
	if key, ok := findKey(c, ptr); ok {
		return key
	}
	panic(fmt.Sprintf("config: %T is not a field of Config", ptr))
}

// findKey searches object's fields, depth first, for the one ptr points to.
func findKey(object, ptr any) (string, bool) {
	target := reflect.ValueOf(ptr)
	for _, f := range fields(object) {
		v := reflect.ValueOf(f.ptr)
		if v.Type() == target.Type() && v.Pointer() == target.Pointer() {
			return f.key, true
		}
		if v.Elem().Kind() == reflect.Struct {
			if sub, ok := findKey(f.ptr, ptr); ok {
				return f.key + "." + sub, true
			}
		}
	}
	return "", false
}

// lookup returns the field of type T under key of object, one of c's objects.
func lookup[T any](c *Config, object any, key string) (T, error) {
	for _, f := range fields(object) {
		if p, ok := f.ptr.(*T); ok && f.key == key {
			return *p, nil
		}
	}
	var zero T
	return zero, fmt.Errorf("no config key %s.%s", c.keyOf(object), key)
}

// Image is the reference under images.<key>.
func (c *Config) Image(key string) (string, error) { return lookup[string](c, &c.Images, key) }

// Command is the argv under commands.<key>.
func (c *Config) Command(key string) ([]string, error) { return lookup[[]string](c, &c.Commands, key) }

// ProbeCommand is the exec probe's argv under probes.<key>.
func (c *Config) ProbeCommand(key string) ([]string, error) {
	return lookup[[]string](c, &c.Probes, key)
}

// ProbePath is the HTTP probe's path under probes.<key>.
func (c *Config) ProbePath(key string) (string, error) { return lookup[string](c, &c.Probes, key) }
