package engine

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultProductionStackPattern matches the names of production stacks when no pattern is set.
const DefaultProductionStackPattern = `^prod`

// DetectProduction decides whether a stack is production, from what the pack's factory knows
// (stack policies get no config of their own, so this happens once, at start-up):
//
//   - the stack config "<project>:environment" or "k8s-guardrails:environment" is "prod" or
//     "production" (any case), or
//   - the stack name matches the pattern in stack config "k8s-guardrails:productionStackPattern"
//     (default ^prod).
//
// Resource policies with a "production" parameter are also production when their config sets it.
// The second result says why, for logs and tests.
func DetectProduction(project, stack string, getConfig func(key string) (string, bool)) (bool, string) {
	if getConfig == nil {
		getConfig = func(string) (string, bool) { return "", false }
	}
	for _, key := range []string{project + ":environment", PackName + ":environment"} {
		if v, ok := getConfig(key); ok {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "prod", "production":
				return true, fmt.Sprintf("stack config %s is %q", key, v)
			}
		}
	}
	pattern := DefaultProductionStackPattern
	if v, ok := getConfig(PackName + ":productionStackPattern"); ok && v != "" {
		pattern = v
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		re = regexp.MustCompile(DefaultProductionStackPattern)
	}
	if re.MatchString(stack) {
		return true, fmt.Sprintf("stack name %q matches %s", stack, re)
	}
	return false, "not production"
}
