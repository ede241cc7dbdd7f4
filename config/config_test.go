package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestImageReferencesMustBePinned(t *testing.T) {
	digest := "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	cases := []struct {
		ref, problem string
	}{
		{"redis:7.4.2-alpine", ""},
		{"registry.example.com:5000/team/api:1.2.3", ""},
		{"grafana/grafana@" + digest, ""},
		{"grafana/grafana:11.5.2@" + digest, ""},
		{"", "must be an image reference repo:tag or repo@sha256:digest"},
		{"grafana/grafana", "must carry an explicit tag (repo:tag) or digest (repo@sha256:...)"},
		{"registry.example.com:5000/team/api", "must carry an explicit tag (repo:tag) or digest (repo@sha256:...)"},
		{"nginx:latest", "must not use the mutable tag latest; pin a version tag or digest"},
		{"nginx:", "must carry an explicit tag (repo:tag) or digest (repo@sha256:...)"},
		{"nginx@sha256:abc", "digest must be @sha256: followed by 64 hex characters"},
		{"nginx 1.27", "must not contain spaces"},
		{"localhost:5000/org/app:1.2", ""},
		{"Grafana/Grafana:11.5.2", "repository must be lowercase"},
		{"nginx:" + strings.Repeat("1", 129), "tag must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'"},
		{"nginx@sha256:" + strings.Repeat("z", 64), "digest must be @sha256: followed by 64 hex characters"},
		{"nginx@sha512:" + strings.Repeat("0", 128), "digest must be @sha256: followed by 64 hex characters"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.problem, ImageProblem(tc.ref), tc.ref)
	}
}

func TestLoadFromAppliesEnvironmentDefaultsFieldByField(t *testing.T) {
	c, err := LoadFrom(MapSource{Values: map[string]string{
		"environment": "prod", "namespace": "rag", "domain": "example.com", "protectData": "true", "kubernetesVersion": "v1.34",
		"cluster":   `{"context": "prod"}`,
		"ingress":   `{"clusterIssuer": "letsencrypt", "portalSourceRanges": ["192.0.2.0/24"]}`,
		"workloads": `{"api": {"maxReplicas": 20}}`,
		"postgres":  `{"mode": "external", "host": "db.example.com", "passwordSecret": {"name": "db", "key": "password"}, "cidrs": ["10.1.0.0/16"], "tls": {"enabled": true}}`,
		"redis":     `{"mode": "external", "host": "cache.example.com", "passwordSecret": {"name": "cache", "key": "password"}, "cidrs": ["10.2.0.0/16"], "tls": {"enabled": true}}`,
		"storage":   `{"rwxClassName": "efs-sc", "rwxCapableClasses": ["efs-sc"]}`,
		"llm":       `{"apiKeySecret": {"name": "llm", "key": "key"}}`,
	}})
	require.NoError(t, err)
	assert.Equal(t, 20, c.Workloads.API.MaxReplicas, "the stack's field wins")
	assert.Equal(t, 2, c.Workloads.API.MinReplicas, "the other fields keep prod's defaults")
	assert.Equal(t, 3, c.Workloads.ExternalPortal.Replicas)
	assert.Equal(t, "20Gi", c.Storage.Sizes.PostgresData, "sizes keep the review's defaults")
}

func TestLoadFromNamesEveryBadValueAtOnce(t *testing.T) {
	_, err := LoadFrom(MapSource{Values: map[string]string{
		"environment": "dev", "namespace": "Bad_NS", "domain": "example.com", "kubernetesVersion": "v1.34",
		"ingress": `{"clusterIssuer": "x"}`, "llm": `{"provider": "ollama"}`,
		"images": `{"api": "api:latest", "grafana": "grafana"}`,
	}})
	var verr ValidationError
	require.True(t, errors.As(err, &verr), "%v", err)
	assert.Equal(t, []string{"namespace", "images.api", "images.grafana"}, verr.Keys())
}

func TestObjectKeysAreTheJSONNamesOfConfigsObjects(t *testing.T) {
	assert.Equal(t, []string{"ingress", "images", "workloads", "storage", "postgres", "redis", "chroma", "llm", "commands", "probes", "network", "limits", "monitoring", "backups", "cluster", "externalSecrets", "stackReference", "telemetry"}, ObjectKeys)
}

