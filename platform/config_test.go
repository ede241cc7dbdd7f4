package platform

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

func TestBadConfigNamesTheKeyAndRegistersNothing(t *testing.T) {
	cases := []struct {
		name     string
		stack    string
		set      map[string]string // keys without the project prefix; "" deletes the key
		wantKey  string
		wantText string // a fragment of the message: the value and what is allowed
	}{
		{"an unknown environment is refused", "dev", map[string]string{"environment": "staging"}, "environment", `= "staging": must be one of dev, prod`},
		{"a missing environment is refused", "dev", map[string]string{"environment": ""}, "environment", "is required"},
		{"a namespace must be a DNS label", "dev", map[string]string{"namespace": "JD_Jones"}, "namespace", `= "JD_Jones": must be a DNS-1123 label`},
		{"a domain must be a DNS name", "dev", map[string]string{"domain": "not a domain!"}, "domain", "must be a DNS domain"},
		{"protectData must be a boolean", "dev", map[string]string{"protectData": "maybe"}, "protectData", `= "maybe": must be true or false`},
		{"an HPA floor below one is refused", "dev", map[string]string{"workloads": `{"api": {"minReplicas": 0}}`}, "workloads.api.minReplicas", "= 0: must be at least 1"},
		{"an HPA minimum above its maximum is refused", "dev", map[string]string{"workloads": `{"api": {"minReplicas": 5, "maxReplicas": 3}}`}, "workloads.api.maxReplicas", "= 3: must be at least minReplicas (5)"},
		{"an autoscaled workload takes no replica count", "dev", map[string]string{"workloads": `{"celeryWorker": {"replicas": 12}}`}, "workloads.celeryWorker.replicas", "is not a field of workloads.celeryWorker; did you mean minReplicas?"},
		{"a replica count below one is refused", "dev", map[string]string{"workloads": `{"externalPortal": {"replicas": 0}}`}, "workloads.externalPortal.replicas", "= 0: must be at least 1"},
		{"prod refuses a single portal replica", "prod", map[string]string{"workloads": `{"internalPortal": {"replicas": 1}}`}, "workloads.internalPortal.replicas", "must be at least 2 in prod"},
		{"prod refuses the review's worker floor of one", "prod", map[string]string{"workloads": `{"celeryWorker": {"minReplicas": 1}}`}, "workloads.celeryWorker.minReplicas", "must be at least 2 in prod"},
		{"an unparseable CPU quantity is refused", "dev", map[string]string{"workloads": `{"api": {"resources": {"requests": {"cpu": "lots"}}}}`}, "workloads.api.resources.requests.cpu", `= "lots": must be a Kubernetes quantity`},
		{"a request above its limit is refused", "dev", map[string]string{"workloads": `{"grafana": {"resources": {"requests": {"memory": "2Gi"}}}}`}, "workloads.grafana.resources.requests.memory", `= "2Gi": must not exceed limits.memory (512Mi)`},
		{"a utilization target above 100 is refused", "dev", map[string]string{"workloads": `{"api": {"targetCPUPercent": 150}}`}, "workloads.api.targetCPUPercent", "= 150: must be a utilization percentage between 1 and 100"},
		{"the latest tag is refused", "dev", map[string]string{"images": `{"api": "ghcr.io/jdjones/rag-api:latest"}`}, "images.api", "must not use the mutable tag latest"},
		{"an image without a tag is refused", "dev", map[string]string{"images": `{"grafana": "grafana/grafana"}`}, "images.grafana", "must carry an explicit tag"},
		{"a malformed digest is refused", "dev", map[string]string{"images": `{"redis": "redis@sha256:abc"}`}, "images.redis", "digest must be @sha256: followed by 64 hex characters"},
		{"an RWX class not declared RWX-capable is refused", "dev", map[string]string{"storage": `{"rwxClassName": "standard", "rwxCapableClasses": ["nfs-client"]}`}, "storage.rwxClassName", `= "standard": must be one of storage.rwxCapableClasses ["nfs-client"]`},
		{"a negative claim size is refused", "dev", map[string]string{"storage": `{"sizes": {"chromaData": "-5Gi"}}`}, "storage.sizes.chromaData", "must be greater than zero"},
		{"prod refuses an in-cluster Postgres", "prod", map[string]string{"postgres": `{"mode": "in-cluster"}`}, "postgres.mode", "must be external in prod"},
		{"prod refuses an in-cluster Redis", "prod", map[string]string{"redis": `{"mode": "in-cluster"}`}, "redis.mode", "must be external in prod"},
		{"an unknown data mode is refused", "dev", map[string]string{"postgres": `{"mode": "managed"}`}, "postgres.mode", `= "managed": must be one of in-cluster, external`},
		{"an external endpoint needs a host", "dev", map[string]string{"redis": `{"mode": "external", "passwordSecret": {"name": "r", "key": "k"}}`}, "redis.host", "must be the external endpoint's DNS name"},
		{"an external endpoint needs a credential", "dev", map[string]string{"postgres": `{"mode": "external", "host": "db.example.com"}`}, "postgres.passwordSecret", "is required when postgres.mode is external (or set the secret key postgresPassword)"},
		{"a port out of range is refused", "dev", map[string]string{"redis": `{"port": 70000}`}, "redis.port", "= 70000: must be a port number between 1 and 65535"},
		{"a keyed LLM provider needs a key", "dev", map[string]string{"llm": `{"provider": "openai"}`}, "llm.apiKeySecret", `is required for provider "openai"`},
		{"an unknown LLM provider is refused", "dev", map[string]string{"llm": `{"provider": "skynet", "baseUrl": "http://x.example.com"}`}, "llm.provider", `= "skynet": must be one of openai, azure-openai, anthropic, ollama`},
		{"an LLM base URL must be http(s)", "dev", map[string]string{"llm": `{"provider": "ollama", "baseUrl": "ftp://models.example.com"}`}, "llm.baseUrl", "must be an http(s) URL"},
		{"TLS is required on the ingress", "dev", map[string]string{"ingress": `{"clusterIssuer": ""}`}, "ingress.tlsSecretName", "every host needs TLS"},
		{"TLS has one source only", "dev", map[string]string{"ingress": `{"tlsSecretName": "jd-tls", "clusterIssuer": "letsencrypt-staging"}`}, "ingress.clusterIssuer", "not both"},
		{"a misspelt field is refused", "dev", map[string]string{"workloads": `{"api": {"replica": 3}}`}, "workloads.api.replica", "is not a field of workloads.api; did you mean minReplicas?"},
		{"an object key must hold an object", "dev", map[string]string{"images": `["nginx:1.27"]`}, "images", `= ["nginx:1.27"]: must be an object`},
		{"an empty worker command is refused", "dev", map[string]string{"commands": `{"worker": []}`}, "commands.worker", "must be a non-empty command"},
		{"a probe path must be absolute", "dev", map[string]string{"probes": `{"apiPath": "health"}`}, "probes.apiPath", `= "health": must be an HTTP path starting with /`},
		{"an external endpoint needs its address ranges", "dev", map[string]string{"postgres": `{"mode": "external", "host": "db.example.com", "passwordSecret": {"name": "db", "key": "pw"}}`}, "postgres.cidrs", "is required when postgres.mode is external"},
		{"an endpoint range must be a CIDR", "dev", map[string]string{"redis": `{"mode": "external", "host": "cache.example.com", "passwordSecret": {"name": "r", "key": "k"}, "cidrs": ["10.0.0.7"]}`}, "redis.cidrs", `"10.0.0.7" is not a CIDR`},
		{"an endpoint range may not be the whole internet", "dev", map[string]string{"redis": `{"mode": "external", "host": "cache.example.com", "passwordSecret": {"name": "r", "key": "k"}, "cidrs": ["10.0.0.0/8", "0.0.0.0/0"]}`}, "redis.cidrs", `"0.0.0.0/0" is every address`},
		{"an endpoint range may not reach the metadata endpoint", "dev", map[string]string{"postgres": `{"mode": "external", "host": "db.example.com", "passwordSecret": {"name": "db", "key": "pw"}, "cidrs": ["169.254.0.0/20"]}`}, "postgres.cidrs", "overlaps link-local addresses"},
		{"an IPv6 endpoint range may not reach link-local either", "dev", map[string]string{"postgres": `{"mode": "external", "host": "db.example.com", "passwordSecret": {"name": "db", "key": "pw"}, "cidrs": ["fe80::/64"]}`}, "postgres.cidrs", "overlaps link-local addresses"},
		{"an endpoint range must be written as its first address", "dev", map[string]string{"postgres": `{"mode": "external", "host": "db.example.com", "passwordSecret": {"name": "db", "key": "pw"}, "cidrs": ["10.40.32.7/20"]}`}, "postgres.cidrs", "write the range as 10.40.32.0/20"},
		{"an in-cluster service takes no address ranges", "dev", map[string]string{"redis": `{"cidrs": ["10.0.0.0/8"]}`}, "redis.cidrs", "is only for an external endpoint"},
		{"an in-cluster service serves no TLS", "dev", map[string]string{"redis": `{"tls": {"enabled": true}}`}, "redis.tls.enabled", "is only for an external endpoint"},
		{"prod refuses an external endpoint without TLS", "prod", map[string]string{"postgres": `{"mode": "external", "host": "db.example.com", "passwordSecret": {"name": "db", "key": "pw"}, "cidrs": ["10.40.32.0/20"], "tls": {"enabled": false}}`}, "postgres.tls.enabled", "= false: must be true in prod"},
		{"a CA bundle comes from one object", "dev", map[string]string{"postgres": `{"mode": "external", "host": "db.example.com", "passwordSecret": {"name": "db", "key": "pw"}, "cidrs": ["10.40.32.0/20"], "tls": {"enabled": true, "ca": {"configMap": "ca", "secret": "ca"}}}`}, "postgres.tls.ca.secret", "set either postgres.tls.ca.configMap or postgres.tls.ca.secret, not both"},
		{"a CA key needs its object", "dev", map[string]string{"postgres": `{"mode": "external", "host": "db.example.com", "passwordSecret": {"name": "db", "key": "pw"}, "cidrs": ["10.40.32.0/20"], "tls": {"enabled": true, "ca": {"key": "ca.pem"}}}`}, "postgres.tls.ca.key", "needs postgres.tls.ca.configMap or postgres.tls.ca.secret"},
		{"prod refuses the employee portal open to everyone", "prod", map[string]string{"ingress": `{"clusterIssuer": "letsencrypt-prod"}`}, "ingress.portalSourceRanges", "is required in prod"},
		{"portal source ranges are CIDRs", "dev", map[string]string{"ingress": `{"clusterIssuer": "letsencrypt-staging", "portalSourceRanges": ["office"]}`}, "ingress.portalSourceRanges", `"office" is not a CIDR`},
		{"an unknown ACME solver is refused", "dev", map[string]string{"ingress": `{"clusterIssuer": "letsencrypt-staging", "acmeSolver": "tls-alpn"}`}, "ingress.acmeSolver", `= "tls-alpn": must be one of http01, dns01`},
		{"a body size must be an nginx size", "dev", map[string]string{"ingress": `{"clusterIssuer": "letsencrypt-staging", "proxyBodySize": "100MB"}`}, "ingress.proxyBodySize", "must be an nginx size"},
		{"a read timeout must be positive", "dev", map[string]string{"ingress": `{"clusterIssuer": "letsencrypt-staging", "proxyReadTimeoutSeconds": 0}`}, "ingress.proxyReadTimeoutSeconds", "= 0: must be between 1 and 3600 seconds"},
		{"prod refuses a plaintext LLM URL", "prod", map[string]string{"llm": `{"provider": "openai", "baseUrl": "http://api.openai.com/v1", "apiKeySecret": {"name": "llm", "key": "k"}}`}, "llm.baseUrl", "must be https in prod"},
		{"an in-cluster LLM needs its namespace", "dev", map[string]string{"llm": `{"provider": "ollama", "model": "m", "embeddingModel": "e", "baseUrl": "http://ollama.ollama.svc.cluster.local:11434"}`}, "llm.baseUrl", "is a cluster address, which the internet egress excludes: set llm.namespace"},
		{"an LLM is reached by ranges or by namespace, not both", "dev", map[string]string{"llm": `{"provider": "ollama", "model": "m", "embeddingModel": "e", "baseUrl": "http://ollama.ollama:11434", "namespace": "ollama", "cidrs": ["10.0.0.0/8"]}`}, "llm.cidrs", "set either llm.cidrs or llm.namespace, not both"},
		{"the DNS selector must be labels", "dev", map[string]string{"network": `{"dns": {"podSelector": "k8s-app in (kube-dns)"}}`}, "network.dns.podSelector", "must be label=value pairs"},
		{"the DNS namespace must be a DNS label", "dev", map[string]string{"network": `{"dns": {"namespace": "Kube_System"}}`}, "network.dns.namespace", "must be a DNS-1123 label"},
		{"prod must protect its data", "prod", map[string]string{"protectData": "false"}, "protectData", "= false: must be true in prod"},
		{"the default namespace is not ours", "dev", map[string]string{"namespace": "default"}, "namespace", `= "default": must be a namespace of its own`},
		{"kube-system is not ours", "dev", map[string]string{"namespace": "kube-system"}, "namespace", "not one of Kubernetes's"},
		{"no kube-* namespace is ours", "dev", map[string]string{"namespace": "kube-flannel"}, "namespace", "not one of Kubernetes's"},
		{"the ingress controller's namespace is not ours", "dev", map[string]string{"namespace": "ingress-nginx"}, "namespace", "must not be the namespace of ingress.controllerNamespace"},
		{"the LLM's namespace is not ours", "dev", map[string]string{"namespace": "ollama"}, "namespace", "must not be the namespace of llm.namespace"},
		{"an in-cluster Postgres serves on its own port", "dev", map[string]string{"postgres": `{"port": 5433}`}, "postgres.port", "= 5433: must be 5432, the port the in-cluster postgres serves on"},
		{"an in-cluster Redis serves on its own port", "dev", map[string]string{"redis": `{"port": 6380}`}, "redis.port", "must be 6379"},
		{"memory in milli-units is refused", "dev", map[string]string{"workloads": `{"grafana": {"resources": {"requests": {"memory": "512m"}}}}`}, "workloads.grafana.resources.requests.memory", `= "512m": is 0.512 bytes`},
		{"a CPU beyond a node is refused", "dev", map[string]string{"workloads": `{"api": {"resources": {"limits": {"cpu": "64"}}}}`}, "workloads.api.resources.limits.cpu", `= "64": must not exceed limits.cpu (16)`},
		{"memory beyond a node is refused", "dev", map[string]string{"workloads": `{"chroma": {"resources": {"limits": {"memory": "512Gi"}}}}`}, "workloads.chroma.resources.limits.memory", `must not exceed limits.memory (64Gi)`},
		{"the ceilings are configurable", "dev", map[string]string{"limits": `{"cpu": "8"}`, "workloads": `{"api": {"resources": {"limits": {"cpu": "12"}}}}`}, "workloads.api.resources.limits.cpu", `must not exceed limits.cpu (8)`},
		{"an HPA maximum beyond the ceiling is refused", "dev", map[string]string{"workloads": `{"api": {"maxReplicas": 500}}`}, "workloads.api.maxReplicas", "= 500: must not exceed limits.replicas (50)"},
		{"a replica count beyond the ceiling is refused", "dev", map[string]string{"workloads": `{"externalPortal": {"replicas": 51}}`}, "workloads.externalPortal.replicas", "must not exceed limits.replicas (50)"},
		{"a data claim under 1Gi is refused", "dev", map[string]string{"storage": `{"sizes": {"postgresData": "500Mi"}}`}, "storage.sizes.postgresData", "must be at least 1Gi"},
		{"a data claim without a unit is refused", "dev", map[string]string{"storage": `{"sizes": {"redisData": "20"}}`}, "storage.sizes.redisData", "must be at least 1Gi"},
		{"an uppercase image repository is refused", "dev", map[string]string{"images": `{"api": "GHCR.io/JDJones/API:1.0"}`}, "images.api", "repository must be lowercase"},
		{"an empty image repository is refused", "dev", map[string]string{"images": `{"api": ":1.0"}`}, "images.api", "must be an image reference"},
		{"an ingress class must be a DNS name", "dev", map[string]string{"ingress": `{"className": "Nginx Public", "clusterIssuer": "letsencrypt-staging"}`}, "ingress.className", "must name an IngressClass"},
		{"a cluster issuer must be a DNS name", "dev", map[string]string{"ingress": `{"clusterIssuer": "LetsEncrypt_Prod"}`}, "ingress.clusterIssuer", "must name a cert-manager ClusterIssuer"},
		{"a database name carrying URL syntax is refused", "dev", map[string]string{"postgres": `{"database": "jdjones?sslmode=disable"}`}, "postgres.database", "must name the database as a plain Postgres identifier"},
		{"a role carrying URL syntax is refused", "dev", map[string]string{"postgres": `{"user": "admin@evil.example.com/x"}`}, "postgres.user", "must name the database role as a plain Postgres identifier"},
		{"a domain label over 63 characters is refused", "dev", map[string]string{"domain": strings.Repeat("a", 64) + ".example.com"}, "domain", "must be a DNS label"},
		{"a probe that cannot fail is refused", "dev", map[string]string{"probes": `{"workerLiveness": ["true"]}`}, "probes.workerLiveness", "always succeeds"},
		{"a shell probe that cannot fail is refused", "dev", map[string]string{"probes": `{"beatReadiness": ["sh", "-c", "exit 0"]}`}, "probes.beatReadiness", "always succeeds"},
		{"a probe that swallows its failure is refused", "dev", map[string]string{"probes": `{"workerReadiness": ["sh", "-c", "test -e /tmp/worker_ready || true"]}`}, "probes.workerReadiness", "always succeeds"},
		{"Pod Security's version must be a minor version", "dev", map[string]string{"kubernetesVersion": "latest"}, "kubernetesVersion", `= "latest": must be the cluster's minor version such as v1.34`},
		{"a worker's grace period must be bounded", "dev", map[string]string{"workloads": `{"celeryWorker": {"terminationGracePeriodSeconds": 0}}`}, "workloads.celeryWorker.terminationGracePeriodSeconds", "= 0: must be between 1 and 3600 seconds"},
		{"a snapshot schedule needs its class", "dev", map[string]string{"backups": `{"schedule": "0 3 * * *", "apiServerCIDRs": ["10.0.0.0/24"]}`}, "backups.snapshotClass", "must name the VolumeSnapshotClass of the data claims when backups.schedule is set"},
		{"a snapshot schedule needs the API server's ranges", "dev", map[string]string{"backups": `{"schedule": "0 3 * * *", "snapshotClass": "csi"}`}, "backups.apiServerCIDRs", "is required when backups.schedule is set"},
		{"a snapshot schedule is a cron line", "dev", map[string]string{"backups": `{"schedule": "every night", "snapshotClass": "csi", "apiServerCIDRs": ["10.0.0.0/24"]}`}, "backups.schedule", "must be a cron schedule of five fields"},
		{"snapshots are kept at least once", "dev", map[string]string{"backups": `{"keep": 0}`}, "backups.keep", "= 0: must be between 1 and 100"},
		{"a restore needs a claim of this stack", "prod", map[string]string{"backups": `{"restoreFrom": {"postgresData": "pg-snap"}}`}, "backups.restoreFrom.postgresData", "the service is external"},
		{"a restore names a snapshot", "dev", map[string]string{"backups": `{"restoreFrom": {"chromaData": "Chroma Snapshot"}}`}, "backups.restoreFrom.chromaData", "must name a VolumeSnapshot"},
		{"prod names its cluster", "prod", map[string]string{"cluster": `{}`}, "cluster.context", "is required in prod (or the secret key kubeconfig)"},
		{"a context is a name", "dev", map[string]string{"cluster": `{"context": "my cluster"}`}, "cluster.context", "must be a context name of the kubeconfig"},
		{"cluster ranges are CIDRs", "dev", map[string]string{"network": `{"clusterCIDRs": ["pods"]}`}, "network.clusterCIDRs", `"pods" is not a CIDR`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := stacktest.StackConfig(tc.stack)
			require.NoError(t, err)
			for k, v := range tc.set {
				if v == "" {
					delete(cfg, config.Project+":"+k)
				} else {
					cfg[config.Project+":"+k] = v
				}
			}
			rec, err := stacktest.Run(tc.stack, cfg, Program)
			require.Error(t, err)
			var verr config.ValidationError
			require.True(t, errors.As(err, &verr), "a ValidationError, got %v", err)
			assert.Contains(t, verr.Keys(), tc.wantKey)
			assert.Contains(t, err.Error(), "config jd-jones-rag-infra:"+tc.wantKey)
			assert.Contains(t, err.Error(), tc.wantText)
			assert.Empty(t, rec.Resources, "nothing is registered when the config is bad")
		})
	}
}

