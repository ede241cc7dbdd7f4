package main

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	"google.golang.org/protobuf/types/known/structpb"

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

// BenchmarkPolicyxDecoding measures what policyx's analyzer server spends turning a resource's wire
// properties back into a property map: it does so once per resource policy for every resource
// (server.go, Analyze), where once per resource would do. "per-policy" is that cost over the dev
// stack with this pack's resource policies, "once" the cost of decoding each resource a single time.
func BenchmarkPolicyxDecoding(b *testing.B) {
	cfg, err := stacktest.StackConfig("dev")
	if err != nil {
		b.Fatal(err)
	}
	rec, err := stacktest.Run("dev", cfg, platform.Program)
	if err != nil {
		b.Fatal(err)
	}
	opts := plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true, KeepOutputValues: true}
	var wire []*structpb.Struct
	for _, r := range rec.Resources {
		w, err := plugin.MarshalProperties(r.Inputs, opts)
		if err != nil {
			b.Fatal(err)
		}
		wire = append(wire, w)
	}
	pack, err := buildPack(checks.NewSession(false), checks.DefaultPack())
	if err != nil {
		b.Fatal(err)
	}
	resourcePolicies := 0
	for _, p := range pack.Policies() {
		if _, ok := p.(policyx.ResourceValidationPolicy); ok {
			resourcePolicies++
		}
	}
	decode := func(b *testing.B, times int) {
		for b.Loop() {
			for _, w := range wire {
				for range times {
					if _, err := plugin.UnmarshalProperties(w, opts); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
		b.ReportMetric(float64(len(wire)), "resources")
	}
	b.Run("per-policy", func(b *testing.B) {
		decode(b, resourcePolicies)
		b.ReportMetric(float64(resourcePolicies), "policies")
	})
	b.Run("once", func(b *testing.B) { decode(b, 1) })
}
