package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/internal/docgen"
)

// TestRunWritesEveryGeneratedFileAndThenNothing regenerates a copy of the repository's inputs whose
// generated parts are stale, and checks that a second run finds nothing to write.
func TestRunWritesEveryGeneratedFileAndThenNothing(t *testing.T) {
	repo := filepath.Join("..", "..")
	tmp := t.TempDir()
	configFiles, err := filepath.Glob(filepath.Join(repo, "config", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	inputs := []string{docgen.ProjectPath, docgen.PolicyReadmePath, docgen.ExceptionsExamplePath}
	for _, f := range configFiles {
		inputs = append(inputs, filepath.Join("config", filepath.Base(f)))
	}
	for _, path := range inputs {
		data, err := os.ReadFile(filepath.Join(repo, path))
		if err != nil {
			t.Fatal(err)
		}
		if path == docgen.PolicyReadmePath {
			// A stale table: the generated region holds an old row.
			data = bytes.Replace(data, []byte("| `workload-probes` |"), []byte("| `workload-probes-old` |"), 1)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(tmp, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, path), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := run(tmp); err != nil {
		t.Fatal(err)
	}
	want, err := docgen.Files(repo)
	if err != nil {
		t.Fatal(err)
	}
	for path, content := range want {
		got, err := os.ReadFile(filepath.Join(tmp, path))
		if err != nil {
			t.Fatalf("%s was not written: %v", path, err)
		}
		if !bytes.Equal(got, content) {
			t.Errorf("%s differs from what docgen generates", path)
		}
	}
	before := map[string]os.FileInfo{}
	for path := range want {
		info, err := os.Stat(filepath.Join(tmp, path))
		if err != nil {
			t.Fatal(err)
		}
		before[path] = info
	}
	if err := run(tmp); err != nil {
		t.Fatal(err)
	}
	for path, info := range before {
		after, err := os.Stat(filepath.Join(tmp, path))
		if err != nil {
			t.Fatal(err)
		}
		if !after.ModTime().Equal(info.ModTime()) {
			t.Errorf("%s was written again though nothing changed", path)
		}
	}
}
