package engine

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// A policy declares its parameters as a struct whose value holds the defaults (Policy.Params). Each
// exported field is one parameter, described by its tags:
//
//	param:"minReplicas"   the config key
//	help:"…"              what it does (the schema's and the README's description)
//	min:"1"               the least integer accepted
//	enum:"a,b,c"          the only strings accepted
//	pattern:"^…$"         a regular expression every string must match
//
// Field types: bool, int, string, []string, *regexp.Regexp and []*regexp.Regexp (regular
// expressions, compiled when the config is decoded). Embedded structs contribute their fields.

// Param describes one parameter of a policy, as derived from its parameter struct.
type Param struct {
	// Name is the config key.
	Name string
	// Type is the JSON Schema type: "string", "boolean", "integer" or "array" (of strings).
	Type string
	// Default is the value used when the config does not set it, in JSON form ([]any for arrays,
	// float64 for integers, a regular expression's source for patterns).
	Default any
	// Description says what the parameter does.
	Description string
	// Regex marks strings (or array items) that are regular expressions.
	Regex bool
	// Minimum, when not nil, is the least integer accepted.
	Minimum *int
	// Enum, when not empty, lists the only strings accepted.
	Enum []string
	// Pattern, when not nil, is a regular expression every string must match.
	Pattern *regexp.Regexp

	field []int // index path of the struct field
}

// Parameters lists the policy's parameters, derived from its parameter struct.
func (p *Policy) Parameters() []Param {
	if p.Params == nil {
		return nil
	}
	return paramsOf(reflect.ValueOf(p.Params).Elem(), nil)
}

// paramsOf lists the parameters of a parameter struct (v) with their defaults, embedded structs included.
func paramsOf(v reflect.Value, index []int) []Param {
	var out []Param
	for i := range v.NumField() {
		f, fv := v.Type().Field(i), v.Field(i)
		path := append(slices.Clone(index), i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, paramsOf(fv, path)...)
			continue
		}
		name := f.Tag.Get("param")
		if name == "" || !f.IsExported() {
			continue
		}
		prm := Param{Name: name, Description: f.Tag.Get("help"), field: path}
		if m := f.Tag.Get("min"); m != "" {
			n, err := strconv.Atoi(m)
			if err != nil {
				panic(fmt.Sprintf("parameter %s: bad min tag %q", name, m))
			}
			prm.Minimum = &n
		}
		if e := f.Tag.Get("enum"); e != "" {
			prm.Enum = strings.Split(e, ",")
		}
		if pt := f.Tag.Get("pattern"); pt != "" {
			prm.Pattern = regexp.MustCompile(pt)
		}
		switch def := fv.Interface().(type) {
		case bool:
			prm.Type, prm.Default = "boolean", def
		case int:
			prm.Type, prm.Default = "integer", float64(def)
		case string:
			prm.Type, prm.Default = "string", def
		case *regexp.Regexp:
			prm.Type, prm.Default, prm.Regex = "string", def.String(), true
		case []string:
			prm.Type, prm.Default = "array", toAny(def, func(s string) string { return s })
		case []*regexp.Regexp:
			prm.Type, prm.Default, prm.Regex = "array", toAny(def, (*regexp.Regexp).String), true
		default:
			panic(fmt.Sprintf("parameter %s: unsupported type %T", name, def))
		}
		out = append(out, prm)
	}
	return out
}

func toAny[T any](vs []T, str func(T) string) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = str(v)
	}
	return out
}

// Schema returns the policy's config schema as JSON Schema properties, with defaults, in the shapes
// protobuf's structpb accepts ([]any rather than []string).
func (p *Policy) Schema() map[string]map[string]any {
	params := p.Parameters()
	if len(params) == 0 {
		return nil
	}
	props := map[string]map[string]any{}
	for _, prm := range params {
		s := map[string]any{"type": prm.Type, "description": prm.Description, "default": prm.Default}
		format := map[string]any{}
		if prm.Regex {
			format["format"] = "regex"
		}
		if len(prm.Enum) > 0 {
			format["enum"] = toAny(prm.Enum, func(s string) string { return s })
		}
		if prm.Pattern != nil {
			format["pattern"] = prm.Pattern.String()
		}
		if prm.Type == "array" {
			item := map[string]any{"type": "string"}
			for k, v := range format {
				item[k] = v
			}
			s["items"] = item
		} else {
			for k, v := range format {
				s[k] = v
			}
		}
		if prm.Minimum != nil {
			s["minimum"] = float64(*prm.Minimum)
		}
		props[prm.Name] = s
	}
	return props
}

// DecodeParams reads a policy's raw config properties (JSON-like, as Pulumi and pack config files
// give them) over the defaults into a new parameter struct, refusing values of the wrong type,
// regular expressions that do not compile and values outside the declared bounds. Keys that are not
// parameters are ignored. The error names the policy and the key.
func (p *Policy) DecodeParams(props map[string]any) (any, error) {
	if p.Params == nil {
		return nil, nil
	}
	out := reflect.New(reflect.TypeOf(p.Params).Elem())
	out.Elem().Set(reflect.ValueOf(p.Params).Elem())
	for _, prm := range p.Parameters() {
		raw, set := props[prm.Name]
		if !set || raw == nil {
			continue
		}
		v, err := prm.decode(raw)
		if err != nil {
			return nil, fmt.Errorf("policy %q: parameter %q: %w", p.Name, prm.Name, err)
		}
		out.Elem().FieldByIndex(prm.field).Set(reflect.ValueOf(v))
	}
	return out.Interface(), nil
}

