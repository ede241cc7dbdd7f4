package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agext/levenshtein"
	corev1 "k8s.io/api/core/v1"
)

// A stack file's object values reach the program as JSON. Go's decoder would name a misspelt field
// without its path, match field names case-insensitively and describe a wrong type in Go's words, so
// each value is first checked against its field's type here: every problem is found at once and named
// by its dotted key, the value as written and the expected type in TypeName's vocabulary.

// apiShapes are the fields held as plain JSON in the config structs but decoded into the Kubernetes
// API's types (PodOptions.Placement and Extras): they are checked against those types.
var apiShapes = map[reflect.Type]map[string]reflect.Type{
	reflect.TypeFor[PodOptions](): {
		"tolerations":    reflect.TypeFor[[]corev1.Toleration](),
		"affinity":       reflect.TypeFor[corev1.Affinity](),
		"topologySpread": reflect.TypeFor[[]corev1.TopologySpreadConstraint](),
		"volumes":        reflect.TypeFor[[]corev1.Volume](),
		"volumeMounts":   reflect.TypeFor[[]corev1.VolumeMount](),
		"sidecars":       reflect.TypeFor[[]corev1.Container](),
	},
}

// keyPath is where a value sits under a config key: its dotted key, and the longest prefix of it made
// of the schema's own names only (no map key or field name the stack's author wrote), which is all a
// message about a secret key may show.
type keyPath struct {
	dotted, schema string
	// written is set once a segment came from the stack file rather than the schema.
	written bool
}

// field is the path of the field name of the object at p.
func (p keyPath) field(name string) keyPath {
	p.dotted += "." + name
	if !p.written {
		p.schema = p.dotted
	}
	return p
}

// entry is the path of the entry key, written by the stack's author, of the map at p.
func (p keyPath) entry(key string) keyPath {
	p.dotted += "." + key
	p.written = true
	return p
}

// index is the path of the i-th element of the list at p.
func (p keyPath) index(i int) keyPath {
	p.dotted += fmt.Sprintf("[%d]", i)
	if !p.written {
		p.schema = p.dotted
	}
	return p
}

// decodeProblem is one value that does not fit its field: a field its object does not have, or a value
// of the wrong type.
type decodeProblem struct {
	// at is where the value is, or, for an unknown field, the object that does not have it.
	at keyPath
	// unknown is the name of a field the object does not have, fields the names it does have.
	unknown string
	fields  []string
	// value is the value found (decoded with UseNumber) where a value of expected belongs.
	value    any
	expected reflect.Type
	// invalidJSON is the parser's complaint when the config value is not JSON at all.
	invalidJSON string
}

// fieldError is the problem as a stack file's author reads it; a secret key's value, and any name its
// author wrote under it, are never shown.
func (p decodeProblem) fieldError(secret bool) *FieldError {
	switch {
	case p.unknown != "" && secret:
		return &FieldError{Key: p.at.schema, Value: secretValue, Allowed: "has an unknown field (not named: the key is a secret); the fields are " + strings.Join(p.fields, ", ")}
	case p.unknown != "":
		return &FieldError{Key: p.at.dotted + "." + p.unknown, Allowed: fmt.Sprintf("is not a field of %s; %s", p.at.dotted, suggestion(p.unknown, p.fields, "fields"))}
	case p.invalidJSON != "" && secret:
		return &FieldError{Key: p.at.schema, Value: secretValue, Allowed: "must be " + withArticle(TypeName(p.expected)) + ", and is not valid JSON"}
	case p.invalidJSON != "":
		return &FieldError{Key: p.at.dotted, Value: p.value, Allowed: "must be " + withArticle(TypeName(p.expected)) + ", and is not valid JSON: " + p.invalidJSON}
	case secret && p.at.written:
		return &FieldError{Key: p.at.schema, Value: secretValue, Allowed: "holds a value that " + expectation(p.expected, nil)}
	case secret:
		return &FieldError{Key: p.at.dotted, Value: secretValue, Allowed: expectation(p.expected, nil)}
	}
	return &FieldError{Key: p.at.dotted, Value: asWritten(p.value), Allowed: expectation(p.expected, p.value)}
}

