package components

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// Names of the exporters that measure external data services.
const (
	PostgresExporterName = "postgres-exporter"
	RedisExporterName    = "redis-exporter"
)

// celeryKeyCheck is redis_exporter's check of the Celery broker's default queue, for the queue's length.
const celeryKeyCheck = "db0=celery"

// externalExporter is an exporter Deployment for one data service that runs outside the cluster: the
// service it measures (its scrape job and app label, so the dashboards and alerts of the in-cluster
// service apply unchanged), and its metrics port.
type externalExporter struct {
	name, service string
	metricsPort   int
	container     func(c *config.Config, f *Foundation) container
	// credential is the password the exporter reads.
	credential func(f *Foundation) credential
}

// externalExporters are the exporters of the external data services, in registration order.
var externalExporters = []externalExporter{
	{PostgresExporterName, PostgresName, postgresExporterPort, externalPostgresExporter, func(f *Foundation) credential { return f.credentials.postgres }},
	{RedisExporterName, RedisName, redisExporterPort, externalRedisExporter, func(f *Foundation) credential { return f.credentials.redis }},
}

// activeExternalExporters are the exporters of the data services this stack points at external endpoints.
func activeExternalExporters(c *config.Config) []externalExporter {
	var out []externalExporter
	for _, e := range externalExporters {
		for _, ds := range dataServices {
			if ds.name == e.service && ds.settings(c).IsExternal() {
				out = append(out, e)
			}
		}
	}
	return out
}

// ExternalExporters are postgres_exporter and redis_exporter as Deployments of their own, pointed at the
// external endpoints with the TLS those require, so Prometheus scrapes the same metrics as in-cluster.
type ExternalExporters struct {
	pulumi.ResourceState

	// Exporters are the names of the exporter Deployments.
	Exporters pulumi.StringArrayOutput `pulumi:"exporters"`
}

// ExternalExportersArgs configures ExternalExporters.
type ExternalExportersArgs struct {
	// Config is the validated stack configuration.
	Config *config.Config
	// Foundation supplies the namespace and the endpoints' credentials.
	Foundation *Foundation
}

// NewExternalExporters registers one exporter Deployment, and the headless Service Prometheus finds it
// through, per external Postgres or Redis; nothing when both run in the cluster.
func NewExternalExporters(ctx *pulumi.Context, name string, args *ExternalExportersArgs, opts ...pulumi.ResourceOption) (*ExternalExporters, error) {
	m := &ExternalExporters{}
	// The type token keeps the name these exporters were first registered under, so no URN moves.
	b, err := register(ctx, "ManagedExporters", name, m, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	c, f := args.Config, args.Foundation
	var names []string
	for _, e := range activeExternalExporters(c) {
		volumes, mounts := serviceTrustVolumes(c, e.service)
		exporter := e.container(c, f)
		exporter.mounts = append(exporter.mounts, mounts...)
		p := pod{
			name: e.name, component: "monitoring", uid: exporterUID, volumes: volumes, containers: []container{exporter},
			annotations: credentialRollout(f, e.credential(f)),
		}
		if _, err := b.newDeployment(deployment{pod: p, replicas: 1}); err != nil {
			return nil, err
		}
		metrics := service{name: headlessServiceName(e.name), selects: e.name, ports: []port{{"metrics", e.metricsPort}}, headless: true}
		if _, err := b.newService("monitoring", metrics); err != nil {
			return nil, err
		}
		names = append(names, e.name)
	}
	m.Exporters = pulumi.ToStringArray(names).ToStringArrayOutput()
	return m, b.done(pulumi.Map{"exporters": m.Exporters})
}

// credentialRollout rolls the exporter when its password changes: the shared Secret's checksum when the
// stack writes it, otherwise Reloader's annotation naming the Secret synced from outside.
func credentialRollout(f *Foundation, cred credential) pulumi.StringMap {
	if f.written[cred.secret] {
		return f.secretRolloutAnnotations()
	}
	return pulumi.StringMap{reloadAnnotation: pulumi.String(cred.secret)}
}

// serviceTrustVolumes are the volume and mount of one external endpoint's CA bundle, if configured.
func serviceTrustVolumes(c *config.Config, service string) (corev1.VolumeArray, corev1.VolumeMountArray) {
	volumes, mounts := trustVolumes(c)
	for i, b := range caBundles(c) {
		if b.service == service {
			return corev1.VolumeArray{volumes[i]}, corev1.VolumeMountArray{mounts[i]}
		}
	}
	return nil, nil
}

// externalPostgresSSL is the DATA_SOURCE_URI's sslmode and sslrootcert. postgres_exporter v0.17.1 connects
// with lib/pq v1.10.9, which reads sslrootcert as a file and knows no "system": without a configured
// bundle the parameter is left out, and Go's TLS verifies against the system's trust store.
func externalPostgresSSL(c *config.Config) string {
	if !c.Postgres.TLS.Enabled {
		return "sslmode=disable"
	}
	params := "sslmode=verify-full"
	if path := caPath(c, PostgresName); path != "system" {
		params += "&sslrootcert=" + path
	}
	return params
}

// externalPostgresExporter connects to the external database as the application's role, with verify-full
// TLS; the password comes from the Secret that holds it, never from the arguments.
func externalPostgresExporter(c *config.Config, f *Foundation) container {
	s := c.Postgres
	return container{
		name: PostgresExporterName, image: c.Images.PostgresExporter,
		ports: []port{{"metrics", postgresExporterPort}},
		env: corev1.EnvVarArray{
			plainEnv("DATA_SOURCE_URI", fmt.Sprintf("%s:%d/%s?%s", s.Host, s.Port, s.Database, externalPostgresSSL(c))),
			plainEnv("DATA_SOURCE_USER", s.User),
			f.credentials.postgres.env("DATA_SOURCE_PASS"),
		},
		resources: c.Workloads.PostgresExporter.Resources,
		liveness:  tcpProbe("metrics", livenessTiming),
		readiness: tcpProbe("metrics", readinessTiming),
	}
}

// externalRedisExporter connects to the external Redis over rediss:// when its TLS is enabled, verifying the
// certificate against the configured bundle (REDIS_EXPORTER_TLS_CA_CERT_FILE) or the system's trust store
// (redis_exporter v1.67.0's default), and reports the Celery queue's length.
func externalRedisExporter(c *config.Config, f *Foundation) container {
	s := c.Redis
	scheme := "redis"
	if s.TLS.Enabled {
		scheme = "rediss"
	}
	env := corev1.EnvVarArray{
		plainEnv("REDIS_ADDR", fmt.Sprintf("%s://%s:%d", scheme, s.Host, s.Port)),
		plainEnv("REDIS_EXPORTER_CHECK_SINGLE_KEYS", celeryKeyCheck),
		f.credentials.redis.env("REDIS_PASSWORD"),
	}
	if path := caPath(c, RedisName); s.TLS.Enabled && path != "system" {
		env = append(env, plainEnv("REDIS_EXPORTER_TLS_CA_CERT_FILE", path))
	}
	return container{
		name: RedisExporterName, image: c.Images.RedisExporter,
		ports:     []port{{"metrics", redisExporterPort}},
		env:       env,
		resources: c.Workloads.RedisExporter.Resources,
		liveness:  httpProbe("/health", "metrics", livenessTiming),
		readiness: httpProbe("/health", "metrics", readinessTiming),
	}
}