// decode converts one raw value to the parameter's Go type.
func (prm Param) decode(raw any) (any, error) {
	switch prm.Type {
	case "boolean":
		b, ok := raw.(bool)
		if !ok {
			return nil, fmt.Errorf("want true or false, got %s", describe(raw))
		}
		return b, nil
	case "integer":
		n, ok := asInt(raw)
		if !ok {
			return nil, fmt.Errorf("want an integer, got %s", describe(raw))
		}
		if prm.Minimum != nil && n < *prm.Minimum {
			return nil, fmt.Errorf("%d is below the minimum %d", n, *prm.Minimum)
		}
		return n, nil
	case "string":
		s, ok := raw.(string)
		if !ok {
			return nil, fmt.Errorf("want a string, got %s", describe(raw))
		}
		if err := prm.check(s); err != nil {
			return nil, err
		}
		if prm.Regex {
			return compile(s)
		}
		return s, nil
	}
	items, ok := asStrings(raw)
	if !ok {
		return nil, fmt.Errorf("want a list of strings, got %s", describe(raw))
	}
	for i, s := range items {
		if err := prm.check(s); err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
	}
	if !prm.Regex {
		return items, nil
	}
	res := make([]*regexp.Regexp, len(items))
	for i, s := range items {
		re, err := compile(s)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		res[i] = re
	}
	return res, nil
}

// check refuses a string outside the parameter's enum or not matching its pattern.
func (prm Param) check(s string) error {
	if len(prm.Enum) > 0 && !slices.Contains(prm.Enum, s) {
		return fmt.Errorf("%q is not one of %s", s, strings.Join(prm.Enum, ", "))
	}
	if prm.Pattern != nil && !prm.Pattern.MatchString(s) {
		return fmt.Errorf("%q does not match %s", s, prm.Pattern)
	}
	return nil
}

func asInt(raw any) (int, bool) {
	switch v := raw.(type) {
	case int:
		return v, true
	case float64:
		if v == math.Trunc(v) && math.Abs(v) <= math.MaxInt32 {
			return int(v), true
		}
	}
	return 0, false
}

func asStrings(raw any) ([]string, bool) {
	switch v := raw.(type) {
	case []string:
		return v, true
	case []any:
		out := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// describe names a raw value's JSON type for error messages.
func describe(raw any) string {
	switch raw.(type) {
	case bool:
		return fmt.Sprintf("the boolean %v", raw)
	case float64, int:
		return fmt.Sprintf("the number %v", raw)
	case string:
		return fmt.Sprintf("the string %q", raw)
	case []any, []string:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", raw)
}

var regexCache sync.Map // pattern -> *regexp.Regexp

// compile compiles a configured regular expression, reusing earlier compilations.
func compile(pattern string) (*regexp.Regexp, error) {
	if v, ok := regexCache.Load(pattern); ok {
		return v.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("%q is not a regular expression: %w", pattern, err)
	}
	regexCache.Store(pattern, re)
	return re, nil
}

// MustCompileAll compiles default patterns.
func MustCompileAll(patterns ...string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(patterns))
	for i, p := range patterns {
		out[i] = regexp.MustCompile(p)
	}
	return out
}

// ProductionSwitch is embedded in the parameters of policies with production-only rules, so their
// own config can apply those rules whatever the stack.
type ProductionSwitch struct {
	Production bool `param:"production" help:"treat the stack as production whatever its name or config"`
}

func (p *ProductionSwitch) forcesProduction() bool { return p.Production }

// Config is what a check runs with: its policy's decoded parameters and whether the stack is production.
type Config struct {
	// Params points at the policy's parameter struct (the type of Policy.Params), decoded from the
	// pack config over the defaults; nil for policies without parameters.
	Params any
	// Production is true for production stacks (see DetectProduction) or when the policy's own
	// config sets "production": true.
	Production bool

	// paramsOf returns another policy's parameters as configured for this run.
	paramsOf func(p *Policy) any
}

// newConfig builds the config of a check from its decoded parameters and the stack's production flag.
func newConfig(params any, production bool, paramsOf func(*Policy) any) *Config {
	if f, ok := params.(interface{ forcesProduction() bool }); ok && f.forcesProduction() {
		production = true
	}
	return &Config{Params: params, Production: production, paramsOf: paramsOf}
}

// ParamsOf returns the parameters of policy p (its parameter struct, as for Config.Params) as
// configured for this run, so two policies can read one setting.
func (c *Config) ParamsOf(p *Policy) any {
	if c.paramsOf != nil {
		if v := c.paramsOf(p); v != nil {
			return v
		}
	}
	return p.Params
}
