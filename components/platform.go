package components

import (
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// Platform is the whole JD Jones RAG namespace: every layer of the architecture review, wired together.
type Platform struct {
	pulumi.ResourceState

	// Namespace is the platform's namespace.
	Namespace pulumi.StringOutput `pulumi:"namespace"`
	// URLs maps support, portal and api to their https URLs.
	URLs pulumi.StringMapOutput `pulumi:"urls"`
	// Services maps each reachable component to its Service name.
	Services pulumi.StringMapOutput `pulumi:"services"`
	// GrafanaAdminPassword is Grafana's generated admin password, a secret.
	GrafanaAdminPassword pulumi.StringOutput `pulumi:"grafanaAdminPassword"`
}

// PlatformArgs configures the Platform.
type PlatformArgs struct {
	// Config is the validated stack configuration.
	Config *config.Config
}

// NewPlatform registers every layer in dependency order: the foundation, storage and data first, the
// migration before the API and workers, and the network policies over all of them.
func NewPlatform(ctx *pulumi.Context, name string, args *PlatformArgs, opts ...pulumi.ResourceOption) (*Platform, error) {
	p := &Platform{}
	c := args.Config
	b, err := register(ctx, "Platform", name, p, scope{instance: c.Namespace}, opts...)
	if err != nil {
		return nil, err
	}
	child := b.opts(nil)
	foundation, err := NewFoundation(ctx, b.child("foundation"), &FoundationArgs{Config: c, Instance: c.Namespace}, child...)
	if err != nil {
		return nil, err
	}
	// The workloads reading the synced Secrets wait until their ExternalSecrets are Ready.
	synced, err := syncedSecrets(ctx, b.child("external-secrets"), c, foundation, child...)
	if err != nil {
		return nil, err
	}
	storage, err := NewSharedStorage(ctx, b.child("storage"), &SharedStorageArgs{Config: c, Foundation: foundation}, child...)
	if err != nil {
		return nil, err
	}
	data, err := NewDataLayer(ctx, b.child("data"), &DataLayerArgs{Config: c, Foundation: foundation}, child...)
	if err != nil {
		return nil, err
	}
	api, err := NewAPILayer(ctx, b.child("api"), &APILayerArgs{
		Config: c, Foundation: foundation, Storage: storage, DependsOn: slices.Concat(data.migrationDependencies(), synced),
	}, child...)
	if err != nil {
		return nil, err
	}
	if _, err := NewWorkerLayer(ctx, b.child("workers"), &WorkerLayerArgs{
		Config: c, Foundation: foundation, Storage: storage, DependsOn: api.migrations,
	}, child...); err != nil {
		return nil, err
	}
	frontend, err := NewFrontendLayer(ctx, b.child("frontend"), &FrontendLayerArgs{Config: c, Foundation: foundation}, child...)
	if err != nil {
		return nil, err
	}
	if _, err := NewMonitoringLayer(ctx, b.child("monitoring"), &MonitoringLayerArgs{Config: c, Foundation: foundation}, child...); err != nil {
		return nil, err
	}
	if _, err := NewExternalExporters(ctx, b.child("exporters"), &ExternalExportersArgs{Config: c, Foundation: foundation}, child...); err != nil {
		return nil, err
	}
	if _, err := NewBackups(ctx, b.child("backups"), &BackupsArgs{Config: c, Foundation: foundation}, append(child, pulumi.DependsOn(data.statefulSets))...); err != nil {
		return nil, err
	}
	if _, err := NewNetworkPolicies(ctx, b.child("network"), &NetworkPoliciesArgs{Config: c, Foundation: foundation}, child...); err != nil {
		return nil, err
	}
	// The stack's extra manifests come last, and only when there are some, so a stack without them
	// registers exactly what it did before (CheckExtraObjects has refused any that clash).
	if len(c.ExtraObjects) > 0 {
		if _, err := NewExtraObjects(ctx, b.child("extra-objects"), &ExtraObjectsArgs{Config: c, Foundation: foundation}, child...); err != nil {
			return nil, err
		}
	}
	// Every Service is named after its workload, so the names are known without waiting for any of them.
	services := map[string]string{}
	for _, name := range slices.Concat(applicationServices(), data.serviceNames, []string{PrometheusName, GrafanaName}) {
		services[name] = name
	}
	p.Namespace = foundation.Namespace
	p.URLs = frontend.URLs
	p.Services = pulumi.ToStringMap(services).ToStringMapOutput()
	p.GrafanaAdminPassword = pulumi.ToSecret(foundation.GrafanaAdminPassword).(pulumi.StringOutput)
	return p, b.done(pulumi.Map{
		"namespace": p.Namespace, "urls": p.URLs, "services": p.Services, "grafanaAdminPassword": p.GrafanaAdminPassword,
	})
}