func TestLookupsReadTheKeysAStackWrites(t *testing.T) {
	c := Defaults(Prod)
	image, err := c.Image("worker")
	require.NoError(t, err)
	assert.Equal(t, c.Images.Worker, image)
	command, _ := c.Command("beat")
	assert.Equal(t, c.Commands.Beat, command)
	path, _ := c.ProbePath("apiPath")
	assert.Equal(t, "/health", path)
	liveness, _ := c.ProbeCommand("workerLiveness")
	assert.Equal(t, c.Probes.WorkerLiveness, liveness)

	api, _ := c.WorkloadSize("api")
	assert.Equal(t, Size{Resources: c.Workloads.API.Resources, Autoscale: &c.Workloads.API, GracePeriodSeconds: 30}, api)
	portal, _ := c.WorkloadSize("externalPortal")
	assert.Equal(t, Size{Resources: c.Workloads.ExternalPortal.Resources, Replicas: 3, GracePeriodSeconds: DefaultGracePeriodSeconds}, portal)
	beat, _ := c.WorkloadSize("celeryBeat")
	assert.Equal(t, Size{Resources: c.Workloads.CeleryBeat.Resources, Replicas: 1, Single: true, GracePeriodSeconds: DefaultGracePeriodSeconds}, beat)

	_, err = c.Image("API")
	assert.EqualError(t, err, "no config key images.API", "keys are case-sensitive, as in the stack file")
	_, err = c.WorkloadSize("worker")
	assert.EqualError(t, err, "no config key workloads.worker", "a key of another object is not found")
	_, err = c.ProbePath("workerLiveness")
	assert.EqualError(t, err, "no config key probes.workerLiveness", "nor a key of another type")
}

func TestErrorKeysAreTheJSONPathsOfTheFields(t *testing.T) {
	c := Defaults(Dev)
	assert.Equal(t, "ingress.className", c.keyOf(&c.Ingress.ClassName))
	assert.Equal(t, "workloads.api.resources.requests.cpu", c.keyOf(&c.Workloads.API.Resources.Requests.CPU))
	assert.Equal(t, "postgres.passwordSecret.name", c.keyOf(&c.Postgres.PasswordSecret.Name))
	assert.Equal(t, "postgres", c.keyOf(&c.Postgres))
	assert.Equal(t, "storage.sizes.chromaData", c.keyOf(&c.Storage.Sizes.ChromaData))
}

func TestUnknownKeysAreRefusedNamingTheClosestKnownOne(t *testing.T) {
	err := CheckKeys([]string{
		"jd-jones-rag-infra:protectdata", "jd-jones-rag-infra:postgresPasword", "jd-jones-rag-infra:imagess",
		"jd-jones-rag-infra:somethingElseEntirely", "kubernetes:context", "jd-jones-rag-infra:domain",
	})
	var verr ValidationError
	require.True(t, errors.As(err, &verr), "%v", err)
	assert.Equal(t, []string{"imagess", "postgresPasword", "protectdata", "somethingElseEntirely"}, verr.Keys())
	msg := err.Error()
	assert.Contains(t, msg, "config jd-jones-rag-infra:protectdata is not a key of this program; did you mean protectData?")
	assert.Contains(t, msg, "config jd-jones-rag-infra:postgresPasword is not a key of this program; did you mean postgresPassword?")
	assert.Contains(t, msg, "config jd-jones-rag-infra:imagess is not a key of this program; did you mean images?")
	assert.Contains(t, msg, "somethingElseEntirely is not a key of this program; the keys are environment, namespace")
	assert.NoError(t, CheckKeys(nil))
	assert.NoError(t, CheckKeysIn(""))
	assert.Error(t, CheckKeysIn(`{"jd-jones-rag-infra:namspace": "x"}`))
}

func TestProbeCommandsThatCannotFailAreRecognised(t *testing.T) {
	for _, argv := range [][]string{
		{"true"}, {"/bin/true"}, {":"}, {"echo", "ok"}, {"sh", "-c", "exit 0"}, {"sh", "-c", "true"},
		{"/bin/sh", "-c", "test -e /tmp/ready || true"}, {"bash", "-c", "pgrep celery; exit 0"}, {"sh", "-c", "echo alive"},
	} {
		assert.True(t, cannotFail(argv), "%q cannot fail", argv)
	}
	for _, argv := range [][]string{
		{"test", "-e", "/tmp/worker_ready"}, {"sh", "-c", `test -n "$(find /tmp/worker_heartbeat -mmin -2)"`},
		{"sh", "-c", "exit 1"}, {"sh", "-c", "true && test -e /tmp/x"}, {"pg_isready"}, {"truex"},
	} {
		assert.False(t, cannotFail(argv), "%q can fail", argv)
	}
}
