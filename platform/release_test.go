package platform

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
)

// releaseHeading is a release's section in CHANGELOG.md: "## 0.3.0 (unreleased)", "## 0.2.0 (2026-11-26)".
var releaseHeading = regexp.MustCompile(`(?m)^## (\d+\.\d+\.\d+) \(([^)]*)\)$`)

// changelogReleases are CHANGELOG.md's release sections, newest first, each with its body.
func changelogReleases(t *testing.T) (versions []string, bodies []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(stacktest.RepoRoot(), "CHANGELOG.md"))
	require.NoError(t, err)
	text := string(data)
	heads := releaseHeading.FindAllStringSubmatchIndex(text, -1)
	require.NotEmpty(t, heads, "CHANGELOG.md has no section headed like `## 1.2.3 (date or unreleased)`")
	for i, h := range heads {
		end := len(text)
		if i+1 < len(heads) {
			end = heads[i+1][0]
		}
		versions = append(versions, text[h[2]:h[3]])
		bodies = append(bodies, text[h[1]:end])
	}
	return versions, bodies
}

func TestTheReleaseIsTheChangelogsNewestSection(t *testing.T) {
	versions, _ := changelogReleases(t)
	assert.Equal(t, Release, versions[0], "platform.Release and CHANGELOG.md's first section")
}

func TestEveryChangelogSectionSaysWhatBreaksAndWhatToDoFirst(t *testing.T) {
	versions, bodies := changelogReleases(t)
	for i, body := range bodies {
		assert.Contains(t, body, "\n### Breaking changes\n", "CHANGELOG.md section %s", versions[i])
		assert.Contains(t, body, "\n### Before you upgrade\n", "CHANGELOG.md section %s", versions[i])
	}
}

func TestTheReleaseIsAStackOutput(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		cfg, err := stacktest.StackConfig(stack)
		require.NoError(t, err)
		var got map[string]stacktest.Awaited
		_, err = stacktest.Run(stack, cfg, func(ctx *pulumi.Context) error {
			p, err := Build(ctx)
			if err != nil {
				return err
			}
			got, err = stacktest.AwaitAll(ctx, Outputs(p))
			return err
		})
		require.NoError(t, err, stack)
		assert.Equal(t, stacktest.Awaited{Value: Release, Known: true}, got["release"], "%s: output release", stack)
	}
}
