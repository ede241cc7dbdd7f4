package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/stacktest"
	"github.com/jdjones/jd-jones-rag-infra/platform"
)

// readmeMaxLines keeps the README a front page: the details live in docs/ and each package's doc.go.
const readmeMaxLines = 250

// componentTokenPrefix is the package and module of every component type token the program registers.
const componentTokenPrefix = "jdjones:rag:"

func readme(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(stacktest.RepoRoot(), "README.md"))
	require.NoError(t, err)
	return string(data)
}

func TestTheReadmeIsAFrontPage(t *testing.T) {
	lines := strings.Count(readme(t), "\n")
	assert.LessOrEqual(t, lines, readmeMaxLines, "README.md has %d lines; move details to docs/ or a package's doc.go", lines)
}

// TestTheReadmeNamesEveryComponentType runs the program under mocks for each stack, and for prod with
// External Secrets on (the one component neither committed stack registers), and requires every
// component type it registers in the README's list of types.
func TestTheReadmeNamesEveryComponentType(t *testing.T) {
	prodWithExternalSecrets := map[string]any{
		"store": map[string]any{"kind": "ClusterSecretStore", "name": "docs-test-store"},
		"keys": map[string]any{
			"jd-jones-managed-data": map[string]any{"postgres-password": "rds/password", "redis-password": "elasticache/auth"},
			"jd-jones-llm":          map[string]any{"api-key": "openai/api-key"},
		},
	}
	runs := []struct {
		stack     string
		overrides map[string]any
	}{
		{"dev", nil},
		{"prod", nil},
		{"prod", map[string]any{"externalSecrets": prodWithExternalSecrets}},
	}
	registered := map[string]bool{}
	for _, run := range runs {
		cfg, err := stacktest.StackConfig(run.stack)
		require.NoError(t, err)
		for key, value := range run.overrides {
			raw, err := json.Marshal(value)
			require.NoError(t, err)
			cfg[config.Project+":"+key] = string(raw)
		}
		rec, err := stacktest.Run(run.stack, cfg, platform.Program)
		require.NoError(t, err, "the program under mocks, stack %s", run.stack)
		for _, res := range rec.Resources {
			if typ, ok := strings.CutPrefix(res.Type, componentTokenPrefix); ok {
				registered[typ] = true
			}
		}
	}
	require.NotEmpty(t, registered, "the program registered no %s component", componentTokenPrefix)
	text := readme(t)
	for typ := range registered {
		if !strings.Contains(text, "`"+typ+"`") {
			t.Errorf("README.md's Layout does not name the component type %s%s (as `%s`)", componentTokenPrefix, typ, typ)
		}
	}
}

// TestTheReadmeNamesEveryFolder requires every top-level folder of the repository and every folder
// holding Go source (below tools/, each tool's own module, and testdata, which tools/README.md and the
// tests/testdata line cover) in the README's Layout, written as `path/`.
func TestTheReadmeNamesEveryFolder(t *testing.T) {
	root := stacktest.RepoRoot()
	ignored := gitignoredFolders(t, root)
	var folders []string
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	for _, e := range entries {
		if e.IsDir() && e.Name() != ".git" && !ignored[e.Name()] {
			folders = append(folders, e.Name())
		}
	}
	for _, dir := range goPackageFolders(t, root) {
		if dir != "." && !slices.Contains(folders, dir) {
			folders = append(folders, dir)
		}
	}
	text := readme(t)
	for _, folder := range folders {
		if !strings.Contains(text, "`"+folder+"/`") {
			t.Errorf("README.md's Layout does not name the folder %s/ (as `%s/`)", folder, folder)
		}
	}
}

// packageComment is the start of a package's doc comment, at the top of its doc.go.
var packageComment = regexp.MustCompile(`^// (Package \w+|Command \S+) `)

// TestEveryPackageKeepsItsCommentInDocGo requires a doc.go in every Go package folder whose comment is the
// package's (the README's Layout is one line a folder; the details live there).
func TestEveryPackageKeepsItsCommentInDocGo(t *testing.T) {
	root := stacktest.RepoRoot()
	for _, dir := range goPackageFolders(t, root) {
		data, err := os.ReadFile(filepath.Join(root, dir, "doc.go"))
		if err != nil {
			t.Errorf("%s has no doc.go with its package comment: %v", dir, err)
			continue
		}
		if !packageComment.Match(data) {
			t.Errorf("%s/doc.go does not start with its package comment (// Package <name> … or // Command <name> …)", dir)
		}
	}
}

// goPackageFolders are the folders, relative to root, that hold Go source of the product module: not the
// tools (each its own module), testdata, hidden or ignored folders.
func goPackageFolders(t *testing.T, root string) []string {
	t.Helper()
	ignored := gitignoredFolders(t, root)
	var folders []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || rel == "tools" || ignored[rel]) {
				return filepath.SkipDir
			}
			return nil
		}
		if dir := filepath.ToSlash(filepath.Dir(rel)); strings.HasSuffix(d.Name(), ".go") && !slices.Contains(folders, dir) {
			folders = append(folders, dir)
		}
		return nil
	})
	require.NoError(t, err)
	require.Contains(t, folders, "internal/runner", "the walk found the package folders")
	return folders
}

// gitignoredFolders are the folders .gitignore ignores at the root ("/name/"): build and state output.
func gitignoredFolders(t *testing.T, root string) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join(root, ".gitignore"))
	require.NoError(t, err)
	defer f.Close()
	out := map[string]bool{}
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if name, ok := strings.CutPrefix(line, "/"); ok && strings.HasSuffix(name, "/") && !strings.Contains(strings.TrimSuffix(name, "/"), "/") {
			out[strings.TrimSuffix(name, "/")] = true
		}
	}
	require.NoError(t, scanner.Err())
	return out
}

// makeTargetDoc is a Makefile's documented target line: "## preview: …" or "## up, refresh, destroy: …".
var makeTargetDoc = regexp.MustCompile(`(?m)^## ([a-z][a-z0-9-]*(?:, [a-z][a-z0-9-]*)*): `)

func TestTheReadmeNamesEveryMakeTarget(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(stacktest.RepoRoot(), "Makefile"))
	require.NoError(t, err)
	var targets []string
	for _, m := range makeTargetDoc.FindAllStringSubmatch(string(data), -1) {
		targets = append(targets, strings.Split(m[1], ", ")...)
	}
	require.Contains(t, targets, "preview", "the Makefile's `## target:` lines were read")
	text := readme(t)
	for _, target := range targets {
		if !strings.Contains(text, "`make "+target+"`") {
			t.Errorf("README.md's Make targets table does not name the target %s (as `make %s`)", target, target)
		}
	}
}
