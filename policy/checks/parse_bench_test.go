package checks

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// BenchmarkParseManifests reads the synthetic 10,000-resource stack back from one multi-document
// YAML stream, as guardrails reads `helm template` output.
func BenchmarkParseManifests(b *testing.B) {
	var stream bytes.Buffer
	for _, r := range syntheticStack(10_000) {
		obj := plain(property.New(r.Properties)).(map[string]any)
		obj["apiVersion"], obj["kind"] = apiVersionAndKind(r.Type)
		doc, err := yaml.Marshal(obj)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&stream, "---\n%s", doc)
	}
	data := stream.Bytes()
	b.ResetTimer()
	for range b.N {
		if _, err := engine.ParseManifests(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10_000), "ns/object")
}

// apiVersionAndKind is the inverse of TypeToken for the bench's type tokens.
func apiVersionAndKind(typ string) (string, string) {
	group, version, kind, _ := engine.ParseTypeToken(typ)
	if group == "" {
		return version, kind
	}
	return group + "/" + version, kind
}

// plain turns a property value into JSON-like data.
func plain(v property.Value) any {
	switch {
	case v.IsMap():
		m := map[string]any{}
		for k, e := range v.AsMap().All {
			m[k] = plain(e)
		}
		return m
	case v.IsArray():
		var a []any
		for _, e := range v.AsArray().All {
			a = append(a, plain(e))
		}
		return a
	case v.IsString():
		return v.AsString()
	case v.IsNumber():
		return v.AsNumber()
	case v.IsBool():
		return v.AsBool()
	}
	return nil
}
