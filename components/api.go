package components

import (
	"fmt"

	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// apiPort is the FastAPI server's port; it also serves /metrics.
const apiPort = 8000

// appUID runs the application images (API, workers, portals).
const appUID = 10001

// ApiLayer is the FastAPI server: its Deployment behind a Service, autoscaled and covered by a disruption
// budget, with a database migration Job that must complete before the Deployment rolls.
type ApiLayer struct {
	pulumi.ResourceState

	// ServiceName is the API's Service, which the Ingress and the portals address.
	ServiceName pulumi.StringOutput `pulumi:"serviceName"`
	// ServicePort is the port the Service exposes.
	ServicePort pulumi.IntOutput `pulumi:"servicePort"`

	// migration is the Job the workers wait for, too.
	migration *batchv1.Job
}

// ApiLayerArgs configures the ApiLayer.
type ApiLayerArgs struct {
	// Config is the validated stack configuration.
	Config *config.Config
	// Foundation supplies the namespace, settings and credentials.
	Foundation *Foundation
	// Storage supplies the shared model cache and uploads claims.
	Storage *SharedStorage
	// DependsOn are resources the migration needs first (the in-cluster database).
	DependsOn []pulumi.Resource
}

// NewApiLayer registers the migration Job, the API Deployment, its Service, HPA and PDB.
func NewApiLayer(ctx *pulumi.Context, name string, args *ApiLayerArgs, opts ...pulumi.ResourceOption) (*ApiLayer, error) {
	a := &ApiLayer{}
	l, err := register(ctx, "ApiLayer", name, a, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	c, f := args.Config, args.Foundation
	envFrom, env := f.appEnv()

	migration, err := l.migrationJob(c, f, args.DependsOn)
	if err != nil {
		return nil, err
	}
	a.migration = migration

	scaling := c.Workloads.API
	api, err := l.deployment(deployment{
		autoscaled: true,
		pod: pod{
			name: APIName, component: "backend", uid: appUID, spread: true,
			annotations: mergeAnnotations(f.rolloutAnnotations(), scrapeAnnotations(apiPort)),
			volumes:     args.Storage.volumes(),
			containers: []container{{
				name: APIName, image: c.Images.API,
				ports:   []port{{"http", apiPort}},
				envFrom: envFrom, env: env,
				mounts:    args.Storage.mounts(),
				resources: scaling.Resources,
				startup:   httpProbe(c.Probes.APIPath, "http", startupTiming),
				liveness:  httpProbe(c.Probes.APIPath, "http", livenessTiming),
				readiness: httpProbe(c.Probes.APIPath, "http", readinessTiming),
			}},
		},
	}, pulumi.DependsOn([]pulumi.Resource{migration}))
	if err != nil {
		return nil, fmt.Errorf("api deployment: %w", err)
	}
	svc, err := l.service("backend", service{name: APIName, selects: APIName, ports: []port{{"http", apiPort}}})
	if err != nil {
		return nil, err
	}
	if _, err := l.autoscaler(APIName, "backend", scaling, api); err != nil {
		return nil, err
	}
	if _, err := l.disruptionBudget(APIName, "backend", false); err != nil {
		return nil, err
	}
	a.ServiceName = svc.Metadata.Name().Elem()
	a.ServicePort = pulumi.Int(apiPort).ToIntOutput()
	return a, l.done(pulumi.Map{"serviceName": a.ServiceName, "servicePort": a.ServicePort})
}

// migrationJob runs the schema migration with the API image. Its name is generated, so a new image
// replaces it with a fresh Job that Pulumi awaits until Complete before the API rolls.
func (l *layer) migrationJob(c *config.Config, f *Foundation, dependsOn []pulumi.Resource) (*batchv1.Job, error) {
	envFrom, env := f.appEnv()
	template := pod{
		name: MigrationName, component: "migration", uid: appUID, restartPolicy: "Never",
		annotations: f.rolloutAnnotations(),
		containers: []container{{
			name: MigrationName, image: c.Images.API,
			command: c.Commands.Migration,
			envFrom: envFrom, env: env,
			resources: c.Workloads.Migration.Resources,
		}},
	}.template(l.scope)
	job, err := batchv1.NewJob(l.ctx, l.child(MigrationName), &batchv1.JobArgs{
		// No name: Pulumi generates one, so a changed Job is created anew before the old one goes.
		Metadata: metav1.ObjectMetaArgs{Namespace: l.scope.namespace, Labels: l.scope.labels(MigrationName, "migration")},
		Spec: batchv1.JobSpecArgs{
			BackoffLimit:          pulumi.Int(3),
			ActiveDeadlineSeconds: pulumi.Int(900),
			Template:              template,
		},
	}, l.opts([]pulumi.ResourceOption{pulumi.DependsOn(dependsOn)})...)
	if err != nil {
		return nil, fmt.Errorf("migration job: %w", err)
	}
	return job, nil
}
