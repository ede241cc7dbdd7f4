package components_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/platform"
)

// prodExternalSecrets maps every key prod reads from jd-jones-managed-data and jd-jones-llm.
var prodExternalSecrets = map[string]any{
	"store":           map[string]any{"kind": "ClusterSecretStore", "name": "aws-secrets-manager"},
	"refreshInterval": "15m",
	"keys": map[string]any{
		"jd-jones-managed-data": map[string]any{"postgres-password": "prod/rds/password", "redis-password": "prod/elasticache/auth"},
		"jd-jones-llm":          map[string]any{"api-key": "prod/openai/api-key"},
	},
}

func TestExternalSecretsWriteTheSecretsProdReadsFromTheStore(t *testing.T) {
	rec := stacktest.RunStackWithFields(t, platform.Program, "prod", map[string]map[string]any{"externalSecrets": prodExternalSecrets})
	specs := map[string]any{}
	for _, es := range rec.OfType(stacktest.ExternalSecretType) {
		plain := es.Plain()
		assert.Equal(t, "external-secrets.io/v1", plain["apiVersion"])
		assert.Equal(t, "ExternalSecret", plain["kind"])
		meta := plain["metadata"].(map[string]any)
		assert.Equal(t, "jd-jones-rag", meta["namespace"], "%s lives in the namespace whose Secret it writes", es.Name)
		assert.Equal(t, map[string]any{"pulumi.com/waitFor": "condition=Ready"}, meta["annotations"],
			"the provider waits until the operator has written the Secret")
		specs[es.ObjectName()] = plain["spec"]
	}
	store := map[string]any{"kind": "ClusterSecretStore", "name": "aws-secrets-manager"}
	assert.Equal(t, map[string]any{
		"jd-jones-managed-data": map[string]any{
			"refreshInterval": "15m", "secretStoreRef": store,
			"target": map[string]any{"name": "jd-jones-managed-data", "creationPolicy": "Owner"},
			"data": []any{
				map[string]any{"secretKey": "postgres-password", "remoteRef": map[string]any{"key": "prod/rds/password"}},
				map[string]any{"secretKey": "redis-password", "remoteRef": map[string]any{"key": "prod/elasticache/auth"}},
			},
		},
		"jd-jones-llm": map[string]any{
			"refreshInterval": "15m", "secretStoreRef": store,
			"target": map[string]any{"name": "jd-jones-llm", "creationPolicy": "Owner"},
			"data":   []any{map[string]any{"secretKey": "api-key", "remoteRef": map[string]any{"key": "prod/openai/api-key"}}},
		},
	}, specs)

	// The migration, and so the API and workers after it, wait for both ExternalSecrets.
	var esURNs []string
	for _, es := range rec.OfType(stacktest.ExternalSecretType) {
		esURNs = append(esURNs, es.URN)
	}
	jobs := rec.OfType(stacktest.JobType)
	require.NotEmpty(t, jobs)
	for _, job := range jobs {
		for _, urn := range esURNs {
			assert.True(t, slices.Contains(job.Dependencies, urn), "%s depends on %s", job.Name, urn)
		}
	}
}

func TestNoExternalSecretWithoutAStore(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		assert.Empty(t, runStack(t, stack, nil).OfType(stacktest.ExternalSecretType), stack)
	}
}

