package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Source yields raw stack config values by key (without the project prefix).
type Source interface {
	Get(key string) (string, bool)
}

// contextSource reads the running stack's config.
type contextSource struct{ ctx *pulumi.Context }

func (s contextSource) Get(key string) (string, bool) { return s.ctx.GetConfig(Project + ":" + key) }

// MapSource is a Source over a plain map, for tools and tests.
type MapSource map[string]string

// Get returns the value of key.
func (m MapSource) Get(key string) (string, bool) { v, ok := m[key]; return v, ok }

// Load reads and validates the running stack's configuration. It registers nothing, so a bad
// value stops the program before any resource exists.
func Load(ctx *pulumi.Context) (*Config, error) {
	return LoadFrom(contextSource{ctx})
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
	if v, ok := src.Get(ProtectDataKey); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, &FieldError{Key: ProtectDataKey, Value: v, Allowed: "must be true or false"})
		}
		c.ProtectData = b
	}
	for _, object := range fields(&c) {
		if raw, ok := src.Get(object.key); ok {
			if err := decodeStrict(raw, object.ptr); err != nil {
				errs = append(errs, &FieldError{Key: object.key, Value: raw, Allowed: "must be an object of the documented fields: " + err.Error()})
			}
		}
	}
	c.Supplied = SuppliedSecrets{
		PostgresPassword: isSet(src, PostgresPasswordKey),
		RedisPassword:    isSet(src, RedisPasswordKey),
		JWTSecret:        isSet(src, JWTSecretKey),
		LLMAPIKey:        isSet(src, LLMAPIKeyKey),
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

// decodeStrict overlays raw JSON on target, refusing fields target does not have.
func decodeStrict(raw string, target any) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(target); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}
