package main

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Input property names of random:index/randomPassword:RandomPassword (the real schema's).
const (
	keyKeepers         = "keepers"
	keyLength          = "length"
	keyLower           = "lower"
	keyUpper           = "upper"
	keyNumeric         = "numeric"
	keyNumber          = "number" // deprecated alias of numeric
	keySpecial         = "special"
	keyMinLower        = "minLower"
	keyMinUpper        = "minUpper"
	keyMinNumeric      = "minNumeric"
	keyMinSpecial      = "minSpecial"
	keyOverrideSpecial = "overrideSpecial"
	keyResult          = "result"
	keyBcryptHash      = "bcryptHash"
)

// Character-class switches, all true by default, and minimums, all 0 by default.
var (
	classKeys   = []resource.PropertyKey{keyLower, keyUpper, keyNumeric, keySpecial}
	minimumKeys = []resource.PropertyKey{keyMinLower, keyMinUpper, keyMinNumeric, keyMinSpecial}
)

// inputKeys are all input properties; a change to any of them replaces the password.
var inputKeys = []resource.PropertyKey{
	keyKeepers, keyLength, keyLower, keyUpper, keyNumeric, keyNumber, keySpecial,
	keyMinLower, keyMinUpper, keyMinNumeric, keyMinSpecial, keyOverrideSpecial,
}

func isInputKey(k resource.PropertyKey) bool {
	for _, ik := range inputKeys {
		if k == ik {
			return true
		}
	}
	return false
}

// reveal returns v with every secret wrapper removed, at any depth.
func reveal(v resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsSecret():
		return reveal(v.SecretValue().Element)
	case v.IsObject():
		m := resource.PropertyMap{}
		for k, e := range v.ObjectValue() {
			m[k] = reveal(e)
		}
		return resource.NewObjectProperty(m)
	case v.IsArray():
		a := make([]resource.PropertyValue, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			a[i] = reveal(e)
		}
		return resource.NewArrayProperty(a)
	}
	return v
}

// isSet reports whether m holds a non-null value for k.
func isSet(m resource.PropertyMap, k resource.PropertyKey) bool {
	v, ok := m[k]
	return ok && !v.IsNull()
}

// withDefaults returns a copy of inputs with every unset switch and minimum filled in the way
// the real provider does: switches true, minimums 0, and number/numeric copied from whichever
// of the two is set. Secret and unknown values are kept as they are.
func withDefaults(inputs resource.PropertyMap) resource.PropertyMap {
	out := inputs.Copy()
	switch {
	case isSet(out, keyNumeric) && !isSet(out, keyNumber):
		out[keyNumber] = out[keyNumeric]
	case isSet(out, keyNumber) && !isSet(out, keyNumeric):
		out[keyNumeric] = out[keyNumber]
	}
	for _, k := range append(classKeys, keyNumber) {
		if !isSet(out, k) {
			out[k] = resource.NewBoolProperty(true)
		}
	}
	for _, k := range minimumKeys {
		if !isSet(out, k) {
			out[k] = resource.NewNumberProperty(0)
		}
	}
	return out
}

