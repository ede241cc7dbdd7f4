package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestObjectKeysAreTheJSONNamesOfConfigsObjects(t *testing.T) {
	assert.Equal(t, []string{"ingress", "images", "workloads", "storage", "postgres", "redis", "chroma", "llm", "commands", "probes", "network", "limits", "monitoring", "backups", "cluster", "externalSecrets", "stackReference", "telemetry", "extraObjects"}, ObjectKeys)
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

	api, _ := c.WorkloadSizing("api")
	assert.Equal(t, WorkloadSizing{Resources: c.Workloads.API.Resources, Autoscale: &c.Workloads.API, GracePeriodSeconds: 30}, api)
	portal, _ := c.WorkloadSizing("externalPortal")
	assert.Equal(t, WorkloadSizing{Resources: c.Workloads.ExternalPortal.Resources, Replicas: 3, GracePeriodSeconds: DefaultGracePeriodSeconds}, portal)
	beat, _ := c.WorkloadSizing("celeryBeat")
	assert.Equal(t, WorkloadSizing{Resources: c.Workloads.CeleryBeat.Resources, Replicas: 1, Single: true, GracePeriodSeconds: DefaultGracePeriodSeconds}, beat)

	_, err = c.Image("API")
	assert.EqualError(t, err, "no config key images.API", "keys are case-sensitive, as in the stack file")
	_, err = c.WorkloadSizing("worker")
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
