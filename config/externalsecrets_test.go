package config_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// prodWith loads prod's committed configuration with overrides: a key without the project prefix, or
// object.field for one field of an object.
func prodWith(t *testing.T, overrides map[string]string) (*config.Config, error) {
	t.Helper()
	cfg, err := stacktest.StackConfig("prod")
	require.NoError(t, err)
	src := config.MapSource{Values: map[string]string{}}
	for k, v := range cfg {
		src.Values[strings.TrimPrefix(k, config.Project+":")] = v
	}
	for k, v := range overrides {
		object, field, ok := strings.Cut(k, ".")
		if !ok {
			src.Values[k] = v
			continue
		}
		// object.field sets one field of the stack's object, keeping the others.
		fields := map[string]any{}
		require.NoError(t, json.Unmarshal([]byte(src.Values[object]), &fields))
		fields[field] = v
		b, err := json.Marshal(fields)
		require.NoError(t, err)
		src.Values[object] = string(b)
	}
	return config.LoadFrom(src)
}

// refusals are the messages of a ValidationError, one per refused value.
func refusals(t *testing.T, err error) string {
	t.Helper()
	var verr config.ValidationError
	require.True(t, errors.As(err, &verr), "a ValidationError, got %v", err)
	return verr.Error()
}

// prodKeys maps every key prod reads from the two synced Secrets.
const prodKeys = `{"jd-jones-managed-data": {"postgres-password": "prod/rds/password", "redis-password": "prod/elasticache/auth"}, "jd-jones-llm": {"api-key": "prod/openai/api-key"}}`

func TestExternalSecretsMapEveryKeyTheStackReads(t *testing.T) {
	c, err := prodWith(t, map[string]string{"externalSecrets": `{"store": {"kind": "ClusterSecretStore", "name": "aws-secrets-manager"}, "keys": ` + prodKeys + `}`})
	require.NoError(t, err)
	assert.True(t, c.ExternalSecrets.Enabled())
	assert.Equal(t, "1h", c.ExternalSecrets.RefreshInterval, "the default interval")
	assert.Equal(t, map[string]map[string]string{
		"jd-jones-managed-data": {"postgres-password": "postgres.passwordSecret", "redis-password": "redis.passwordSecret"},
		"jd-jones-llm":          {"api-key": "llm.apiKeySecret"},
	}, c.SecretReads())

	off, err := prodWith(t, nil)
	require.NoError(t, err)
	assert.False(t, off.ExternalSecrets.Enabled(), "no store, no ExternalSecrets")
}

func TestExternalSecretsRefuseWhatTheyMustNotSync(t *testing.T) {
	store := `"store": {"kind": "ClusterSecretStore", "name": "aws-secrets-manager"}`
	cases := []struct {
		name, externalSecrets string
		refused               []string
	}{
		{"a key the stack reads but keys leave unmapped is refused, naming it",
			`{` + store + `, "keys": {"jd-jones-managed-data": {"postgres-password": "prod/rds/password"}, "jd-jones-llm": {"api-key": "k"}}}`,
			[]string{`externalSecrets.keys.jd-jones-managed-data must map the key "redis-password", which redis.passwordSecret reads from jd-jones-managed-data`}},
		{"a Secret the stack does not read from outside cannot be synced",
			`{` + store + `, "keys": ` + strings.TrimSuffix(prodKeys, "}") + `, "jd-jones-secrets": {"jwt-secret": "stolen"}}}`,
			[]string{"externalSecrets.keys.jd-jones-secrets names a Secret the stack does not read from outside; only jd-jones-llm, jd-jones-managed-data may be synced"}},
		{"a store kind other than the two is refused",
			`{"store": {"kind": "Vault", "name": "v"}, "keys": ` + prodKeys + `}`,
			[]string{`externalSecrets.store.kind = "Vault": must be one of SecretStore, ClusterSecretStore`}},
		{"a store without a name is refused",
			`{"store": {"kind": "SecretStore"}, "keys": ` + prodKeys + `}`,
			[]string{`externalSecrets.store.name = "": must name the SecretStore`}},
		{"a refresh interval that is no Go duration is refused",
			`{` + store + `, "refreshInterval": "1 hour", "keys": ` + prodKeys + `}`,
			[]string{`externalSecrets.refreshInterval = "1 hour": must be a Go duration`}},
		{"a remote key left empty is refused",
			`{` + store + `, "keys": {"jd-jones-managed-data": {"postgres-password": "", "redis-password": "r"}, "jd-jones-llm": {"api-key": "k"}}}`,
			[]string{`externalSecrets.keys.jd-jones-managed-data.postgres-password = "": must name the store's remote key`}},
		{"keys without a store are refused",
			`{"keys": ` + prodKeys + `}`,
			[]string{"externalSecrets.keys needs externalSecrets.store to name the store they are read from"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := prodWith(t, map[string]string{"externalSecrets": tc.externalSecrets})
			require.Error(t, err)
			msg := refusals(t, err)
			for _, want := range tc.refused {
				assert.Contains(t, msg, want)
			}
		})
	}
}

