package components

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pconfig "github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// Keys of jd-jones-secrets.
const (
	postgresPasswordKey     = "postgres-password"
	redisPasswordKey        = "redis-password"
	jwtSecretKey            = "jwt-secret"
	llmAPIKeyKey            = "llm-api-key"
	grafanaAdminPasswordKey = "grafana-admin-password"
)

// reloadAnnotation is Stakater Reloader's convention: a rollout of the workload when one of the named
// Secrets changes. Reloader reads it on the pod template as on the workload.
const reloadAnnotation = "secret.reloader.stakater.com/reload"

// Foundation is the namespace and what every layer reads: the shared ConfigMap, the shared Secret and
// the credentials in it.
type Foundation struct {
	pulumi.ResourceState

	// Namespace is the name of the platform's namespace.
	Namespace pulumi.StringOutput `pulumi:"namespace"`
	// GrafanaAdminPassword is the generated Grafana admin password, a secret.
	GrafanaAdminPassword pulumi.StringOutput `pulumi:"grafanaAdminPassword"`

	scope       scope
	credentials credentials
	// secrets are the values of jd-jones-secrets, for the data layer's configuration files.
	secrets map[string]pulumi.StringOutput
	// checksumKey keys every checksum of secret values; it stays in Pulumi's state, as a secret, only.
	checksumKey pulumi.StringOutput
	// chromaToken is the token Chroma's proxy requires, when the stack runs Chroma.
	chromaToken pulumi.StringOutput
	// written are the Secrets of credentials the stack writes; the others it only reads.
	written map[string]bool
	// rollout holds checksums of the shared ConfigMap and Secret, for the pod templates that read them.
	rollout pulumi.StringMap
}

// FoundationArgs configures the Foundation.
type FoundationArgs struct {
	// Config is the validated stack configuration.
	Config *config.Config
	// Instance is the app.kubernetes.io/instance label of every object.
	Instance string
}

// credential is a key of a Secret that holds one secret value.
type credential struct{ secret, key string }

// env reads the credential into an environment variable through secretKeyRef, never as a literal.
func (c credential) env(name string) corev1.EnvVarArgs {
	return corev1.EnvVarArgs{
		Name: pulumi.String(name),
		ValueFrom: corev1.EnvVarSourceArgs{
			SecretKeyRef: corev1.SecretKeySelectorArgs{Name: pulumi.String(c.secret), Key: pulumi.String(c.key)},
		},
	}
}

// credentials are where each secret the platform uses lives.
type credentials struct {
	postgres, redis, jwt, grafana credential
	// llm is nil when the provider needs no key.
	llm *credential
	// chroma is the token Chroma's proxy requires; nil for an external Chroma the stack has no token for.
	chroma *credential
}

// NewFoundation registers the namespace, jd-jones-config and jd-jones-secrets.
func NewFoundation(ctx *pulumi.Context, name string, args *FoundationArgs, opts ...pulumi.ResourceOption) (*Foundation, error) {
	f := &Foundation{}
	c := args.Config
	b, err := register(ctx, "Foundation", name, f, scope{instance: args.Instance}, opts...)
	if err != nil {
		return nil, err
	}
	ns, err := corev1.NewNamespace(ctx, b.child("namespace"), &corev1.NamespaceArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(c.Namespace), Labels: namespaceLabels(b.scope, c.Namespace, c.KubernetesVersion)},
	}, b.opts(dataProtection(c))...)
	if err != nil {
		return nil, fmt.Errorf("namespace %s: %w", c.Namespace, err)
	}
	f.Namespace = ns.Metadata.Name().Elem()
	f.scope = scope{namespace: f.Namespace, instance: args.Instance}
	b.scope = f.scope

	settingsRollout, err := f.sharedConfigMap(b, c)
	if err != nil {
		return nil, err
	}

	data, creds, err := f.secretData(b, c)
	if err != nil {
		return nil, err
	}
	f.credentials, f.secrets = creds, data
	f.written = map[string]bool{SecretName: true}
	key, err := random.NewRandomPassword(ctx, b.child("checksum-key"), &random.RandomPasswordArgs{
		Length:  pulumi.Int(64),
		Special: pulumi.Bool(false),
	}, b.opts(nil)...)
	if err != nil {
		return nil, fmt.Errorf("generating the checksum key: %w", err)
	}
	f.checksumKey = key.Result
	f.GrafanaAdminPassword = data[grafanaAdminPasswordKey]
	secretData := pulumi.StringMap{}
	for k, v := range data {
		secretData[k] = pulumi.ToSecret(v).(pulumi.StringOutput)
	}
	if _, err := corev1.NewSecret(ctx, b.child("secrets"), &corev1.SecretArgs{
		Metadata:   b.scope.meta(SecretName, "config"),
		Type:       pulumi.String("Opaque"),
		StringData: secretData,
	}, b.opts(nil)...); err != nil {
		return nil, fmt.Errorf("secret %s: %w", SecretName, err)
	}
	f.rollout = mergeAnnotations(settingsRollout, pulumi.StringMap{"checksum/" + SecretName: f.secretChecksum(data)})
	if c := f.credentials.chroma; c != nil && c.secret == chromaTokenSecret {
		// A Secret of its own: a new key in jd-jones-secrets would make the provider replace that Secret.
		token := ownedSecret{name: chromaTokenSecret, data: map[string]pulumi.StringOutput{chromaTokenKey: f.chromaToken}}
		_, rollout, err := b.ownedSecret(f, "config", token)
		if err != nil {
			return nil, err
		}
		f.rollout = mergeAnnotations(f.rollout, rollout)
		f.written[chromaTokenSecret] = true
	}
	return f, b.done(pulumi.Map{"namespace": f.Namespace, "grafanaAdminPassword": f.GrafanaAdminPassword})
}

