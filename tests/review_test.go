package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/tests/testdata/reviewstack"
)

// TestPreviewOfTheReviewStackRefusesEachNewRuleAndNoTwin previews the review stack through the real
// CLI, provider and pack binary: each resource that breaks one rule of the pack built on the
// reference implementations (upstream Pod Security, gitleaks, config syntaxes, RBAC, snippets,
// volumes, arrays of pod templates) is refused by exactly that policy, no compliant twin raises a
// mandatory finding, and the one kind no policy judges is listed in the unjudged-kinds advisory.
func TestPreviewOfTheReviewStackRefusesEachNewRuleAndNoTwin(t *testing.T) {
	got, evs := refusedPreview(t, testdataSession(t, "review", "reviewstack", reviewstack.Program))
	assert.Equal(t, reviewstack.Expected, got)

	var unjudged, advisories []string
	for _, e := range evs {
		p := e.PolicyEvent
		switch {
		case p == nil || p.EnforcementLevel == "mandatory":
		case p.PolicyName == "unjudged-kinds":
			unjudged = append(unjudged, p.Message)
		default:
			advisories = append(advisories, p.PolicyName+": "+p.Message)
		}
	}
	require.Len(t, unjudged, 1, "one advisory lists the kinds no policy judges")
	assert.True(t, strings.HasSuffix(strings.TrimSpace(strings.SplitN(unjudged[0], ";", 2)[0]), reviewstack.ExpectedUnjudged),
		"it lists exactly the custom kind without a pod template: %s", unjudged[0])
	assert.Empty(t, advisories, "no other advisory")
}
