package config

import (
	"fmt"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// FieldError is one refused config value: the key (without the project prefix), the value and what is allowed.
type FieldError struct {
	Key     string
	Value   any
	Allowed string
}

func (e *FieldError) Error() string {
	if e.Value == nil {
		return fmt.Sprintf("config %s:%s %s", Project, e.Key, e.Allowed)
	}
	return fmt.Sprintf("config %s:%s = %s: %s", Project, e.Key, quoted(e.Value), e.Allowed)
}

// quoted formats a value as a user wrote it in the stack file: strings quoted, numbers bare.
func quoted(v any) string {
	if v == secretValue {
		return secretValue
	}
	switch v := v.(type) {
	case string, []string:
		return fmt.Sprintf("%q", v)
	default:
		return fmt.Sprint(v)
	}
}

// ValidationError lists every refused value of a stack's configuration.
type ValidationError []*FieldError

func (v ValidationError) Error() string {
	lines := make([]string, len(v))
	for i, e := range v {
		lines[i] = "  - " + e.Error()
	}
	return "invalid stack configuration:\n" + strings.Join(lines, "\n")
}

// Keys lists the refused keys, for callers and tests.
func (v ValidationError) Keys() []string {
	keys := make([]string, len(v))
	for i, e := range v {
		keys[i] = e.Key
	}
	return keys
}

// validator collects FieldErrors about one Config.
type validator struct {
	config *Config
	errs   ValidationError
}

// fail refuses value under key.
func (v *validator) fail(key string, value any, allowed string, args ...any) {
	v.errs = append(v.errs, &FieldError{Key: key, Value: value, Allowed: fmt.Sprintf(allowed, args...)})
}

// refuse refuses the value of the config field ptr points to, named by its key.
func (v *validator) refuse(ptr any, allowed string, args ...any) {
	v.fail(v.config.keyOf(ptr), reflect.ValueOf(ptr).Elem().Interface(), allowed, args...)
}

// dnsLabel refuses a value under key that is not a DNS-1123 label.
func (v *validator) dnsLabel(key, value string) {
	if msgs := validation.IsDNS1123Label(value); len(msgs) > 0 {
		v.fail(key, value, "must be a DNS-1123 label: %s", strings.Join(msgs, "; "))
	}
}
