package platform

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pconfig "github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/jdjones/jd-jones-rag-infra/components"
	"github.com/jdjones/jd-jones-rag-infra/config"
)

// Program is the whole program. A bad config value fails it before any resource is registered.
func Program(ctx *pulumi.Context) error {
	p, err := Build(ctx)
	if err != nil {
		return err
	}
	for name, value := range Outputs(p) {
		ctx.Export(name, value)
	}
	return nil
}

// Build loads and validates the configuration, then registers the stack's Kubernetes provider and the
// platform on it.
func Build(ctx *pulumi.Context) (*components.Platform, error) {
	cfg, err := config.Load(ctx)
	if err != nil {
		return nil, err
	}
	// An extra object that would replace one of the platform's is refused before anything is registered.
	if err := components.CheckExtraObjects(ctx, platformName, cfg); err != nil {
		return nil, err
	}
	provider, err := clusterProvider(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return components.NewPlatform(ctx, platformName, &components.PlatformArgs{Config: cfg}, pulumi.Providers(provider))
}

// platformName is the Platform component's name, from which every child's name derives.
const platformName = "jd-jones-rag"

// renderDirectoryKey is the Kubernetes provider's configuration key that writes YAML instead of applying.
const renderDirectoryKey = "kubernetes:renderYamlToDirectory"

// clusterProvider is the explicit Kubernetes provider every object is created with: the stack's own
// context or kubeconfig (prod must name one; dev may use the ambient current context), Secrets updated
// in place (the default provider would replace a Secret whose data changes).
func clusterProvider(ctx *pulumi.Context, cfg *config.Config) (*kubernetes.Provider, error) {
	args := &kubernetes.ProviderArgs{EnableSecretMutable: pulumi.Bool(true)}
	if cfg.Cluster.Context != "" {
		args.Context = pulumi.String(cfg.Cluster.Context)
	}
	if cfg.Supplied.Kubeconfig {
		args.Kubeconfig = pconfig.RequireSecret(ctx, config.Project+":"+config.KubeconfigKey)
	}
	// `render` (and a user's `pulumi config set kubernetes:renderYamlToDirectory`) configure the default
	// provider's key; the explicit provider takes it the same way, and then needs no cluster at all (the
	// provider refuses a context or kubeconfig beside it).
	if dir, ok := ctx.GetConfig(renderDirectoryKey); ok && dir != "" {
		args = &kubernetes.ProviderArgs{EnableSecretMutable: pulumi.Bool(true), RenderYamlToDirectory: pulumi.String(dir)}
	}
	provider, err := kubernetes.NewProvider(ctx, "jd-jones-rag-cluster", args)
	if err != nil {
		return nil, fmt.Errorf("kubernetes provider: %w", err)
	}
	return provider, nil
}

// Outputs are the stack outputs: the namespace, the three URLs, the Service names, Grafana's admin
// password (a secret) and the release that applied the stack.
func Outputs(p *components.Platform) map[string]pulumi.Output {
	return map[string]pulumi.Output{
		"namespace":            p.Namespace,
		"supportUrl":           p.URLs.MapIndex(pulumi.String("support")),
		"portalUrl":            p.URLs.MapIndex(pulumi.String("portal")),
		"apiUrl":               p.URLs.MapIndex(pulumi.String("api")),
		"services":             p.Services,
		"grafanaAdminPassword": p.GrafanaAdminPassword,
		"release":              pulumi.String(Release).ToStringOutput(),
	}
}