// expectation says what type a value must be, with the YAML quoting hint when a string was written bare.
func expectation(t reflect.Type, found any) string {
	want := "must be " + withArticle(TypeName(t))
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return want + " (true or false)"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n, ok := found.(json.Number); ok && isWhole(n) {
			shift := 64 - t.Bits()
			return fmt.Sprintf("%s between %d and %d", want, int64(math.MinInt64)>>shift, int64(math.MaxInt64)>>shift)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n, ok := found.(json.Number); ok && isWhole(n) {
			return fmt.Sprintf("%s between 0 and %d", want, uint64(math.MaxUint64)>>(64-t.Bits()))
		}
	case reflect.String:
		switch found.(type) {
		case json.Number, bool:
			return fmt.Sprintf("%s (in YAML, quote it: \"%v\")", want, found)
		}
	}
	return want
}

// isWhole reports whether n is written as a whole number.
func isWhole(n json.Number) bool {
	digits := strings.TrimPrefix(string(n), "-")
	return digits != "" && strings.Trim(digits, "0123456789") == ""
}

// withArticle puts "a" or "an" before a type's name.
func withArticle(name string) string {
	if strings.ContainsRune("aeiou", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}

// written is a value shown as JSON, as the stack file holds it; FieldError prints it bare.
type written string

// maxShown is how much of a value a message shows.
const maxShown = 60

// asWritten is v as compact JSON, cut to maxShown characters.
func asWritten(v any) written {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return written(fmt.Sprint(v))
	}
	s := strings.TrimSuffix(b.String(), "\n")
	if utf8.RuneCountInString(s) > maxShown {
		s = string([]rune(s)[:maxShown-1]) + "…"
	}
	return written(s)
}

// parseJSON reads a config value as JSON, keeping numbers as written.
func parseJSON(raw string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return v, nil
}

// checkJSON parses raw, the value of key, and checks it against t.
func checkJSON(key, raw string, t reflect.Type) []decodeProblem {
	at := keyPath{dotted: key, schema: key}
	v, err := parseJSON(raw)
	if err != nil {
		trimmed := strings.TrimSpace(raw)
		if trimmed == "" || !strings.ContainsRune("{[\"", rune(trimmed[0])) {
			// A plain string where an object belongs, as `key: text` writes in YAML.
			return []decodeProblem{{at: at, value: raw, expected: t}}
		}
		return []decodeProblem{{at: at, value: raw, expected: t, invalidJSON: strings.TrimPrefix(err.Error(), "json: ")}}
	}
	var c shapeChecker
	c.check(v, t, at)
	return c.problems
}

// unmarshalerType is implemented by types that decode themselves (quantities, int-or-strings).
var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// shapeChecker collects the problems of one value.
type shapeChecker struct{ problems []decodeProblem }

// wrongType records v at at, where a value of t belongs.
func (c *shapeChecker) wrongType(v any, t reflect.Type, at keyPath) {
	c.problems = append(c.problems, decodeProblem{at: at, value: v, expected: t})
}

