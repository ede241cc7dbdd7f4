package config

import (
	"maps"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"
)

// ExternalSecrets syncs the Secrets the stack reads but does not create (jd-jones-managed-data,
// jd-jones-llm, the bucket's keys, the collector's headers) from a secret store through the External
// Secrets Operator, instead of out of band.
type ExternalSecrets struct {
	// Store is the SecretStore or ClusterSecretStore to read from; unset turns ExternalSecrets off.
	Store SecretStoreRef `json:"store"`
	// RefreshInterval is how often the operator re-reads the store (a Go duration, e.g. 1h; 0 syncs once).
	RefreshInterval string `json:"refreshInterval"`
	// Keys maps each key of each synced Secret to the store's remote key: {secret: {key: remoteKey}}.
	// Only Secrets the stack reads but does not create may be synced (jd-jones-managed-data, jd-jones-llm,
	// and those named by storage.uploads.credentialsSecret and telemetry.otlp.headers), never one the
	// platform writes, and every key the stack reads from a synced Secret must be mapped.
	Keys map[string]map[string]string `json:"keys"`
}

// SecretStoreRef names a SecretStore (in the namespace) or a ClusterSecretStore.
type SecretStoreRef struct {
	// Kind is the store's kind.
	Kind string `json:"kind" enum:"SecretStore,ClusterSecretStore"`
	// Name is the store's name.
	Name string `json:"name"`
}

// StackReference takes the external endpoints' hosts from another stack's outputs (the cloud stack that
// created RDS and ElastiCache) instead of hard-coded hosts.
type StackReference struct {
	// Name is the stack's fully qualified name, org/project/stack; unset turns the reference off.
	Name string `json:"name"`
	// PostgresHost and RedisHost name the outputs holding the endpoints' hosts.
	PostgresHost string `json:"postgresHost"`
	RedisHost    string `json:"redisHost"`
}

// The Secrets an ExternalSecret may write: the ones the stack reads but does not create. Any other name
// is refused, so a stack cannot take over a Secret the platform owns (jd-jones-secrets) or another's.
const (
	// ExternalDataSecret holds the external data services' passwords; the Secret's name is the one stacks
	// already sync, so it keeps the word managed.
	ExternalDataSecret = "jd-jones-managed-data"
	// LLMSecret holds the LLM provider's API key.
	LLMSecret = "jd-jones-llm"
)

// ExternalSecretNames are the Secrets externalSecrets.keys may always name; SyncableSecrets adds those
// the configuration names.
var ExternalSecretNames = []string{ExternalDataSecret, LLMSecret}

