package platform

import (
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// BenchmarkProgram builds the whole program under mocks per stack; `make bench` compares it with an
// empty program. Goal: well under 0.5 s.
func BenchmarkProgram(b *testing.B) {
	for _, stack := range stacks {
		cfg, err := stacktest.StackConfig(stack)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(stack, func(b *testing.B) {
			for b.Loop() {
				rec, err := stacktest.Run(stack, cfg, Program)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(rec.Resources)), "resources")
			}
		})
	}
}
