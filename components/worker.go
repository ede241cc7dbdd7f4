package components

import (
	"fmt"

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

// NewWorkerLayer registers celery-worker with its HPA and PDB, and celery-beat.
func NewWorkerLayer(ctx *pulumi.Context, name string, args *WorkerLayerArgs, opts ...pulumi.ResourceOption) (*WorkerLayer, error) {
	w := &WorkerLayer{}
	l, err := register(ctx, "WorkerLayer", name, w, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	c, f := args.Config, args.Foundation
	envFrom, env := f.appEnv()
	celery := func(name string, command, liveness, readiness []string, resources config.Resources, withStorage bool) pod {
		p := pod{
			name: name, component: "worker", uid: appUID,
			annotations: f.rolloutAnnotations(),
			containers: []container{{
				name: name, image: c.Images.Worker, command: command,
				envFrom: envFrom, env: env,
				resources: resources,
				liveness:  execProbe(liveness, livenessTiming),
				readiness: execProbe(readiness, readinessTiming),
			}},
		}
		if withStorage {
			p.volumes = args.Storage.volumes()
			p.containers[0].mounts = args.Storage.mounts()
			p.spread = true
		}
		return p
	}
	scaling := c.Workloads.CeleryWorker
	worker, err := l.deployment(deployment{
		autoscaled: true,
		pod:        celery(CeleryWorkerName, c.Commands.Worker, c.Probes.WorkerLiveness, c.Probes.WorkerReadiness, scaling.Resources, true),
	}, pulumi.DependsOn(args.DependsOn))
	if err != nil {
		return nil, fmt.Errorf("celery worker: %w", err)
	}
	if _, err := l.autoscaler(CeleryWorkerName, "worker", scaling, worker); err != nil {
		return nil, err
	}
	if _, err := l.disruptionBudget(CeleryWorkerName, "worker", false); err != nil {
		return nil, err
	}
	beat, err := l.deployment(deployment{
		replicas: 1, recreate: true,
		pod: celery(CeleryBeatName, c.Commands.Beat, c.Probes.BeatLiveness, c.Probes.BeatReadiness, c.Workloads.CeleryBeat.Resources, false),
	}, pulumi.DependsOn(args.DependsOn))
	if err != nil {
		return nil, fmt.Errorf("celery beat: %w", err)
	}
	w.Deployments = pulumi.ToStringArrayOutput([]pulumi.StringOutput{worker.Metadata.Name().Elem(), beat.Metadata.Name().Elem()})
	return w, l.done(pulumi.Map{"deployments": w.Deployments})
}
