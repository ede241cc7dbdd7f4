package engine

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	yamlv2 "go.yaml.in/yaml/v2"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Resource is one resource as an engine hands it to the checks: the Pulumi analyzer, a mock
// test's record of registered resources, or a rendered manifest. Nothing in it depends on policyx.
type Resource struct {
	// Type is the Pulumi type token, e.g. "kubernetes:apps/v1:Deployment".
	Type string
	// URN identifies the resource in findings and is what policy exceptions match.
	URN string
	// Name is the Pulumi resource name; it names the object when metadata.name is absent (auto-naming).
	Name string
	// Properties are the resource's inputs (or outputs, for stack checks) in Kubernetes JSON casing.
	Properties property.Map
	// IgnoreChanges is the resource's ignoreChanges option, e.g. ["spec.replicas"], when known.
	IgnoreChanges []string
	// DefaultNamespace is the namespace the provider applies when metadata.namespace is unset
	// ("" means "default").
	DefaultNamespace string
	// FromManifest marks a resource read from a rendered manifest rather than from Pulumi, where
	// Pulumi's secret markers do not exist.
	FromManifest bool
	// FromOutputs marks properties that are the resource's outputs (what Pulumi gives stack
	// policies) rather than its inputs; outputs carry server-side defaults such as spec.replicas.
	FromOutputs bool
}

// ResourceFromInputs builds a Resource from a mock's record of a registered resource (type token,
// name and inputs as the Pulumi Go SDK's mocks see them), with a synthetic top-level URN
// (urn:pulumi:stack::project::<type>::<name>); set URN to the real one when exceptions must match.
func ResourceFromInputs(typ, name string, inputs resource.PropertyMap) Resource {
	return Resource{
		Type:       typ,
		URN:        SyntheticURN("stack", "project", typ, name),
		Name:       name,
		Properties: resource.FromResourcePropertyMap(inputs),
	}
}

// SyntheticURN builds the URN Pulumi would give a top-level resource, for findings on resources that
// did not come with one.
func SyntheticURN(stack, project, typ, name string) string {
	return fmt.Sprintf("urn:pulumi:%s::%s::%s::%s", stack, project, typ, name)
}

// TypeToken returns the Pulumi Kubernetes type token for an apiVersion and kind, e.g.
// ("v1", "Pod") -> "kubernetes:core/v1:Pod" and ("apps/v1", "Deployment") -> "kubernetes:apps/v1:Deployment".
func TypeToken(apiVersion, kind string) string {
	if !strings.Contains(apiVersion, "/") {
		apiVersion = "core/" + apiVersion
	}
	return "kubernetes:" + apiVersion + ":" + kind
}

// ResourceFromManifest builds a Resource from one Kubernetes object as plain JSON-like data (the
// result of unmarshalling YAML or JSON), so rendered manifests run through the very same checks.
func ResourceFromManifest(obj map[string]any) (Resource, error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "" || kind == "" {
		return Resource{}, errors.New("manifest object has no apiVersion or kind")
	}
	props, err := propertyMapFromPlain(obj)
	if err != nil {
		return Resource{}, err
	}
	name, namespace := "", ""
	if md, ok := obj["metadata"].(map[string]any); ok {
		name, _ = md["name"].(string)
		namespace, _ = md["namespace"].(string)
	}
	typ := TypeToken(apiVersion, kind)
	urnName := name
	if namespace != "" {
		urnName = namespace + "/" + name
	}
	return Resource{
		Type:         typ,
		URN:          SyntheticURN("manifest", "manifest", typ, urnName),
		Name:         name,
		Properties:   props,
		FromManifest: true,
	}, nil
}

// ParseManifests reads a multi-document YAML (or JSON) stream such as `helm template` output and
// returns one Resource per object; `kind: List` objects are flattened and empty documents skipped.
func ParseManifests(r io.Reader) ([]Resource, error) {
	docs, err := splitYAMLDocuments(r)
	if err != nil {
		return nil, err
	}
	parsed := make([][]Resource, len(docs))
	errs := make([]error, len(docs))
	// Documents parse independently: use every core, keep the stream's order.
	parallel(len(docs), func(i int) { parsed[i], errs[i] = parseDocument(docs[i], i) })
	var out []Resource
	for i := range docs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, parsed[i]...)
	}
	return out, nil
}