// check checks v, decoded JSON, against t as encoding/json would decode it, but case-sensitively and
// refusing unknown fields; null is accepted anywhere, as the decoder leaves the field unset.
func (c *shapeChecker) check(v any, t reflect.Type, at keyPath) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil || t.Kind() == reflect.Interface || reflect.PointerTo(t).Implements(unmarshalerType) {
		return // Anything goes, or the type judges itself when decoded.
	}
	switch t.Kind() {
	case reflect.Struct:
		object, ok := v.(map[string]any)
		if !ok {
			c.wrongType(v, t, at)
			return
		}
		known := jsonFields(t)
		names := slices.Collect(func(yield func(string) bool) {
			for _, f := range known {
				if !yield(f.name) {
					return
				}
			}
		})
		for _, name := range slices.Sorted(maps.Keys(object)) {
			i := slices.IndexFunc(known, func(f jsonField) bool { return f.name == name })
			if i < 0 {
				c.problems = append(c.problems, decodeProblem{at: at, unknown: name, fields: names})
				continue
			}
			ft := known[i].typ
			if shape, ok := apiShapes[t][name]; ok {
				ft = shape
			}
			c.check(object[name], ft, at.field(name))
		}
	case reflect.Map:
		object, ok := v.(map[string]any)
		if !ok {
			c.wrongType(v, t, at)
			return
		}
		for _, k := range slices.Sorted(maps.Keys(object)) {
			c.check(object[k], t.Elem(), at.entry(k))
		}
	case reflect.Slice, reflect.Array:
		list, ok := v.([]any)
		if !ok {
			c.wrongType(v, t, at)
			return
		}
		for i, e := range list {
			c.check(e, t.Elem(), at.index(i))
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			c.wrongType(v, t, at)
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			c.wrongType(v, t, at)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(json.Number)
		if i, err := strconv.ParseInt(string(n), 10, 64); !ok || err != nil || reflect.New(t).Elem().OverflowInt(i) {
			c.wrongType(v, t, at)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := v.(json.Number)
		if u, err := strconv.ParseUint(string(n), 10, 64); !ok || err != nil || reflect.New(t).Elem().OverflowUint(u) {
			c.wrongType(v, t, at)
		}
	case reflect.Float32, reflect.Float64:
		n, ok := v.(json.Number)
		if f, err := strconv.ParseFloat(string(n), 64); !ok || err != nil || reflect.New(t).Elem().OverflowFloat(f) {
			c.wrongType(v, t, at)
		}
	}
}

// jsonField is a field as encoding/json names it.
type jsonField struct {
	name string
	typ  reflect.Type
}

// jsonFields lists the fields encoding/json decodes into struct type t, in declaration order; embedded
// structs without a name (Kubernetes's ",inline") contribute their own fields.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || (!f.IsExported() && !f.Anonymous):
			continue
		case name == "" && f.Anonymous && f.Type.Kind() == reflect.Struct:
			out = append(out, jsonFields(f.Type)...)
			continue
		case name == "":
			name = f.Name
		}
		out = append(out, jsonField{name, f.Type})
	}
	return out
}

// decodeProblems is the error of a value that does not fit its Kubernetes API type (decodeAPI).
type decodeProblems []decodeProblem

func (p decodeProblems) Error() string {
	msgs := make([]string, len(p))
	for i, problem := range p {
		msgs[i] = strings.TrimPrefix(problem.fieldError(false).Error(), "config "+Project+":")
	}
	return strings.Join(msgs, "; ")
}

// under puts the problems under the key prefix (a pod options key such as workloads.api.pod).
func (p decodeProblems) under(prefix string) decodeProblems {
	out := slices.Clone(p)
	for i := range out {
		out[i].at.dotted = prefix + "." + out[i].at.dotted
		out[i].at.schema = prefix + "." + out[i].at.schema
	}
	return out
}

// checkValue checks value, plain Go data from a decoded stack file, against t, naming problems from key.
func checkValue(key string, value any, t reflect.Type) decodeProblems {
	raw, err := json.Marshal(value)
	if err != nil {
		return decodeProblems{{at: keyPath{dotted: key, schema: key}, value: fmt.Sprint(value), expected: t}}
	}
	return checkJSON(key, string(raw), t)
}

// suggestion names the candidate closest to name by edit distance (ignoring case), or lists them all
// (as "the <what> are …") when none is close.
func suggestion(name string, candidates []string, what string) string {
	if best, ok := nearest(name, candidates); ok {
		return fmt.Sprintf("did you mean %s?", best)
	}
	return "the " + what + " are " + strings.Join(candidates, ", ")
}

// nearest is the candidate closest to name by edit distance, ignoring case (so a match that differs only
// in case comes first), when it is close enough to be the one meant.
func nearest(name string, candidates []string) (string, bool) {
	best, bestDistance := "", -1
	for _, c := range candidates {
		d := levenshtein.Distance(strings.ToLower(name), strings.ToLower(c), nil)
		if bestDistance < 0 || d < bestDistance {
			best, bestDistance = c, d
		}
	}
	return best, bestDistance >= 0 && bestDistance <= len(name)/2+1
}
