package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// tinyRootfs makes a root filesystem with a directory, files, a symlink and a hard link.
func tinyRootfs(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "usr/bin"), 0o755))
	must(t, os.MkdirAll(filepath.Join(root, "etc"), 0o755))
	must(t, os.MkdirAll(filepath.Join(root, "var/run-real"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "usr/bin/hello"), []byte("#!/bin/sh\necho hello\n"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/sh\nold:x:999:999::/:/bin/sh\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "etc/group"), []byte("root:x:0:\nold:x:999:\n"), 0o644))
	must(t, os.Symlink("usr/bin", filepath.Join(root, "bin")))
	must(t, os.Symlink("/var/run-real", filepath.Join(root, "var/run")))
	must(t, os.Link(filepath.Join(root, "usr/bin/hello"), filepath.Join(root, "usr/bin/hi")))
	must(t, os.Chmod(filepath.Join(root, "var/run-real"), os.ModeSticky|0o777))
	if os.Geteuid() == 0 {
		must(t, os.Lchown(filepath.Join(root, "etc/group"), 1234, 5678))
	}
	return root
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// untar lists a gzipped layer's headers and regular files' contents.
func untar(t *testing.T, blob []byte) ([]*tar.Header, map[string]string) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	must(t, err)
	tr := tar.NewReader(zr)
	var hdrs []*tar.Header
	files := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		must(t, err)
		hdrs = append(hdrs, h)
		if h.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(tr)
			must(t, err)
			files[h.Name] = string(b)
		}
	}
	return hdrs, files
}

func packDir(t *testing.T, root, out string) Written {
	t.Helper()
	es, err := walkDir(root)
	must(t, err)
	sortEntries(es)
	l, err := writeLayer(filepath.Dir(out), es)
	must(t, err)
	w, err := writeImage(Image{Reference: "jdj.test/tiny:1", Layers: []Layer{l}, Config: v1.ImageConfig{User: "999:999", Entrypoint: []string{"/bin/hello"}}}, out)
	must(t, err)
	return w
}

func TestPackedImageHasTheLayoutContainerdImports(t *testing.T) {
	root := tinyRootfs(t)
	dir := t.TempDir()
	w := packDir(t, root, filepath.Join(dir, "tiny.tar"))
	index, man, cfg, blobs, err := readImage(filepath.Join(dir, "tiny.tar")) // verifies every blob's digest
	must(t, err)

	ann := index.Manifests[0].Annotations
	if ann[v1.AnnotationRefName] != "jdj.test/tiny:1" || ann[containerdImageName] != "jdj.test/tiny:1" {
		t.Errorf("index annotations = %v, want the full reference under both names", ann)
	}
	if index.Manifests[0].Digest != w.Digest || index.Manifests[0].MediaType != v1.MediaTypeImageManifest {
		t.Errorf("index names %v, written %s", index.Manifests[0], w.Digest)
	}
	if len(man.Layers) != 1 || man.Layers[0].MediaType != v1.MediaTypeImageLayerGzip || man.Config.MediaType != v1.MediaTypeImageConfig {
		t.Fatalf("manifest = %+v", man)
	}
	layer := blobs[man.Layers[0].Digest]
	if int64(len(layer)) != man.Layers[0].Size {
		t.Errorf("layer size %d, manifest says %d", len(layer), man.Layers[0].Size)
	}
	zr, err := gzip.NewReader(bytes.NewReader(layer))
	must(t, err)
	raw, err := io.ReadAll(zr)
	must(t, err)
	if got := digest.FromBytes(raw); len(cfg.RootFS.DiffIDs) != 1 || cfg.RootFS.DiffIDs[0] != got {
		t.Errorf("diff_ids = %v, uncompressed layer is %s", cfg.RootFS.DiffIDs, got)
	}
	if cfg.Config.User != "999:999" || cfg.OS != "linux" || cfg.RootFS.Type != "layers" {
		t.Errorf("config = %+v", cfg)
	}

	hdrs, files := untar(t, layer)
	var names []string
	byName := map[string]*tar.Header{}
	for _, h := range hdrs {
		names = append(names, h.Name)
		byName[h.Name] = h
		if !h.ModTime.Equal(epoch) {
			t.Errorf("%s: mtime %v, want the epoch", h.Name, h.ModTime)
		}
	}
	want := "bin etc/ etc/group etc/passwd usr/ usr/bin/ usr/bin/hello usr/bin/hi var/ var/run var/run-real/"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("layer entries:\n got %s\nwant %s", got, want)
	}
	if h := byName["bin"]; h.Typeflag != tar.TypeSymlink || h.Linkname != "usr/bin" {
		t.Errorf("bin = %c -> %s, want a symlink to usr/bin", h.Typeflag, h.Linkname)
	}
	if h := byName["usr/bin/hi"]; h.Typeflag != tar.TypeLink || h.Linkname != "usr/bin/hello" {
		t.Errorf("usr/bin/hi = %c -> %s, want a hard link to usr/bin/hello", h.Typeflag, h.Linkname)
	}
	if h := byName["usr/bin/hello"]; h.Mode != 0o755 || files["usr/bin/hello"] != "#!/bin/sh\necho hello\n" {
		t.Errorf("usr/bin/hello: mode %o, content %q", h.Mode, files["usr/bin/hello"])
	}
	if h := byName["var/run-real/"]; h.Mode != 0o1777 {
		t.Errorf("var/run-real mode %o, want 1777", h.Mode)
	}
	if os.Geteuid() == 0 {
		if h := byName["etc/group"]; h.Uid != 1234 || h.Gid != 5678 {
			t.Errorf("etc/group owner %d:%d, want 1234:5678", h.Uid, h.Gid)
		}
	}
}

