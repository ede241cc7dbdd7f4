package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTheBenchmarkRunsInShortMode takes every figure once, as `make bench -short` does, so a benchmark
// broken by a change elsewhere (a cluster option it no longer passes, a renamed command) fails CI rather
// than the next `make bench`. It asserts the figures exist, never their size: timing belongs in `make bench`.
func TestTheBenchmarkRunsInShortMode(t *testing.T) {
	rows, err := measure(context.Background(), options{runs: 1, sizes: shortSizes, short: true})
	require.NoError(t, err)

	var figures []string
	for _, r := range rows {
		figures = append(figures, r.figure)
		assert.Positive(t, r.value, "%s took no time: it measured nothing", r.figure)
	}
	want := []string{"policy checks, 100 objects", "policy checks, 1000 objects", "preview of dev with the policy pack",
		"program construction under mocks, dev", "program construction under mocks, prod", "time to Ready, dev"}
	require.Len(t, figures, len(want), "figures: %q", figures)
	for i, prefix := range want {
		assert.True(t, strings.HasPrefix(figures[i], prefix), "figure %d is %q, want %q…", i, figures[i], prefix)
	}
	for _, r := range rows {
		if strings.HasPrefix(r.figure, "program construction") {
			assert.Equal(t, "an empty program", r.baseline, "construction's baseline is cheap enough for a short run")
			continue
		}
		assert.Empty(t, r.baseline, "%s: a short run measures no baseline", r.figure)
		assert.Zero(t, r.base, r.figure)
	}
	table := render(rows, 1, "0.10, 0.20, 0.30", "1.00, 0.50, 0.40")
	assert.Equal(t, 4, strings.Count(table, "not measured (short run)"), table)
	assert.Contains(t, table, "Load average (1, 5, 15 minutes) before the run: 0.10, 0.20, 0.30; after it: 1.00, 0.50, 0.40.")
}

func TestBenchmarkSizesMustBePositiveCounts(t *testing.T) {
	sizes, err := parseSizes("100,1000,10000")
	require.NoError(t, err)
	assert.Equal(t, []int{100, 1000, 10000}, sizes)
	for _, bad := range []string{"", "100,,1000", "0", "-5", "1k", "100;1000"} {
		_, err := parseSizes(bad)
		assert.Error(t, err, "%q", bad)
	}
	_, err = parseSizes("100,ten")
	assert.EqualError(t, err, `-sizes: "ten" is not a positive object count`)
}

func TestTheLoadAverageIsReadAsThreeFigures(t *testing.T) {
	assert.Regexp(t, `^\d+\.\d+, \d+\.\d+, \d+\.\d+$`, loadAverage())
}

func TestRatiosReadTheRightWayRound(t *testing.T) {
	assert.Equal(t, "2.5× less", compared(40*time.Millisecond, 100*time.Millisecond, "less", "more"))
	assert.Equal(t, "2.5× more", compared(100*time.Millisecond, 40*time.Millisecond, "less", "more"))
	assert.Equal(t, "1.0× faster", compared(time.Second, time.Second, "faster", "slower"))
}
