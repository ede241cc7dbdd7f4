package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

func TestExternalEndpointsAreReachedOverVerifiedTLS(t *testing.T) {
	settings := func(rec *stacktest.Record) map[string]string {
		cm, ok := rec.Object(stacktest.ConfigMapType, "jd-jones-config")
		require.True(t, ok)
		var c corev1.ConfigMap
		require.NoError(t, cm.Decode(&c))
		return c.Data
	}
	prod := runStack(t, "prod", nil)
	s := settings(prod)
	assert.Equal(t, "verify-full", s["PGSSLMODE"])
	assert.Equal(t, "/etc/jd-jones/tls/postgres/ca.crt", s["PGSSLROOTCERT"])
	assert.Equal(t, "rediss", s["REDIS_SCHEME"])
	assert.Equal(t, "required", s["REDIS_SSL_CERT_REQS"])
	assert.NotContains(t, s, "REDIS_SSL_CA_CERTS", "no bundle configured: the system's trust store verifies Redis")

	// Every pod that reads the settings mounts the RDS bundle where PGSSLROOTCERT points.
	for _, r := range stacktest.Workloads(prod) {
		spec := stacktest.DecodeWorkload(t, r).Spec.Spec
		if !stacktest.ReadsConfigMap(spec, "jd-jones-config") {
			continue
		}
		var bundle *corev1.Volume
		for i, v := range spec.Volumes {
			if v.ConfigMap != nil && v.ConfigMap.Name == "rds-ca-bundle" {
				bundle = &spec.Volumes[i]
			}
		}
		require.NotNil(t, bundle, "%s mounts the RDS CA bundle", r.Name)
		assert.Equal(t, []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}, bundle.ConfigMap.Items)
		for _, c := range append(spec.InitContainers, spec.Containers...) {
			if len(c.EnvFrom) == 0 {
				continue
			}
			assert.Contains(t, c.VolumeMounts, corev1.VolumeMount{Name: bundle.Name, MountPath: "/etc/jd-jones/tls/postgres", ReadOnly: true}, "%s/%s", r.Name, c.Name)
		}
	}

	dev := settings(runStack(t, "dev", nil))
	assert.Equal(t, "redis", dev["REDIS_SCHEME"])
	assert.NotContains(t, dev, "PGSSLMODE", "the in-cluster Postgres serves no certificate")
}
