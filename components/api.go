package components

import (
	"fmt"

	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// APILayer is the FastAPI server: its Deployment behind a Service, autoscaled and covered by a disruption
// budget, with a database migration Job that must complete before the Deployment rolls.
type APILayer struct {
	pulumi.ResourceState

	// ServiceName is the API's Service, which the Ingress and the portals address.
	ServiceName pulumi.StringOutput `pulumi:"serviceName"`
	// ServicePort is the port the Service exposes.
	ServicePort pulumi.IntOutput `pulumi:"servicePort"`

	// migrations are the Jobs the workers wait for, too.
	migrations []pulumi.Resource
}

// APILayerArgs configures the APILayer.
type APILayerArgs struct {
	// Config is the validated stack configuration.
	Config *config.Config
	// Foundation supplies the namespace, settings and credentials.
	Foundation *Foundation
	// Storage supplies the shared model cache and uploads claims.
	Storage *SharedStorage
	// DependsOn are resources the migration needs first (the in-cluster database).
	DependsOn []pulumi.Resource
}

// NewAPILayer registers the migration Job, then the API Deployment with its Service, HPA and PDB.
func NewAPILayer(ctx *pulumi.Context, name string, args *APILayerArgs, opts ...pulumi.ResourceOption) (*APILayer, error) {
	a := &APILayer{}
	b, err := register(ctx, apiLayerType, name, a, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	in := applicationInputs{config: args.Config, foundation: args.Foundation, storage: args.Storage}
	for _, app := range applicationsOf(b.typ) {
		if !app.runOnce {
			continue
		}
		job, err := b.runOnceJob(app, in, args.DependsOn)
		if err != nil {
			return nil, err
		}
		a.migrations = append(a.migrations, job)
	}
	if _, err := b.applicationDeployments(in, pulumi.DependsOn(a.migrations)); err != nil {
		return nil, err
	}
	a.ServiceName = pulumi.String(APIName).ToStringOutput()
	a.ServicePort = pulumi.Int(apiPort).ToIntOutput()
	return a, b.done(pulumi.Map{"serviceName": a.ServiceName, "servicePort": a.ServicePort})
}

// jobDeadlineSeconds is how long a run-once Job may run before Kubernetes fails it.
const jobDeadlineSeconds = 900

// jobAwait lets Pulumi wait for a run-once Job as long as Kubernetes lets it run, and a little more: the
// provider's default of ten minutes would give up on a migration Kubernetes is still running.
var jobAwait = &pulumi.CustomTimeouts{
	Create: fmt.Sprintf("%ds", jobDeadlineSeconds+120),
	Update: fmt.Sprintf("%ds", jobDeadlineSeconds+120),
}

// runOnceJob runs an application to completion, such as the schema migration with the API image. Its
// name is generated, so a new image replaces it with a fresh Job that Pulumi awaits until Complete
// before the layer's Deployments roll.
func (b *builder) runOnceJob(app application, in applicationInputs, dependsOn []pulumi.Resource) (*batchv1.Job, error) {
	p, _, err := app.configuredPod(in)
	if err != nil {
		return nil, err
	}
	p, podOpts, err := b.podObjects(p)
	if err != nil {
		return nil, err
	}
	p.restartPolicy = "Never"
	job, err := batchv1.NewJob(b.ctx, b.child(app.name), &batchv1.JobArgs{
		// No name: Pulumi generates one, so a changed Job is created anew before the old one goes.
		Metadata: metav1.ObjectMetaArgs{Namespace: b.scope.namespace, Labels: b.scope.labels(app.name, app.component)},
		Spec: batchv1.JobSpecArgs{
			BackoffLimit:          pulumi.Int(3),
			ActiveDeadlineSeconds: pulumi.Int(jobDeadlineSeconds),
			Template:              p.template(b.scope),
		},
	}, b.opts(append(podOpts, pulumi.DependsOn(dependsOn), pulumi.Timeouts(jobAwait)))...)
	if err != nil {
		return nil, fmt.Errorf("job %s: %w", app.name, err)
	}
	return job, nil
}