// namespaceLabels enforce Pod Security "restricted" as the cluster's version defines it, so a cluster
// upgrade cannot tighten the rules under running pods unannounced; audit and warn follow the latest
// rules, so such a tightening shows in warnings and audit logs before it is enforced.
func namespaceLabels(s scope, name, kubernetesVersion string) pulumi.StringMap {
	l := s.labels(name, "namespace")
	for mode, version := range map[string]string{"enforce": kubernetesVersion, "audit": "latest", "warn": "latest"} {
		l["pod-security.kubernetes.io/"+mode] = pulumi.String("restricted")
		l["pod-security.kubernetes.io/"+mode+"-version"] = pulumi.String(version)
	}
	return l
}

// sharedSettings are the non-secret settings of jd-jones-config.
func sharedSettings(c *config.Config) map[string]string {
	host := func(d config.DataService, inCluster string) string {
		if d.IsExternal() {
			return d.Host
		}
		return inCluster
	}
	settings := map[string]string{
		"ENVIRONMENT":     string(c.Environment),
		"POSTGRES_HOST":   host(c.Postgres, PostgresName),
		"POSTGRES_PORT":   strconv.Itoa(c.Postgres.Port),
		"POSTGRES_DB":     c.Postgres.Database,
		"POSTGRES_USER":   c.Postgres.User,
		"REDIS_HOST":      host(c.Redis, RedisName),
		"REDIS_PORT":      strconv.Itoa(c.Redis.Port),
		"CHROMA_HOST":     host(c.Chroma, ChromaName),
		"CHROMA_PORT":     strconv.Itoa(c.Chroma.Port),
		"LLM_PROVIDER":    c.LLM.Provider,
		"LLM_MODEL":       c.LLM.Model,
		"EMBEDDING_MODEL": c.LLM.EmbeddingModel,
		"LLM_BASE_URL":    c.LLM.BaseURL,
		"MODEL_CACHE_DIR": modelCachePath,
	}
	maps.Copy(settings, uploadsSettings(c))
	maps.Copy(settings, tlsSettings(c))
	return settings
}

// secretSource says where one value of jd-jones-secrets comes from: the stack's secret config key when
// the stack supplies it, otherwise a generated password of the given length.
type secretSource struct {
	key, configKey string
	supplied       bool
	length         int
}

// secretData gathers the values of jd-jones-secrets and says where every credential is read from;
// credentials of external endpoints the stack does not supply stay in the Secrets that hold them.
func (f *Foundation) secretData(b *builder, c *config.Config) (map[string]pulumi.StringOutput, credentials, error) {
	data := map[string]pulumi.StringOutput{}
	own := func(src secretSource) (credential, error) {
		if src.supplied {
			data[src.key] = pconfig.RequireSecret(b.ctx, config.Project+":"+src.configKey)
			return credential{secret: SecretName, key: src.key}, nil
		}
		pw, err := random.NewRandomPassword(b.ctx, b.child(src.key), &random.RandomPasswordArgs{
			Length:  pulumi.Int(src.length),
			Special: pulumi.Bool(false),
		}, b.opts(nil)...)
		if err != nil {
			return credential{}, fmt.Errorf("generating %s: %w", src.key, err)
		}
		data[src.key] = pw.Result
		return credential{secret: SecretName, key: src.key}, nil
	}
	endpoint := func(d config.DataService, src secretSource) (credential, error) {
		if d.IsExternal() && !src.supplied {
			return credential{secret: d.PasswordSecret.Name, key: d.PasswordSecret.Key}, nil
		}
		return own(src)
	}
	var creds credentials
	var err error
	if creds.postgres, err = endpoint(c.Postgres, secretSource{postgresPasswordKey, config.PostgresPasswordKey, c.Supplied.PostgresPassword, 32}); err != nil {
		return nil, creds, err
	}
	if creds.redis, err = endpoint(c.Redis, secretSource{redisPasswordKey, config.RedisPasswordKey, c.Supplied.RedisPassword, 32}); err != nil {
		return nil, creds, err
	}
	if creds.jwt, err = own(secretSource{jwtSecretKey, config.JWTSecretKey, c.Supplied.JWTSecret, 64}); err != nil {
		return nil, creds, err
	}
	if creds.grafana, err = own(secretSource{key: grafanaAdminPasswordKey, length: 32}); err != nil {
		return nil, creds, err
	}
	switch {
	case c.Supplied.LLMAPIKey:
		llm, err := own(secretSource{key: llmAPIKeyKey, configKey: config.LLMAPIKeyKey, supplied: true})
		if err != nil {
			return nil, creds, err
		}
		creds.llm = &llm
	case c.LLM.APIKeySecret.IsSet():
		creds.llm = &credential{secret: c.LLM.APIKeySecret.Name, key: c.LLM.APIKeySecret.Key}
	}
	switch {
	case !c.Chroma.IsExternal():
		// Alphanumeric, so it needs no quoting in the proxy's configuration.
		token, err := random.NewRandomPassword(b.ctx, b.child(chromaTokenSecret), &random.RandomPasswordArgs{
			Length:  pulumi.Int(48),
			Special: pulumi.Bool(false),
		}, b.opts(nil)...)
		if err != nil {
			return nil, creds, fmt.Errorf("generating %s: %w", chromaTokenSecret, err)
		}
		f.chromaToken = token.Result
		creds.chroma = &credential{secret: chromaTokenSecret, key: chromaTokenKey}
	case c.Chroma.PasswordSecret.IsSet():
		creds.chroma = &credential{secret: c.Chroma.PasswordSecret.Name, key: c.Chroma.PasswordSecret.Key}
	}
	return data, creds, nil
}