func TestExternalEndpointsHostsComeFromTheReferencedStack(t *testing.T) {
	stacktest.SetStackOutputs("jdjones/cloud-test/prod", map[string]any{
		"rdsEndpoint":   "rag.cluster-0123.eu-west-1.rds.amazonaws.com",
		"redisEndpoint": "master.rag.0123.euw1.cache.amazonaws.com",
	})
	rec := stacktest.RunStackWithFields(t, platform.Program, "prod", map[string]map[string]any{
		"stackReference": {"name": "jdjones/cloud-test/prod", "postgresHost": "rdsEndpoint", "redisHost": "redisEndpoint"},
		"postgres":       {"host": ""},
		"redis":          {"host": ""},
	})
	refs := rec.OfType("pulumi:pulumi:StackReference")
	require.Len(t, refs, 1)
	assert.Equal(t, "jdjones/cloud-test/prod", refs[0].Name)

	cm, ok := rec.Object(stacktest.ConfigMapType, "jd-jones-config")
	require.True(t, ok)
	var settings corev1.ConfigMap
	require.NoError(t, cm.Decode(&settings))
	assert.Equal(t, "rag.cluster-0123.eu-west-1.rds.amazonaws.com", settings.Data["POSTGRES_HOST"])
	assert.Equal(t, "master.rag.0123.euw1.cache.amazonaws.com", settings.Data["REDIS_HOST"])
	assert.Equal(t, "5432", settings.Data["POSTGRES_PORT"], "the other settings stay as configured")

	// The checksum on the pod templates follows the referenced hosts, so a moved endpoint rolls the pods.
	api, ok := rec.Object(stacktest.DeploymentType, "api")
	require.True(t, ok)
	sum := stacktest.DecodeWorkload(t, api).Spec.Annotations["checksum/jd-jones-config"]
	assert.Len(t, sum, 64)
	committed, _ := runStack(t, "prod", nil).Object(stacktest.DeploymentType, "api")
	assert.NotEqual(t, stacktest.DecodeWorkload(t, committed).Spec.Annotations["checksum/jd-jones-config"], sum)
}

func TestExternalSecretsWriteTheBucketsKeysTheAPIReads(t *testing.T) {
	es := map[string]any{"store": prodExternalSecrets["store"], "keys": map[string]any{
		"jd-jones-managed-data": prodExternalSecrets["keys"].(map[string]any)["jd-jones-managed-data"],
		"jd-jones-llm":          prodExternalSecrets["keys"].(map[string]any)["jd-jones-llm"],
		"uploads-s3":            map[string]any{"AWS_ACCESS_KEY_ID": "prod/s3/id", "AWS_SECRET_ACCESS_KEY": "prod/s3/secret"},
	}}
	uploads := map[string]any{"mode": "s3", "bucket": "jd-jones-uploads", "endpoint": "https://s3.eu-west-1.amazonaws.com",
		"region": "eu-west-1", "cidrs": []any{"52.95.0.0/16"}, "credentialsSecret": map[string]any{"name": "uploads-s3"}}
	rec := stacktest.RunStackWithFields(t, platform.Program, "prod", map[string]map[string]any{"externalSecrets": es, "storage": {"uploads": uploads}})
	r, ok := rec.Object(stacktest.ExternalSecretType, "uploads-s3")
	require.True(t, ok, "an ExternalSecret writes the bucket's keys")
	spec := r.Plain()["spec"].(map[string]any)
	assert.Equal(t, map[string]any{"name": "uploads-s3", "creationPolicy": "Owner"}, spec["target"])
	assert.ElementsMatch(t, []any{
		map[string]any{"secretKey": "AWS_ACCESS_KEY_ID", "remoteRef": map[string]any{"key": "prod/s3/id"}},
		map[string]any{"secretKey": "AWS_SECRET_ACCESS_KEY", "remoteRef": map[string]any{"key": "prod/s3/secret"}},
	}, spec["data"])

	api, ok := rec.Object(stacktest.DeploymentType, "api")
	require.True(t, ok)
	read := map[string]string{}
	for _, e := range stacktest.DecodeWorkload(t, api).Spec.Spec.Containers[0].Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name == "uploads-s3" {
			read[e.Name] = e.ValueFrom.SecretKeyRef.Key
		}
	}
	assert.Equal(t, map[string]string{"AWS_ACCESS_KEY_ID": "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY": "AWS_SECRET_ACCESS_KEY"}, read,
		"the API reads the keys the ExternalSecret writes")
}
