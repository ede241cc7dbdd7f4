package components

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// trustDir holds one directory per external endpoint whose CA bundle the stack mounts.
const trustDir = "/etc/jd-jones/tls"

// caFile is the file name of every mounted CA bundle.
const caFile = "ca.crt"

// caBundle is the CA bundle that verifies one external endpoint's certificate.
type caBundle struct {
	// service is the data service's name, e.g. postgres.
	service string
	ref     config.CARef
}

// caBundles are the bundles of the external endpoints that use TLS with a configured CA: the data
// services' and the telemetry collector's.
func caBundles(c *config.Config) []caBundle {
	var out []caBundle
	for _, ds := range dataServices {
		s := ds.settings(c)
		if s.IsExternal() && s.TLS.Enabled && s.TLS.CA.IsSet() {
			out = append(out, caBundle{service: ds.name, ref: s.TLS.CA})
		}
	}
	if o := c.Telemetry.OTLP; o.Enabled() && o.CA.IsSet() {
		out = append(out, caBundle{service: TelemetryCollector, ref: o.CA})
	}
	return out
}

// caPath is where a pod finds an endpoint's CA bundle, or "system" for the system's trust store (libpq's
// spelling, which the settings use for every endpoint).
func caPath(c *config.Config, service string) string {
	for _, b := range caBundles(c) {
		if b.service == service {
			return trustDir + "/" + service + "/" + caFile
		}
	}
	return "system"
}

// volume projects the bundle's key as ca.crt, from its ConfigMap or its Secret.
func (b caBundle) volume() corev1.VolumeArgs {
	key := b.ref.Key
	if key == "" {
		key = caFile
	}
	items := corev1.KeyToPathArray{corev1.KeyToPathArgs{Key: pulumi.String(key), Path: pulumi.String(caFile)}}
	name := pulumi.String(b.service + "-ca")
	if b.ref.Secret != "" {
		return corev1.VolumeArgs{Name: name, Secret: corev1.SecretVolumeSourceArgs{SecretName: pulumi.String(b.ref.Secret), Items: items}}
	}
	return corev1.VolumeArgs{Name: name, ConfigMap: corev1.ConfigMapVolumeSourceArgs{Name: pulumi.String(b.ref.ConfigMap), Items: items}}
}

// trustVolumes are the volumes and read-only mounts of every CA bundle, for the pods that reach the
// external endpoints.
func trustVolumes(c *config.Config) (corev1.VolumeArray, corev1.VolumeMountArray) {
	volumes, mounts := corev1.VolumeArray{}, corev1.VolumeMountArray{}
	for _, b := range caBundles(c) {
		volumes = append(volumes, b.volume())
		mounts = append(mounts, corev1.VolumeMountArgs{
			Name: pulumi.String(b.service + "-ca"), MountPath: pulumi.String(trustDir + "/" + b.service), ReadOnly: pulumi.Bool(true),
		})
	}
	return volumes, mounts
}

// tlsSettings are the settings that make clients use TLS to the external endpoints: libpq's own
// variables for Postgres (verify-full checks the certificate and the host name), and the scheme and
// CA file the application reads for Redis.
func tlsSettings(c *config.Config) map[string]string {
	out := map[string]string{"REDIS_SCHEME": "redis"}
	if c.Postgres.IsExternal() && c.Postgres.TLS.Enabled {
		out["PGSSLMODE"] = "verify-full"
		out["PGSSLROOTCERT"] = caPath(c, PostgresName)
	}
	if c.Redis.IsExternal() && c.Redis.TLS.Enabled {
		out["REDIS_SCHEME"] = "rediss"
		out["REDIS_SSL_CERT_REQS"] = "required"
		// Without a configured bundle, Python's TLS uses the system's trust store by itself.
		if path := caPath(c, RedisName); path != "system" {
			out["REDIS_SSL_CA_CERTS"] = path
		}
	}
	return out
}

// enableVectorSQL enables pgvector; it does nothing when the extension exists.
const enableVectorSQL = "CREATE EXTENSION IF NOT EXISTS vector"

// enableVector is the step that enables pgvector before the migration, with psql from the Postgres image,
// connecting as the application's role with its settings (TLS included) and its password from the Secret.
// An external database's role needs the privilege to create the extension (rds_superuser on RDS,
// cloudsqlsuperuser on Cloud SQL); the in-cluster role owns its database.
func (f *Foundation) enableVector(c *config.Config, mounts corev1.VolumeMountArray, resources config.Resources) container {
	envFrom, _ := f.appEnv()
	return container{
		name: "enable-pgvector", image: c.Images.Postgres,
		command: []string{"psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-c", enableVectorSQL},
		envFrom: envFrom,
		env: corev1.EnvVarArray{
			plainEnv("PGHOST", "$(POSTGRES_HOST)"),
			plainEnv("PGPORT", "$(POSTGRES_PORT)"),
			plainEnv("PGDATABASE", "$(POSTGRES_DB)"),
			plainEnv("PGUSER", "$(POSTGRES_USER)"),
			plainEnv("PGCONNECT_TIMEOUT", "10"),
			f.credentials.postgres.env("PGPASSWORD"),
		},
		mounts:    mounts,
		resources: resources,
	}
}