func TestPackingTwiceGivesTheSameDigest(t *testing.T) {
	root := tinyRootfs(t)
	first := packDir(t, root, filepath.Join(t.TempDir(), "a.tar"))
	// Touch everything: times must not matter.
	later := time.Now().Add(time.Hour)
	must(t, filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		must(t, err)
		if fi.Mode()&os.ModeSymlink != 0 {
			return nil
		}
		return os.Chtimes(p, later, later)
	}))
	second := packDir(t, root, filepath.Join(t.TempDir(), "b.tar"))
	if first.Digest != second.Digest || first.Layers[0] != second.Layers[0] {
		t.Errorf("packed twice: %s / %s, layers %v / %v", first.Digest, second.Digest, first.Layers, second.Layers)
	}
}

func TestRecipeLayerSitsOnTheSharedBase(t *testing.T) {
	root := tinyRootfs(t)
	dir := t.TempDir()
	es, err := walkDir(root)
	must(t, err)
	sortEntries(es)
	base, err := writeLayer(dir, es)
	must(t, err)

	recipe := filepath.Join(t.TempDir(), "svc")
	must(t, os.MkdirAll(filepath.Join(recipe, "rootfs/bin"), 0o755))
	must(t, os.MkdirAll(filepath.Join(recipe, "rootfs/etc"), 0o755))
	must(t, os.WriteFile(filepath.Join(recipe, "rootfs/bin/entry.sh"), []byte("#!/bin/sh\nexec \"$@\"\n"), 0o755))
	spec := `{"reference": "jdj.test/svc:1", "packages": ["p1"], "user": {"name": "svc", "uid": 999},
		"dirs": [{"path": "/var/run/svc", "mode": "2777"}], "binaries": {"/bin/server": "server"},
		"config": {"Entrypoint": ["entry.sh"], "Env": ["A=b"]}}`
	must(t, os.WriteFile(filepath.Join(recipe, "image.json"), []byte(spec), 0o644))
	server := filepath.Join(t.TempDir(), "server")
	must(t, os.WriteFile(server, []byte("ELF"), 0o700))

	build := func(out string) Written {
		r, err := loadRecipe(recipe)
		must(t, err)
		l, info, err := scanBase(base.Path)
		must(t, err)
		if l.Digest != base.Digest || l.DiffID != base.DiffID || l.Size != base.Size {
			t.Fatalf("rescanned base %+v, written %+v", l, base)
		}
		thinEntries, err := r.thinLayer(info, map[string]string{"server": server})
		must(t, err)
		thin, err := writeLayer(filepath.Dir(out), thinEntries)
		must(t, err)
		w, err := writeImage(Image{Reference: r.Reference, Layers: []Layer{l, thin}, Config: r.Config}, out)
		must(t, err)
		return w
	}
	out := filepath.Join(t.TempDir(), "svc.tar")
	w := build(out)
	if again := build(filepath.Join(t.TempDir(), "svc.tar")); again.Digest != w.Digest {
		t.Errorf("recipe built twice: %s / %s", w.Digest, again.Digest)
	}
	_, man, cfg, blobs, err := readImage(out)
	must(t, err)
	if man.Layers[0].Digest != base.Digest {
		t.Errorf("first layer %s, want the base blob %s byte for byte", man.Layers[0].Digest, base.Digest)
	}
	if cfg.Config.User != "999:999" || cfg.Config.Env[0] != debianPath || cfg.Config.Env[1] != "A=b" {
		t.Errorf("config %+v", cfg.Config)
	}
	hdrs, files := untar(t, blobs[man.Layers[1].Digest])
	var names []string
	byName := map[string]*tar.Header{}
	for _, h := range hdrs {
		names = append(names, h.Name)
		byName[h.Name] = h
	}
	// /bin and /var/run are the base's symlinks: the thin layer writes through them, never over them.
	want := "etc/group etc/passwd usr/bin/entry.sh usr/bin/server var/run-real/svc/"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("thin layer entries:\n got %s\nwant %s", got, want)
	}
	if h := byName["var/run-real/svc/"]; h.Uid != 999 || h.Gid != 999 || h.Mode != 0o2777 {
		t.Errorf("svc dir %d:%d %o", h.Uid, h.Gid, h.Mode)
	}
	if h := byName["usr/bin/server"]; h.Uid != 0 || h.Mode != 0o755 {
		t.Errorf("server %d %o", h.Uid, h.Mode)
	}
	if got := files["etc/passwd"]; got != "root:x:0:0:root:/root:/bin/sh\nsvc:x:999:999:svc:/:/usr/sbin/nologin\n" {
		t.Errorf("passwd = %q (the base's uid 999 must give way)", got)
	}
	if got := files["etc/group"]; got != "root:x:0:\nsvc:x:999:\n" {
		t.Errorf("group = %q", got)
	}
}

func TestSetAccountReplacesSameNameOrID(t *testing.T) {
	in := []byte("root:x:0:0::/:/bin/sh\nredis:x:100:102::/:/bin/false\npostgres:x:999:999::/:/bin/bash\n")
	got := string(setAccount(in, "redis", 999, "redis:x:999:999::/data:/bin/sh"))
	want := "root:x:0:0::/:/bin/sh\nredis:x:999:999::/data:/bin/sh\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestWrittenJSONNamesTheTarBesideTheIndex(t *testing.T) {
	w := packDir(t, tinyRootfs(t), filepath.Join(t.TempDir(), "tiny.tar"))
	b, err := json.Marshal(w)
	must(t, err)
	if w.Tar != "tiny.tar" || !strings.Contains(string(b), `"digest":"sha256:`) {
		t.Errorf("written %s", b)
	}
}
