package main

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/platform"
	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// BenchmarkPackOverTheDevStack runs the wired pack over the dev stack's resources as policyx's
// analyzer server does (every resource policy on each resource, then the stack policies), without
// the transport: the pack's own cost in a preview.
func BenchmarkPackOverTheDevStack(b *testing.B) {
	cfg, err := stacktest.StackConfig("dev")
	if err != nil {
		b.Fatal(err)
	}
	rec, err := stacktest.Run("dev", cfg, platform.Program)
	if err != nil {
		b.Fatal(err)
	}
	var resources []policyx.AnalyzerResource
	for _, r := range rec.Resources {
		resources = append(resources, policyx.AnalyzerResource{Type: r.Type, Name: r.Name, URN: r.URN,
			Properties: resource.FromResourcePropertyMap(r.Inputs)})
	}
	manager := reporter(func(string, string) {})
	for b.Loop() {
		pack, err := buildPack(checks.NewSession(false), checks.DefaultPack())
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range resources {
			for _, p := range pack.Policies() {
				if rp, ok := p.(policyx.ResourceValidationPolicy); ok {
					_ = rp.Validate(context.Background(), policyx.ResourceValidationArgs{Manager: manager, Resource: r})
				}
			}
		}
		for _, p := range pack.Policies() {
			if sp, ok := p.(policyx.StackValidationPolicy); ok {
				_ = sp.Validate(context.Background(), policyx.StackValidationArgs{Manager: manager, Resources: resources})
			}
		}
	}
}
