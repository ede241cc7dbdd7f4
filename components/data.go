package components

import (
	"fmt"
	"strconv"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// Ports and user ids of the data services' images.
const (
	postgresPort         = config.PostgresPort
	postgresExporterPort = 9187
	redisPort            = config.RedisPort
	redisExporterPort    = 9121
	chromaPort           = config.ChromaPort
	// postgresUID and redisUID are the postgres and redis users of the official images.
	postgresUID = 999
	redisUID    = 999
	chromaUID   = 1000
	exporterUID = 65534
)

// pgvectorInit enables pgvector when the database is first initialised.
const pgvectorInit = "CREATE EXTENSION IF NOT EXISTS vector;\n"

// DataLayer is Postgres with pgvector, Redis and ChromaDB: each a single-replica StatefulSet with its own
// claim, or nothing at all when the stack points it at an external endpoint.
type DataLayer struct {
	pulumi.ResourceState

	// Services maps each in-cluster data service to its client Service name.
	Services pulumi.StringMapOutput `pulumi:"services"`

	// serviceNames are the in-cluster services' names, for the platform's outputs.
	serviceNames []string
	// database is the in-cluster Postgres StatefulSet (nil when Postgres is external): the migration
	// needs it Ready, and nothing else of the layer.
	database pulumi.Resource
	// statefulSets are every in-cluster data service's StatefulSet, which the backups snapshot. Waiting
	// for them, not for the layer: the SDK expands a component into the children it has registered so
	// far, which races with their registration.
	statefulSets []pulumi.Resource
}

// DataLayerArgs configures the DataLayer.
type DataLayerArgs struct {
	// Config is the validated stack configuration.
	Config *config.Config
	// Foundation supplies the namespace and the credentials.
	Foundation *Foundation
}

// dataService is one service of the data layer: where the stack configures it, the ports clients and
// Prometheus reach, and its StatefulSet when it runs in the cluster.
type dataService struct {
	name              string
	port, metricsPort int
	settings          func(c *config.Config) config.DataService
	build             func(c *config.Config, f *Foundation) dataSet
}

// dataSet is an in-cluster data service's StatefulSet and the Secrets of files its pod mounts.
type dataSet struct {
	statefulSet
	secrets []ownedSecret
}

// dataServices are the data layer's services, in registration order.
var dataServices = []dataService{
	{PostgresName, postgresPort, postgresExporterPort, func(c *config.Config) config.DataService { return c.Postgres }, postgresSet},
	{RedisName, redisPort, redisExporterPort, func(c *config.Config) config.DataService { return c.Redis }, redisSet},
	{ChromaName, chromaPort, 0, func(c *config.Config) config.DataService { return c.Chroma }, chromaSet},
}

// NewDataLayer registers the in-cluster data services.
func NewDataLayer(ctx *pulumi.Context, name string, args *DataLayerArgs, opts ...pulumi.ResourceOption) (*DataLayer, error) {
	d := &DataLayer{}
	b, err := register(ctx, "DataLayer", name, d, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	c, f := args.Config, args.Foundation
	services := pulumi.StringMap{}
	for _, ds := range dataServices {
		if ds.settings(c).IsExternal() {
			continue
		}
		set := ds.build(c, f)
		component, ports := set.pod.component, set.pod.ports()
		var secrets []pulumi.Resource
		for _, files := range set.secrets {
			secret, rollout, err := b.ownedSecret(f, component, files)
			if err != nil {
				return nil, err
			}
			secrets = append(secrets, secret)
			set.pod.annotations = mergeAnnotations(set.pod.annotations, rollout)
		}
		if _, err := b.newService(component, service{name: set.serviceName, selects: ds.name, ports: ports, headless: true}); err != nil {
			return nil, err
		}
		if _, err := b.newService(component, service{name: ds.name, selects: ds.name, ports: ports}); err != nil {
			return nil, err
		}
		// The pod cannot start before the Secrets it mounts exist.
		sts, err := b.newStatefulSet(set.statefulSet, pulumi.DependsOn(secrets))
		if err != nil {
			return nil, err
		}
		if ds.name == PostgresName {
			d.database = sts
		}
		d.statefulSets = append(d.statefulSets, sts)
		// A single replica that cannot be replicated is kept from voluntary eviction in production, so a
		// drain stops for an operator instead of taking the service down unannounced.
		if c.Environment.IsProduction() {
			if err := b.disruptionBudget(ds.name, component, true); err != nil {
				return nil, err
			}
		}
		services[ds.name] = pulumi.String(ds.name)
		d.serviceNames = append(d.serviceNames, ds.name)
	}
	d.Services = services.ToStringMapOutput()
	return d, b.done(pulumi.Map{"services": d.Services})
}

// postgresSet is Postgres with pgvector, initialised from its own ConfigMap, and its exporter sidecar.
func postgresSet(c *config.Config, f *Foundation) dataSet {
	user, db := c.Postgres.User, c.Postgres.Database
	ready := []string{"pg_isready", "-U", user, "-d", db, "-h", "127.0.0.1", "-p", strconv.Itoa(postgresPort)}
	password := f.credentials.postgres
	return dataSet{statefulSet: dataStatefulSet(c, claimTemplate{name: "postgres-data", size: c.Storage.Sizes.PostgresData, restoreFrom: c.Backups.RestoreFrom.PostgresData}, pod{
		name: PostgresName, component: "database", uid: postgresUID, options: c.Workloads.Postgres.Pod,
		configMaps: []configMapFiles{{name: PostgresInitName, files: map[string]string{"01-pgvector.sql": pgvectorInit}}},
		volumes: corev1.VolumeArray{
			configMapVolume("init", PostgresInitName),
			emptyDirVolume("run", "16Mi"),
		},
		containers: []container{
			{
				name: "postgres", image: c.Images.Postgres,
				ports: []port{{"postgres", postgresPort}},
				env: corev1.EnvVarArray{
					plainEnv("POSTGRES_USER", user), plainEnv("POSTGRES_DB", db),
					plainEnv("PGDATA", "/var/lib/postgresql/data/pgdata"),
					password.env("POSTGRES_PASSWORD"),
				},
				mounts: corev1.VolumeMountArray{
					mount("postgres-data", "/var/lib/postgresql/data"),
					mount("init", "/docker-entrypoint-initdb.d"),
					mount("run", "/var/run/postgresql"),
				},
				resources: c.Workloads.Postgres.Resources,
				startup:   execProbe(ready, startupTiming),
				liveness:  execProbe(ready, livenessTiming),
				readiness: execProbe(ready, readinessTiming),
			},
			{
				name: "postgres-exporter", image: c.Images.PostgresExporter,
				ports: []port{{"metrics", postgresExporterPort}},
				env: corev1.EnvVarArray{
					plainEnv("DATA_SOURCE_URI", fmt.Sprintf("127.0.0.1:%d/%s?sslmode=disable", postgresPort, db)),
					plainEnv("DATA_SOURCE_USER", user),
					password.env("DATA_SOURCE_PASS"),
				},
				resources: c.Workloads.PostgresExporter.Resources,
				liveness:  tcpProbe("metrics", livenessTiming),
				readiness: tcpProbe("metrics", readinessTiming),
			},
		},
	})}
}

// redisPing answers PONG when Redis serves; liveness also accepts LOADING while a large dataset loads.
func redisPing(accept string) []string {
	return []string{"sh", "-c", "timeout 3 redis-cli -h 127.0.0.1 ping | grep -Eq '" + accept + "'"}
}

// redisSet is Redis with append-only persistence and a password, configured by a file of its own Secret
// (redis.conf), and its exporter sidecar.
func redisSet(c *config.Config, f *Foundation) dataSet {
	password := f.credentials.redis
	conf := ownedSecret{name: redisConfigName, data: map[string]pulumi.StringOutput{redisConfigFile: redisConfig(f.secrets[redisPasswordKey])}}
	return dataSet{secrets: []ownedSecret{conf}, statefulSet: dataStatefulSet(c, claimTemplate{name: "redis-data", size: c.Storage.Sizes.RedisData, restoreFrom: c.Backups.RestoreFrom.RedisData}, pod{
		name: RedisName, component: "cache", uid: redisUID, options: c.Workloads.Redis.Pod,
		volumes: corev1.VolumeArray{secretVolume(redisConfigName, redisConfigName)},
		containers: []container{
			{
				name: "redis", image: c.Images.Redis,
				command: []string{"redis-server", redisConfigDir + "/" + redisConfigFile},
				ports:   []port{{"redis", redisPort}},
				// redis-cli reads the password from the environment, so the probes' argv holds none either.
				env: corev1.EnvVarArray{password.env("REDISCLI_AUTH")},
				mounts: corev1.VolumeMountArray{
					mount("redis-data", redisDataDir),
					readOnlyMount(redisConfigName, redisConfigDir),
				},
				resources: c.Workloads.Redis.Resources,
				startup:   execProbe(redisPing("PONG|LOADING"), startupTiming),
				liveness:  execProbe(redisPing("PONG|LOADING"), livenessTiming),
				readiness: execProbe(redisPing("PONG"), readinessTiming),
			},
			{
				name: "redis-exporter", image: c.Images.RedisExporter,
				ports: []port{{"metrics", redisExporterPort}},
				env: corev1.EnvVarArray{
					plainEnv("REDIS_ADDR", fmt.Sprintf("redis://127.0.0.1:%d", redisPort)),
					// The Celery broker's default queue, for the dashboard's queue length.
					plainEnv("REDIS_EXPORTER_CHECK_SINGLE_KEYS", "db0=celery"),
					password.env("REDIS_PASSWORD"),
				},
				resources: c.Workloads.RedisExporter.Resources,
				liveness:  httpProbe("/health", "metrics", livenessTiming),
				readiness: httpProbe("/health", "metrics", readinessTiming),
			},
		},
	})}
}

// chromaSet is the ChromaDB server persisting to its claim, reachable only through the token-checking
// proxy beside it (see chromaproxy.go).
func chromaSet(c *config.Config, f *Foundation) dataSet {
	proxy := ownedSecret{name: chromaProxyName, data: map[string]pulumi.StringOutput{chromaProxyFile: chromaProxyConfig(f.chromaToken)}}
	return dataSet{secrets: []ownedSecret{proxy}, statefulSet: dataStatefulSet(c, claimTemplate{name: "chroma-data", size: c.Storage.Sizes.ChromaData, restoreFrom: c.Backups.RestoreFrom.ChromaData}, pod{
		name: ChromaName, component: "vector-store", uid: chromaUID, options: c.Workloads.Chroma.Pod,
		volumes: corev1.VolumeArray{secretVolume(chromaProxyName, chromaProxyName)},
		containers: []container{
			{
				name: "chromadb", image: c.Images.Chroma,
				// The image runs `chroma run /config.yaml`, whose CHROMA_* environment overrides the file's
				// settings (rust/frontend/src/config.rs): the loopback interface only, the data on the claim.
				env: corev1.EnvVarArray{
					plainEnv("CHROMA_LISTEN_ADDRESS", "127.0.0.1"),
					plainEnv("CHROMA_PORT", strconv.Itoa(chromaLoopbackPort)),
					plainEnv("CHROMA_PERSIST_PATH", "/data"),
					plainEnv("ANONYMIZED_TELEMETRY", "FALSE"),
				},
				mounts:    corev1.VolumeMountArray{mount("chroma-data", "/data")},
				resources: c.Workloads.Chroma.Resources,
				startup:   chromaHeartbeatProbe(startupTiming),
				liveness:  chromaHeartbeatProbe(livenessTiming),
				readiness: chromaHeartbeatProbe(readinessTiming),
			},
			chromaProxyContainer(c),
		},
	})}
}

// dataStatefulSet is a data service's StatefulSet: its pod, one ReadWriteOnce claim of the data class
// (restored from a snapshot when the stack names one), and the headless Service named after the pod.
func dataStatefulSet(c *config.Config, claim claimTemplate, p pod) statefulSet {
	claim.storageClass = c.Storage.ClassName
	return statefulSet{
		pod:         p,
		claims:      []claimTemplate{claim},
		serviceName: headlessServiceName(p.name),
	}
}

// headlessServiceName is a data service's headless Service: its StatefulSet's identity, and how
// Prometheus finds its pods.
func headlessServiceName(name string) string { return name + "-headless" }

// migrationDependencies are what the schema migration waits for: the in-cluster database, if any.
func (d *DataLayer) migrationDependencies() []pulumi.Resource {
	if d.database == nil {
		return nil
	}
	return []pulumi.Resource{d.database}
}