func TestStackReferenceSuppliesTheHostsOrNothing(t *testing.T) {
	noHosts := map[string]string{
		"postgres.host": "", "redis.host": "",
	}
	withRef := func(ref string, extra map[string]string) map[string]string {
		out := map[string]string{"stackReference": ref}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	c, err := prodWith(t, withRef(`{"name": "jdjones/cloud/prod", "postgresHost": "rdsEndpoint", "redisHost": "redisEndpoint"}`, noHosts))
	require.NoError(t, err, "hosts from the referenced stack instead of config")
	assert.True(t, c.StackReference.Enabled())

	cases := []struct {
		name      string
		overrides map[string]string
		refused   string
	}{
		{"the output names are required when the reference is set",
			withRef(`{"name": "jdjones/cloud/prod", "postgresHost": "rdsEndpoint"}`, noHosts),
			"stackReference.redisHost must name the output of jdjones/cloud/prod holding the host, since redis is external"},
		{"a host in config at the same time is refused",
			withRef(`{"name": "jdjones/cloud/prod", "postgresHost": "rdsEndpoint", "redisHost": "redisEndpoint"}`, map[string]string{"redis.host": ""}),
			"postgres.host = \"jd-jones-rag.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com\": must be unset when stackReference.name supplies it"},
		{"a name that is not org/project/stack is refused",
			withRef(`{"name": "prod", "postgresHost": "rdsEndpoint", "redisHost": "redisEndpoint"}`, noHosts),
			`stackReference.name = "prod": must be the fully qualified stack name org/project/stack`},
		{"output names without a reference are refused",
			withRef(`{"postgresHost": "rdsEndpoint"}`, nil),
			"stackReference.postgresHost = \"rdsEndpoint\": needs stackReference.name"},
		{"without a reference an external endpoint still needs its host",
			noHosts,
			`postgres.host = "": must be the external endpoint's DNS name`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := prodWith(t, tc.overrides)
			require.Error(t, err)
			assert.Contains(t, refusals(t, err), tc.refused)
		})
	}
}

func TestExternalSecretsSyncTheBucketsKeysButNoSecretThePlatformWrites(t *testing.T) {
	const store = `"store": {"kind": "ClusterSecretStore", "name": "aws-secrets-manager"}`
	synced := func(extra string) map[string]string {
		return map[string]string{"externalSecrets": `{` + store + `, "keys": ` + strings.TrimSuffix(prodKeys, "}") + `, ` + extra + `}}`}
	}
	inSecret := func(name string) string { return `{` + bucket + `, "credentialsSecret": {"name": "` + name + `"}}` }

	c, err := withUploads(t, "prod", inSecret("uploads-s3"), synced(`"uploads-s3": {"AWS_ACCESS_KEY_ID": "prod/s3/id", "AWS_SECRET_ACCESS_KEY": "prod/s3/secret"}`))
	require.NoError(t, err)
	assert.Equal(t, []string{"jd-jones-llm", "jd-jones-managed-data", "uploads-s3"}, c.SyncableSecrets())
	assert.Equal(t, map[string]string{
		"AWS_ACCESS_KEY_ID":     "storage.uploads.credentialsSecret.accessKeyIdKey",
		"AWS_SECRET_ACCESS_KEY": "storage.uploads.credentialsSecret.secretAccessKeyKey",
	}, c.SecretReads()["uploads-s3"], "an ExternalSecret may have to supply the bucket's keys")

	_, err = withUploads(t, "prod", inSecret("uploads-s3"), synced(`"uploads-s3": {"AWS_ACCESS_KEY_ID": "prod/s3/id"}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `externalSecrets.keys.uploads-s3 must map the key "AWS_SECRET_ACCESS_KEY", which storage.uploads.credentialsSecret.secretAccessKeyKey reads from uploads-s3`)

	// The bucket's keys named after a Secret the platform writes: syncing it would take that Secret over.
	_, err = withUploads(t, "prod", inSecret("jd-jones-secrets"), synced(`"jd-jones-secrets": {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "externalSecrets.keys.jd-jones-secrets names a Secret the stack does not read from outside; only jd-jones-llm, jd-jones-managed-data may be synced")

	// Without a bucket, its Secret is not the stack's to sync.
	_, err = prodWith(t, synced(`"uploads-s3": {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "externalSecrets.keys.uploads-s3 names a Secret the stack does not read from outside")
}
