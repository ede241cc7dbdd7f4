package config

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// KnownKeys are every key of the project's namespace: the scalars, the objects and the secrets.
func KnownKeys() []string {
	return slices.Concat(ScalarKeys, ObjectKeys, SecretKeys)
}

// CheckKeys refuses keys of the project's namespace that the program does not read (a typo such as
// protectdata or postgresPasword would otherwise be ignored silently), naming the closest known key.
// keys are full config keys ("project:key"); keys of other namespaces (kubernetes:, pulumi:) pass.
func CheckKeys(keys []string) error {
	known := KnownKeys()
	var errs ValidationError
	for _, full := range keys {
		project, key, ok := strings.Cut(full, ":")
		if !ok || project != Project || slices.Contains(known, key) {
			continue
		}
		errs = append(errs, &FieldError{Key: key, Allowed: "is not a key of this program; " + closest(key, known)})
	}
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b *FieldError) int { return strings.Compare(a.Key, b.Key) })
		return errs
	}
	return nil
}

// CheckKeysIn is CheckKeys over the JSON object of every config value the CLI's language host passes a
// program in PULUMI_CONFIG; empty passes.
func CheckKeysIn(configJSON string) error {
	if configJSON == "" {
		return nil
	}
	var values map[string]any
	if err := json.Unmarshal([]byte(configJSON), &values); err != nil {
		return fmt.Errorf("reading the stack configuration the CLI passed: %w", err)
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	return CheckKeys(keys)
}

// closest suggests the known key nearest to key by edit distance, ignoring case.
func closest(key string, known []string) string { return suggestion(key, known, "keys") }