func TestACredentialInPlaintextIsRefusedWithTheCommandToEncryptIt(t *testing.T) {
	for _, key := range config.SecretKeys {
		t.Run(key, func(t *testing.T) {
			cfg, err := stacktest.StackConfig("dev")
			require.NoError(t, err)
			cfg[config.Project+":"+key] = "hunter2-in-plaintext"
			rec, err := stacktest.RunWithSecretKeys("dev", cfg, nil, Program)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "config jd-jones-rag-infra:"+key+" = [secret]: is a credential stored in plaintext")
			assert.Contains(t, err.Error(), "pulumi config set --secret "+key+" <value>")
			assert.NotContains(t, err.Error(), "hunter2")
			assert.Empty(t, rec.Resources)
			// The compliant twin: the same value, encrypted, is accepted.
			_, err = stacktest.RunWithSecretKeys("dev", cfg, []string{config.Project + ":" + key}, Program)
			assert.NoError(t, err)
		})
	}
}

func TestASecretObjectKeyIsNeverPrintedEvenWhenMalformed(t *testing.T) {
	cfg, err := stacktest.StackConfig("dev")
	require.NoError(t, err)
	// An operator who set the whole postgres object as a secret, with a typo in a field name.
	cfg[config.Project+":postgres"] = `{"mode": "external", "hots": "db.example.com", "password": "hunter2-do-not-print"}`
	_, err = stacktest.RunWithSecretKeys("dev", cfg, []string{config.Project + ":postgres"}, Program)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "config jd-jones-rag-infra:postgres = [secret]: has an unknown field (not named: the key is a secret); the fields are mode, host, port")
	assert.Equal(t, 1, strings.Count(err.Error(), "has an unknown field"), "two unknown fields read the same when not named: once is enough")
	assert.NotContains(t, err.Error(), "hunter2")
	assert.NotContains(t, err.Error(), "hots", "a field name the author wrote may carry the value")
}

