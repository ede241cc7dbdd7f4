package main

import (
	"context"
	"fmt"
	"os"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// version is the pack's version; keep it equal to PulumiPolicy.yaml's.
var version = semver.MustParse("0.1.0")

func main() {
	if err := policyx.Main(newPack); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// newPack builds the pack when the engine configures a stack, so it knows the stack's name and
// config; production is decided here because stack policies get no config of their own.
func newPack(ctx *pulumi.Context) (policyx.PolicyPack, error) {
	production, _ := checks.DetectProduction(ctx.Project(), ctx.Stack(), ctx.GetConfig)
	return buildPack(checks.NewSession(production), checks.DefaultPack())
}

// buildPack wires every policy of pack to policyx, sharing one session so each resource is decoded
// once and "cannot decide" notes reach the notes policies, which the pack runs last.
func buildPack(s *checks.Session, pack checks.Pack) (policyx.PolicyPack, error) {
	var policies []policyx.Policy
	for _, p := range pack.Policies() {
		policies = append(policies, wire(s, p))
	}
	return policyx.NewPolicyPack(checks.PackName, version, policyx.EnforcementLevelAdvisory, policies)
}

var levels = map[checks.Level]policyx.EnforcementLevel{
	checks.Advisory:  policyx.EnforcementLevelAdvisory,
	checks.Mandatory: policyx.EnforcementLevelMandatory,
	checks.Disabled:  policyx.EnforcementLevelDisabled,
}

// wire makes one policyx policy of p that runs it through the session and reports what it returns.
func wire(s *checks.Session, p *checks.Policy) policyx.Policy {
	var schema *policyx.ConfigSchema
	if props := p.Schema(); props != nil {
		schema = &policyx.ConfigSchema{Properties: props}
	}
	if p.IsStack() {
		return policyx.NewStackValidationPolicy(p.Name, policyx.StackValidationPolicyArgs{
			Description:      p.Description,
			EnforcementLevel: levels[p.Level],
			ConfigSchema:     schema,
			ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
				if len(args.Resources) == 0 {
					return nil
				}
				key := &args.Resources[0] // the engine passes the same slice to every stack policy
				report(args.Manager, s.RunStack(p, key, func() []checks.Resource {
					rs := make([]checks.Resource, len(args.Resources))
					for i, r := range args.Resources {
						rs[i] = resourceOf(r, true)
					}
					return rs
				}))
				return nil
			},
		})
	}
	return policyx.NewResourceValidationPolicy(p.Name, policyx.ResourceValidationPolicyArgs{
		Description:      p.Description,
		EnforcementLevel: levels[p.Level],
		ConfigSchema:     schema,
		ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
			report(args.Manager, s.RunResource(p, resourceOf(args.Resource, false), args.Config))
			return nil
		},
	})
}

// resourceOf converts the analyzer's view of a resource into the engine-neutral checks.Resource.
func resourceOf(r policyx.AnalyzerResource, outputs bool) checks.Resource {
	res := checks.Resource{
		Type:          r.Type,
		URN:           r.URN,
		Name:          r.Name,
		Properties:    r.Properties,
		IgnoreChanges: r.Options.IgnoreChanges,
		FromOutputs:   outputs,
	}
	if ns, ok := r.Provider.Properties.GetOk("namespace"); ok && ns.IsString() {
		res.DefaultNamespace = ns.AsString()
	}
	return res
}

// report hands findings to the engine, each against its resource.
func report(m policyx.PolicyManager, fs []checks.Finding) {
	for _, f := range fs {
		m.ReportViolation(f.Message, f.URN)
	}
}