// secretChecksum digests secret values, so rotating one rolls the pods that read them. It is an
// HMAC-SHA256 keyed by the stack's checksum key: without the key, a guess at a value (a supplied secret
// may be guessable) cannot be checked against the annotation, so the digest may stay plain and keep the
// workloads' diffs and rendered manifests free of secret markers.
func (f *Foundation) secretChecksum(data map[string]pulumi.StringOutput) pulumi.StringOutput {
	keys := slices.Sorted(maps.Keys(data))
	values := make([]any, 0, len(keys)+1)
	values = append(values, f.checksumKey)
	for _, k := range keys {
		values = append(values, data[k])
	}
	sum := pulumi.All(values...).ApplyT(func(vs []any) string {
		h := hmac.New(sha256.New, []byte(vs[0].(string)))
		for i, v := range vs[1:] {
			fmt.Fprintf(h, "%s\x00%s\x00", keys[i], v)
		}
		return hex.EncodeToString(h.Sum(nil))
	})
	return pulumi.Unsecret(sum).(pulumi.StringOutput)
}

// appCredential is a credential of the application image and the env var it is read into.
type appCredential struct {
	env        string
	credential credential
}

// appCredentials are the credentials every container running the application image reads.
func (f *Foundation) appCredentials() []appCredential {
	out := []appCredential{
		{"POSTGRES_PASSWORD", f.credentials.postgres},
		{"REDIS_PASSWORD", f.credentials.redis},
		{"JWT_SECRET", f.credentials.jwt},
	}
	if f.credentials.llm != nil {
		out = append(out, appCredential{"LLM_API_KEY", *f.credentials.llm})
	}
	if f.credentials.chroma != nil {
		out = append(out, appCredential{"CHROMA_TOKEN", *f.credentials.chroma})
	}
	return out
}

// appEnv is the environment of every container running the application image: the shared settings and
// each credential through secretKeyRef.
func (f *Foundation) appEnv() (corev1.EnvFromSourceArray, corev1.EnvVarArray) {
	from := corev1.EnvFromSourceArray{corev1.EnvFromSourceArgs{ConfigMapRef: corev1.ConfigMapEnvSourceArgs{Name: pulumi.String(ConfigMapName)}}}
	env := corev1.EnvVarArray{}
	for _, c := range f.appCredentials() {
		env = append(env, c.credential.env(c.env))
	}
	return from, env
}

// rolloutAnnotations are the annotations of a pod template that reads the shared ConfigMap and the
// application's credentials: the checksums of what the stack writes, and for the Secrets it only reads
// (synced by the platform's secret manager), Reloader's annotation naming them, since no checksum sees them.
func (f *Foundation) rolloutAnnotations() pulumi.StringMap {
	out := mergeAnnotations(f.rollout)
	external := map[string]bool{}
	for _, c := range f.appCredentials() {
		if !f.written[c.credential.secret] {
			external[c.credential.secret] = true
		}
	}
	if len(external) > 0 {
		out[reloadAnnotation] = pulumi.String(strings.Join(slices.Sorted(maps.Keys(external)), ","))
	}
	return out
}

// secretRolloutAnnotations are the checksum for a pod template that reads the shared Secret but not the
// shared ConfigMap, so a ConfigMap change does not roll it.
func (f *Foundation) secretRolloutAnnotations() pulumi.StringMap {
	key := "checksum/" + SecretName
	return pulumi.StringMap{key: f.rollout[key]}
}
