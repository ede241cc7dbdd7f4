// Package platform is the Pulumi program: it loads the stack's configuration, builds the platform and
// exports its outputs. main.go runs it; the Automation API runs it inline.
package platform

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

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

// Build loads and validates the configuration, then registers the platform.
func Build(ctx *pulumi.Context) (*components.Platform, error) {
	cfg, err := config.Load(ctx)
	if err != nil {
		return nil, err
	}
	return components.NewPlatform(ctx, "jd-jones-rag", &components.PlatformArgs{Config: cfg})
}

// Outputs are the stack outputs: the namespace, the three URLs, the Service names and Grafana's admin
// password (a secret).
func Outputs(p *components.Platform) map[string]pulumi.Output {
	return map[string]pulumi.Output{
		"namespace":            p.Namespace,
		"supportUrl":           p.URLs.MapIndex(pulumi.String("support")),
		"portalUrl":            p.URLs.MapIndex(pulumi.String("portal")),
		"apiUrl":               p.URLs.MapIndex(pulumi.String("api")),
		"services":             p.Services,
		"grafanaAdminPassword": p.GrafanaAdminPassword,
	}
}