func TestAKeyOfTheProjectThatTheProgramDoesNotReadIsRefused(t *testing.T) {
	cfg, err := stacktest.StackConfig("dev")
	require.NoError(t, err)
	cfg[config.Project+":protectdata"] = "true"
	raw, err := json.Marshal(cfg)
	require.NoError(t, err)
	// As the CLI's language host hands a program its whole configuration.
	t.Setenv(pulumi.EnvConfig, string(raw))
	rec, err := stacktest.Run("dev", cfg, Program)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "config jd-jones-rag-infra:protectdata is not a key of this program; did you mean protectData?")
	assert.Empty(t, rec.Resources)
}

func TestSecretValuesNeverAppearInConfigErrors(t *testing.T) {
	cfg, err := stacktest.StackConfig("dev")
	require.NoError(t, err)
	cfg[config.Project+":"+config.PostgresPasswordKey] = "hunter2-do-not-print"
	cfg[config.Project+":postgres"] = `{"mode": "external", "host": "db.example.com", "passwordSecret": {"name": "db", "key": "pw"}}`
	_, err = stacktest.Run("dev", cfg, Program)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "postgres.passwordSecret")
	assert.NotContains(t, err.Error(), "hunter2")
}

func TestEveryConfigKeyIsDeclaredInPulumiYaml(t *testing.T) {
	declared, err := stacktest.DeclaredConfig()
	require.NoError(t, err)
	read := slices.Concat(config.ScalarKeys, config.ObjectKeys)
	names := make([]string, 0, len(declared))
	for name := range declared {
		if !strings.Contains(name, ":") { // namespaced keys set a provider's config, e.g. kubernetes:
			names = append(names, name)
		}
	}
	assert.ElementsMatch(t, read, names, "Pulumi.yaml declares exactly the non-secret keys the program reads")
	project, err := os.ReadFile(filepath.Join(stacktest.RepoRoot(), "Pulumi.yaml"))
	require.NoError(t, err)
	for _, key := range config.SecretKeys {
		assert.Contains(t, string(project), key, "the optional secret %s is documented in Pulumi.yaml", key)
	}
	for name, decl := range declared {
		if strings.Contains(name, ":") {
			continue
		}
		assert.NotEmpty(t, decl.Description, "%s has a description", name)
		assert.NotNil(t, decl.Type, "%s has a type", name)
	}
	assert.Nil(t, declared[config.EnvironmentKey].Default, "environment has no default, so every stack must set it")
}