// parseDocument reads the objects of the i-th document of a stream (a List holds several).
func parseDocument(doc []byte, i int) ([]Resource, error) {
	var out []Resource
	{
		if len(bytes.TrimSpace(doc)) == 0 {
			return nil, nil
		}
		obj, err := parseYAMLObject(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		if obj == nil {
			return nil, nil
		}
		objs := []map[string]any{obj}
		if kind, _ := obj["kind"].(string); strings.HasSuffix(kind, "List") {
			objs = nil
			items, _ := obj["items"].([]any)
			for _, it := range items {
				if m, ok := it.(map[string]any); ok {
					objs = append(objs, m)
				}
			}
		}
		for _, o := range objs {
			res, err := ResourceFromManifest(o)
			if err != nil {
				return nil, fmt.Errorf("document %d: %w", i+1, err)
			}
			out = append(out, res)
		}
	}
	return out, nil
}

// parseYAMLObject reads one YAML document as kubectl does (YAML 1.1, through the same go.yaml.in/yaml/v2
// parser sigs.k8s.io/yaml uses), converting straight to JSON-like values instead of sigs.k8s.io/yaml's
// round trip through JSON text, which cost a third of the parsing time. A document that is not a
// mapping is refused.
func parseYAMLObject(doc []byte) (map[string]any, error) {
	var raw any
	if err := yamlv2.Unmarshal(doc, &raw); err != nil {
		return nil, fmt.Errorf("error converting YAML to JSON: %w", err)
	}
	if raw == nil {
		return nil, nil
	}
	v, err := jsonLike(raw)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("a document must be a mapping, not %T", raw)
	}
	return obj, nil
}

// jsonLike turns yaml.v2 values into the values encoding/json would produce: string keys (non-string
// keys printed as sigs.k8s.io/yaml prints them), float64 numbers.
func jsonLike(v any) (any, error) {
	switch v := v.(type) {
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			var key string
			switch k := k.(type) {
			case string:
				key = k
			case int, int64, uint64, float64, bool:
				key = fmt.Sprint(k)
			default:
				return nil, fmt.Errorf("unsupported map key %v of type %T", k, k)
			}
			conv, err := jsonLike(e)
			if err != nil {
				return nil, err
			}
			out[key] = conv
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			conv, err := jsonLike(e)
			if err != nil {
				return nil, err
			}
			out[i] = conv
		}
		return out, nil
	case int:
		return float64(v), nil
	case int64:
		return float64(v), nil
	case uint64:
		return float64(v), nil
	case nil, bool, string, float64:
		return v, nil
	default:
		return nil, fmt.Errorf("unsupported value %v of type %T", v, v)
	}
}

// splitYAMLDocuments splits a YAML stream into documents exactly as kubectl does, with apimachinery's
// YAML reader: a "---" line, optionally followed by blanks and a comment, separates documents, and any
// other text after "---" is an error.
func splitYAMLDocuments(r io.Reader) ([][]byte, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReaderSize(r, 64<<10))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		switch {
		case err == io.EOF:
			return docs, nil
		case err != nil:
			return nil, fmt.Errorf("document %d: %w", len(docs)+1, err)
		}
		docs = append(docs, doc)
	}
}

// propertyMapFromPlain converts JSON-like data into a property.Map.
func propertyMapFromPlain(m map[string]any) (property.Map, error) {
	out := make(map[string]property.Value, len(m))
	for k, v := range m {
		pv, err := propertyFromPlain(v)
		if err != nil {
			return property.Map{}, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = pv
	}
	return property.NewMap(out), nil
}

func propertyFromPlain(v any) (property.Value, error) {
	switch v := v.(type) {
	case nil:
		return property.Value{}, nil
	case bool:
		return property.New(v), nil
	case string:
		return property.New(v), nil
	case float64:
		return property.New(v), nil
	case int:
		return property.New(float64(v)), nil
	case int64:
		return property.New(float64(v)), nil
	case []any:
		arr := make([]property.Value, len(v))
		for i, e := range v {
			pv, err := propertyFromPlain(e)
			if err != nil {
				return property.Value{}, fmt.Errorf("[%d]: %w", i, err)
			}
			arr[i] = pv
		}
		return property.New(arr), nil
	case map[string]any:
		m, err := propertyMapFromPlain(v)
		if err != nil {
			return property.Value{}, err
		}
		return property.New(m), nil
	default:
		return property.Value{}, fmt.Errorf("unsupported value of type %T", v)
	}
}