// SyncableSecrets are the Secrets externalSecrets.keys may name, sorted: ExternalSecretNames and every
// other Secret the stack reads but does not create, but none the platform writes (PlatformSecrets).
func (c *Config) SyncableSecrets() []string {
	names := slices.Clone(ExternalSecretNames)
	for name := range c.SecretReads() {
		if !slices.Contains(names, name) && !slices.Contains(PlatformSecrets, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// The kinds of store an ExternalSecret may read from.
const (
	SecretStoreKind        = "SecretStore"
	ClusterSecretStoreKind = "ClusterSecretStore"
)

// defaultRefreshInterval is how often the operator re-reads the store unless configured.
const defaultRefreshInterval = "1h"

// Enabled reports whether the stack registers ExternalSecrets: a store is named.
func (e ExternalSecrets) Enabled() bool { return e.Store.Kind != "" || e.Store.Name != "" }

// Enabled reports whether the external endpoints' hosts come from another stack.
func (s StackReference) Enabled() bool { return s.Name != "" }

// SecretReads are the keys the stack reads from Secrets it does not create, by Secret, each with the
// config key that names it: what an ExternalSecret must supply.
func (c *Config) SecretReads() map[string]map[string]string {
	out := map[string]map[string]string{}
	read := func(ref *SecretRef) {
		if out[ref.Name] == nil {
			out[ref.Name] = map[string]string{}
		}
		out[ref.Name][ref.Key] = c.keyOf(ref)
	}
	for _, s := range []struct {
		svc      *DataService
		supplied bool
	}{{&c.Postgres, c.Supplied.PostgresPassword}, {&c.Redis, c.Supplied.RedisPassword}, {&c.Chroma, false}} {
		if s.svc.IsExternal() && !s.supplied && s.svc.PasswordSecret.IsSet() {
			read(&s.svc.PasswordSecret)
		}
	}
	if !c.Supplied.LLMAPIKey && c.LLM.APIKeySecret.IsSet() {
		read(&c.LLM.APIKeySecret)
	}
	if c.Telemetry.OTLP.Enabled() && c.Telemetry.OTLP.Headers.IsSet() {
		read(&c.Telemetry.OTLP.Headers)
	}
	if u := &c.Storage.Uploads; u.Mode == UploadsOnS3 && u.Credentials == S3CredentialsSecret && u.CredentialsSecret.Name != "" {
		s := &u.CredentialsSecret
		if out[s.Name] == nil {
			out[s.Name] = map[string]string{}
		}
		for _, key := range []*string{&s.AccessKeyIDKey, &s.SecretAccessKeyKey} {
			out[s.Name][*key] = c.keyOf(key)
		}
	}
	return out
}

// validateExternalSecrets checks the store, the interval and that keys maps exactly into the two
// synced Secrets and covers every key the stack reads from them.
func (c *Config) validateExternalSecrets(v *validator) {
	e := &c.ExternalSecrets
	keysKey := c.keyOf(&e.Keys)
	if !e.Enabled() {
		if len(e.Keys) > 0 {
			v.fail(keysKey, nil, "needs %s to name the store they are read from", c.keyOf(&e.Store))
		}
		return
	}
	if e.Store.Kind != SecretStoreKind && e.Store.Kind != ClusterSecretStoreKind {
		v.refuse(&e.Store.Kind, "must be one of %s, %s", SecretStoreKind, ClusterSecretStoreKind)
	}
	if msgs := validation.IsDNS1123Subdomain(e.Store.Name); len(msgs) > 0 {
		v.refuse(&e.Store.Name, "must name the %s: %s", e.Store.Kind, strings.Join(msgs, "; "))
	}
	if d, err := time.ParseDuration(e.RefreshInterval); err != nil || d < 0 {
		v.refuse(&e.RefreshInterval, "must be a Go duration such as 1h or 15m (0 syncs once)")
	}
	syncable := c.SyncableSecrets()
	if len(e.Keys) == 0 {
		v.fail(keysKey, nil, "must map the keys of %s to the store's remote keys", strings.Join(syncable, " or "))
	}
	for _, secret := range slices.Sorted(maps.Keys(e.Keys)) {
		if !slices.Contains(syncable, secret) {
			v.fail(keysKey+"."+secret, nil, "names a Secret the stack does not read from outside; only %s may be synced", strings.Join(syncable, ", "))
			continue
		}
		if len(e.Keys[secret]) == 0 {
			v.fail(keysKey+"."+secret, nil, "must map at least one key")
		}
		for _, key := range slices.Sorted(maps.Keys(e.Keys[secret])) {
			if msgs := validation.IsConfigMapKey(key); len(msgs) > 0 {
				v.fail(keysKey+"."+secret, key, "must use Secret keys: %s", strings.Join(msgs, "; "))
			}
			if strings.TrimSpace(e.Keys[secret][key]) == "" {
				v.fail(keysKey+"."+secret+"."+key, "", "must name the store's remote key")
			}
		}
	}
	reads := c.SecretReads()
	for _, secret := range slices.Sorted(maps.Keys(e.Keys)) {
		for _, key := range slices.Sorted(maps.Keys(reads[secret])) {
			if _, ok := e.Keys[secret][key]; !ok {
				v.fail(keysKey+"."+secret, nil, "must map the key %q, which %s reads from %s", key, reads[secret][key], secret)
			}
		}
	}
}

// validateStackReference requires the output names when another stack supplies the hosts, and refuses
// a host in config at the same time (two sources of one value).
func (c *Config) validateStackReference(v *validator) {
	s := &c.StackReference
	if !s.Enabled() {
		for _, out := range []*string{&s.PostgresHost, &s.RedisHost} {
			if *out != "" {
				v.refuse(out, "needs %s, the stack whose output it names", c.keyOf(&s.Name))
			}
		}
		return
	}
	if parts := strings.Split(s.Name, "/"); len(parts) != 3 || slices.Contains(parts, "") {
		v.refuse(&s.Name, "must be the fully qualified stack name org/project/stack")
	}
	for _, ref := range []struct {
		output *string
		svc    *DataService
	}{{&s.PostgresHost, &c.Postgres}, {&s.RedisHost, &c.Redis}} {
		switch {
		case !ref.svc.IsExternal():
			if *ref.output != "" {
				v.refuse(ref.output, "is only for an external %s", c.keyOf(ref.svc))
			}
		case *ref.output == "":
			v.fail(c.keyOf(ref.output), nil, "must name the output of %s holding the host, since %s is external", s.Name, c.keyOf(ref.svc))
		case ref.svc.Host != "":
			v.refuse(&ref.svc.Host, "must be unset when %s supplies it (%s): one source per value", c.keyOf(&s.Name), c.keyOf(ref.output))
		}
	}
}

// hostFromStackReference reports whether the stack reference supplies svc's host (validated there).
func (c *Config) hostFromStackReference(svc *DataService) bool {
	s := c.StackReference
	return s.Enabled() && (svc == &c.Postgres && s.PostgresHost != "" || svc == &c.Redis && s.RedisHost != "")
}
