package stacktest

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Canonical is the record as indented JSON, one entry per resource sorted by URN, with everything the
// program decides about it: inputs (secrets wrapped as {"secret": value}, unknowns as "<unknown>"),
// protection, retention, ignored changes, dependencies, timeouts and provider. Two runs that register
// the same objects give the same bytes, whatever order they registered them in.
func (r *Record) Canonical() ([]byte, error) {
	type entry struct {
		URN            string   `json:"urn"`
		Protect        bool     `json:"protect,omitempty"`
		RetainOnDelete bool     `json:"retainOnDelete,omitempty"`
		IgnoreChanges  []string `json:"ignoreChanges,omitempty"`
		Dependencies   []string `json:"dependencies,omitempty"`
		CreateTimeout  string   `json:"createTimeout,omitempty"`
		UpdateTimeout  string   `json:"updateTimeout,omitempty"`
		Provider       string   `json:"provider,omitempty"`
		Inputs         any      `json:"inputs"`
	}
	entries := make([]entry, 0, len(r.Resources))
	for _, res := range r.Resources {
		deps := slices.Clone(res.Dependencies)
		slices.Sort(deps)
		entries = append(entries, entry{
			URN: res.URN, Protect: res.Protect, RetainOnDelete: res.RetainOnDelete,
			IgnoreChanges: res.IgnoreChanges, Dependencies: deps,
			CreateTimeout: res.CreateTimeout, UpdateTimeout: res.UpdateTimeout,
			Provider: res.Provider, Inputs: plain(resource.NewProperty(res.Inputs)),
		})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.URN, b.URN) })
	return json.MarshalIndent(entries, "", "  ")
}

// plain is v as JSON-ready values, keeping what JSON cannot say (secret, unknown) visible.
func plain(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return map[string]any{"secret": plain(v.SecretValue().Element)}
	case v.IsComputed(), v.IsOutput() && !v.OutputValue().Known:
		return "<unknown>"
	case v.IsOutput() && v.OutputValue().Secret:
		return map[string]any{"secret": plain(v.OutputValue().Element)}
	case v.IsOutput():
		return plain(v.OutputValue().Element)
	case v.IsObject():
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			out[string(k)] = plain(e)
		}
		return out
	case v.IsArray():
		out := make([]any, 0, len(v.ArrayValue()))
		for _, e := range v.ArrayValue() {
			out = append(out, plain(e))
		}
		return out
	default:
		return v.Mappable()
	}
}
