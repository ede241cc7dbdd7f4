package engine

import (
	"testing"
)

func TestDetectProduction(t *testing.T) {
	for _, c := range []struct {
		name   string
		stack  string
		config map[string]string
		want   bool
	}{
		{"a dev stack is not production", "dev", nil, false},
		{"a stack named prod is production", "prod", nil, true},
		{"a stack named prod-eu is production", "prod-eu", nil, true},
		{"environment production in the project's config is production", "live", map[string]string{"jd-jones-rag-infra:environment": "Production"}, true},
		{"environment prod in the pack's config is production", "blue", map[string]string{"k8s-guardrails:environment": "prod"}, true},
		{"environment staging is not production", "staging", map[string]string{"jd-jones-rag-infra:environment": "staging"}, false},
		{"a configured stack pattern replaces ^prod", "live-eu", map[string]string{"k8s-guardrails:productionStackPattern": "^live"}, true},
		{"a configured stack pattern no longer matches prod", "prod", map[string]string{"k8s-guardrails:productionStackPattern": "^live$"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, why := DetectProduction("jd-jones-rag-infra", c.stack, func(k string) (string, bool) {
				v, ok := c.config[k]
				return v, ok
			})
			if got != c.want {
				t.Errorf("want %v, got %v (%s)", c.want, got, why)
			}
		})
	}
}
