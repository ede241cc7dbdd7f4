package config

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Source yields raw stack config values by key (without the project prefix).
type Source interface {
	Get(key string) (string, bool)
	// IsSecret reports whether the stack holds the key's value encrypted (set with --secret).
	IsSecret(key string) bool
}

// contextSource reads the running stack's config.
type contextSource struct{ ctx *pulumi.Context }

func (s contextSource) Get(key string) (string, bool) { return s.ctx.GetConfig(Project + ":" + key) }

func (s contextSource) IsSecret(key string) bool { return s.ctx.IsConfigSecret(Project + ":" + key) }

// MapSource is a Source over plain maps, for tools and tests: values by key, and the keys set as secrets.
type MapSource struct {
	Values  map[string]string
	Secrets map[string]bool
}

// Get returns the value of key.
func (m MapSource) Get(key string) (string, bool) { v, ok := m.Values[key]; return v, ok }

// IsSecret reports whether key was set as a secret.
func (m MapSource) IsSecret(key string) bool { return m.Secrets[key] }

// Load reads and validates the running stack's configuration. It registers nothing, so a bad
// value stops the program before any resource exists. When the CLI's language host passes the whole
// configuration in PULUMI_CONFIG (a plain `pulumi preview`), keys it does not know are refused too;
// the runner checks them for inline programs, which get no such list.
func Load(ctx *pulumi.Context) (*Config, error) {
	if err := CheckKeysIn(os.Getenv(pulumi.EnvConfig)); err != nil {
		return nil, err
	}
	return LoadFrom(contextSource{ctx})
}

// secretValue stands for a secret value in a message.
const secretValue = "[secret]"

// shown is a raw value as a message may show it: secret values never are.
func shown(src Source, key, raw string) string {
	if src.IsSecret(key) {
		return secretValue
	}
	return raw
}

// LoadFrom reads and validates configuration from src.
func LoadFrom(src Source) (*Config, error) {
	rawEnv, ok := src.Get(EnvironmentKey)
	if !ok {
		return nil, ValidationError{{Key: EnvironmentKey, Value: nil, Allowed: "is required; one of dev, prod"}}
	}
	env := Environment(rawEnv)
	if env != Dev && env != Prod {
		return nil, ValidationError{{Key: EnvironmentKey, Value: rawEnv, Allowed: "must be one of dev, prod"}}
	}
	c := Defaults(env)
	var errs ValidationError
	if v, ok := src.Get(NamespaceKey); ok {
		c.Namespace = v
	}
	if v, ok := src.Get(DomainKey); ok {
		c.Domain = v
	}
	if v, ok := src.Get(KubernetesVersionKey); ok {
		c.KubernetesVersion = v
	}
	if v, ok := src.Get(ProtectDataKey); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, &FieldError{Key: ProtectDataKey, Value: shown(src, ProtectDataKey, v), Allowed: "must be true or false"})
		}
		c.ProtectData = b
	}
	for _, object := range fields(&c) {
		if raw, ok := src.Get(object.key); ok {
			errs = append(errs, decodeObject(src, object, raw)...)
		}
	}
	for _, key := range SecretKeys {
		if v, ok := src.Get(key); ok && v != "" && !src.IsSecret(key) {
			errs = append(errs, &FieldError{Key: key, Value: secretValue, Allowed: fmt.Sprintf(
				"is a credential stored in plaintext in the stack file; remove it and set it encrypted: pulumi config rm %s && pulumi config set --secret %s <value>", key, key)})
		}
	}
	c.Supplied = SuppliedSecrets{
		PostgresPassword:  isSet(src, PostgresPasswordKey),
		RedisPassword:     isSet(src, RedisPasswordKey),
		JWTSecret:         isSet(src, JWTSecretKey),
		LLMAPIKey:         isSet(src, LLMAPIKeyKey),
		AlertWebhookURL:   isSet(src, AlertWebhookURLKey),
		AlertSMTPPassword: isSet(src, AlertSMTPPasswordKey),
		Kubeconfig:        isSet(src, KubeconfigKey),
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// isSet reports whether a secret key holds a value; Pulumi.yaml defaults each to "".
func isSet(src Source, key string) bool {
	v, ok := src.Get(key)
	return ok && v != ""
}

// decodeObject overlays raw, the JSON value of an object key, on the field's defaults, after checking
// that every field it sets exists and holds a value of the field's type; it names each bad value.
func decodeObject(src Source, object field, raw string) ValidationError {
	secret := src.IsSecret(object.key)
	var errs ValidationError
	for _, p := range checkJSON(object.key, raw, reflect.TypeOf(object.ptr).Elem()) {
		e := p.fieldError(secret)
		if len(errs) > 0 && errs[len(errs)-1].Error() == e.Error() {
			continue // A secret key's unknown fields, unnamed, read the same.
		}
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return errs
	}
	if err := json.Unmarshal([]byte(raw), object.ptr); err != nil {
		// Only a type that decodes itself gets here; its message may quote the value.
		allowed := "must be an object of the documented fields"
		if !secret {
			allowed += ": " + strings.TrimPrefix(err.Error(), "json: ")
		}
		return ValidationError{{Key: object.key, Value: shown(src, object.key, raw), Allowed: allowed}}
	}
	return nil
}