// checkInputs validates a RandomPassword's inputs and returns them with defaults filled in,
// plus one failure per problem found. Values unknown during preview are not judged.
func checkInputs(inputs resource.PropertyMap) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	var failures []*pulumirpc.CheckFailure
	fail := func(k resource.PropertyKey, format string, args ...any) {
		failures = append(failures, &pulumirpc.CheckFailure{Property: string(k), Reason: fmt.Sprintf(format, args...)})
	}

	for _, k := range inputs.StableKeys() {
		if !isInputKey(k) && !strings.HasPrefix(string(k), "__") {
			fail(k, "unknown property %q: RandomPassword takes %s", k, strings.Join(keyStrings(inputKeys), ", "))
		}
	}

	filled := withDefaults(inputs)
	plain := resource.PropertyMap{}
	for k, v := range filled {
		plain[k] = reveal(v)
	}

	// integer returns plain[k] as an int; ok is false when it is unknown or invalid (and reported).
	integer := func(k resource.PropertyKey) (n int, ok bool) {
		v := plain[k]
		switch {
		case v.IsComputed() || v.IsOutput():
			return 0, false
		case !v.IsNumber():
			fail(k, "%s must be a whole number, got a %s", k, v.TypeString())
			return 0, false
		case v.NumberValue() != math.Trunc(v.NumberValue()) || math.Abs(v.NumberValue()) > math.MaxInt32:
			fail(k, "%s must be a whole number, got %v", k, v.NumberValue())
			return 0, false
		}
		return int(v.NumberValue()), true
	}

	if !isSet(plain, keyLength) {
		fail(keyLength, "length is required: the number of characters of the password")
	} else if n, ok := integer(keyLength); ok && n < 1 {
		fail(keyLength, "length must be at least 1, got %d", n)
	}

	sum, sumKnown := 0, true
	for _, k := range minimumKeys {
		n, ok := integer(k)
		if !ok {
			sumKnown = false
			continue
		}
		if n < 0 {
			fail(k, "%s must be at least 0, got %d", k, n)
		}
		sum += n
	}
	if sumKnown && isSet(plain, keyLength) {
		if n, ok := integer(keyLength); ok && n >= 1 && n < sum {
			fail(keyLength, "length (%d) must be at least minUpper + minLower + minNumeric + minSpecial (%d)", n, sum)
		}
	}

	allOff, switchesKnown := true, true
	for _, k := range append(classKeys, keyNumber) {
		v := plain[k]
		switch {
		case v.IsComputed() || v.IsOutput():
			switchesKnown = false
		case !v.IsBool():
			fail(k, "%s must be true or false, got a %s", k, v.TypeString())
			switchesKnown = false
		case v.BoolValue() && k != keyNumber:
			allOff = false
		}
	}
	if switchesKnown && allOff {
		fail("", "at least one of lower, upper, numeric and special must be true")
	}
	if switchesKnown && isSet(inputs, keyNumber) && isSet(inputs, keyNumeric) &&
		plain[keyNumber].BoolValue() != plain[keyNumeric].BoolValue() {
		fail(keyNumber, "number is a deprecated alias of numeric and the two disagree (number=%t, numeric=%t): set only numeric",
			plain[keyNumber].BoolValue(), plain[keyNumeric].BoolValue())
	}

	if v := plain[keyOverrideSpecial]; !v.IsNull() && !v.IsString() && !v.IsComputed() && !v.IsOutput() {
		fail(keyOverrideSpecial, "overrideSpecial must be a string, got a %s", v.TypeString())
	}

	if v := plain[keyKeepers]; !v.IsNull() && !v.IsComputed() && !v.IsOutput() {
		if !v.IsObject() {
			fail(keyKeepers, "keepers must be a map of strings, got a %s", v.TypeString())
		} else {
			for _, mk := range v.ObjectValue().StableKeys() {
				e := v.ObjectValue()[mk]
				if !e.IsString() && !e.IsComputed() && !e.IsOutput() {
					fail(keyKeepers, "keepers[%q] must be a string, got a %s", mk, e.TypeString())
				}
			}
		}
	}

	return filled, failures
}

// specFromInputs decodes checked, fully known inputs.
func specFromInputs(inputs resource.PropertyMap) (passwordSpec, error) {
	filled, failures := checkInputs(inputs)
	if len(failures) > 0 {
		return passwordSpec{}, fmt.Errorf("invalid RandomPassword inputs: %s", failureText(failures))
	}
	plain := map[resource.PropertyKey]resource.PropertyValue{}
	for k, v := range filled {
		plain[k] = reveal(v)
		if plain[k].ContainsUnknowns() {
			return passwordSpec{}, fmt.Errorf("input %s is not known yet", k)
		}
	}
	num := func(k resource.PropertyKey) int { return int(plain[k].NumberValue()) }
	spec := passwordSpec{
		Length:     num(keyLength),
		Lower:      plain[keyLower].BoolValue(),
		Upper:      plain[keyUpper].BoolValue(),
		Numeric:    plain[keyNumeric].BoolValue(),
		Special:    plain[keySpecial].BoolValue(),
		MinLower:   num(keyMinLower),
		MinUpper:   num(keyMinUpper),
		MinNumeric: num(keyMinNumeric),
		MinSpecial: num(keyMinSpecial),
	}
	if v := plain[keyOverrideSpecial]; v.IsString() {
		spec.OverrideSpecial = v.StringValue()
	}
	return spec, nil
}

// changedInputs lists the input keys whose values differ between olds and news, defaults
// considered and secrets ignored; a value unknown in news counts as changed. An absent or
// empty keepers map are the same.
func changedInputs(olds, news resource.PropertyMap, ignore []string) []string {
	o, n := withDefaults(olds), withDefaults(news)
	var changed []string
	for _, k := range inputKeys {
		if contains(ignore, string(k)) {
			continue
		}
		ov, nv := reveal(o[k]), reveal(n[k])
		if k == keyKeepers {
			if isEmptyMap(ov) && isEmptyMap(nv) {
				continue
			}
		}
		if nv.ContainsUnknowns() || !ov.DeepEquals(nv) {
			changed = append(changed, string(k))
		}
	}
	return changed
}

func isEmptyMap(v resource.PropertyValue) bool {
	return v.IsNull() || (v.IsObject() && len(v.ObjectValue()) == 0)
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func keyStrings(keys []resource.PropertyKey) []string {
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = string(k)
	}
	sort.Strings(s)
	return s
}

// failureText joins check failures into one message.
func failureText(failures []*pulumirpc.CheckFailure) string {
	parts := make([]string, len(failures))
	for i, f := range failures {
		parts[i] = f.Reason
	}
	return strings.Join(parts, "; ")
}
