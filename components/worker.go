package components

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// WorkerLayer is the Celery workers (autoscaled, with a disruption budget) and the single Celery beat
// scheduler (Recreate, so two beats never run at once). Both are probed through heartbeat files.
type WorkerLayer struct {
	pulumi.ResourceState

	// Deployments are the names of the worker and beat Deployments.
	Deployments pulumi.StringArrayOutput `pulumi:"deployments"`
}

// WorkerLayerArgs configures the WorkerLayer.
type WorkerLayerArgs struct {
	// Config is the validated stack configuration.
	Config *config.Config
	// Foundation supplies the namespace, settings and credentials.
	Foundation *Foundation
	// Storage supplies the shared model cache and uploads claims.
	Storage *SharedStorage
	// DependsOn are resources the workers need first (the migration that shapes the schema).
	DependsOn []pulumi.Resource
}

// NewWorkerLayer registers the layer's applications: celery-worker with its HPA and PDB, and celery-beat.
func NewWorkerLayer(ctx *pulumi.Context, name string, args *WorkerLayerArgs, opts ...pulumi.ResourceOption) (*WorkerLayer, error) {
	w := &WorkerLayer{}
	b, err := register(ctx, workerLayerType, name, w, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	in := applicationInputs{config: args.Config, foundation: args.Foundation, storage: args.Storage}
	deployments, err := b.applicationDeployments(in, pulumi.DependsOn(args.DependsOn))
	if err != nil {
		return nil, err
	}
	names := make([]pulumi.StringOutput, len(deployments))
	for i, d := range deployments {
		names[i] = d.Metadata.Name().Elem()
	}
	w.Deployments = pulumi.ToStringArrayOutput(names)
	return w, b.done(pulumi.Map{"deployments": w.Deployments})
}
