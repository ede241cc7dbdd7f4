package main

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// containerdImageName is the annotation `ctr images import` names the image after.
const containerdImageName = "io.containerd.image.name"

// Image is an image to write: its reference, its layers bottom first and its runtime config.
type Image struct {
	Reference string
	Layers    []Layer
	Config    v1.ImageConfig
	// History describes each layer (one line each, same order); optional.
	History []string
}

// Written is what writeImage made: the image's reference, its manifest digest and the tarball.
type Written struct {
	Name string `json:"name,omitempty"`
	// ConfigKeys are the stack's `images.<key>` settings this image serves (from the recipe).
	ConfigKeys []string      `json:"configKeys,omitempty"`
	Reference  string        `json:"reference"`
	Digest     digest.Digest `json:"digest"`
	Tar        string        `json:"tar"` // file name, beside the index
	Size       int64         `json:"size"`
	// Layers are the layer blob digests, bottom first (equal digests are stored once by containerd).
	Layers []digest.Digest `json:"layers"`
}

type blob struct {
	digest digest.Digest
	data   []byte // JSON documents
	path   string // layer files
	size   int64
}

// writeImage writes img as an OCI image-layout tarball at out: oci-layout, index.json (one manifest,
// annotated with the reference for `ctr images import`) and blobs/sha256/*.
func writeImage(img Image, out string) (Written, error) {
	cfg := v1.Image{
		Platform: v1.Platform{OS: "linux", Architecture: runtime.GOARCH},
		Config:   img.Config,
		RootFS:   v1.RootFS{Type: "layers"},
	}
	for i, l := range img.Layers {
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, l.DiffID)
		h := v1.History{Created: &epoch, CreatedBy: "ocipack"}
		if i < len(img.History) {
			h.CreatedBy = img.History[i]
		}
		cfg.History = append(cfg.History, h)
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return Written{}, err
	}
	config := blob{digest: digest.FromBytes(cfgJSON), data: cfgJSON, size: int64(len(cfgJSON))}

	manifest := v1.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: v1.MediaTypeImageManifest,
		Config:    v1.Descriptor{MediaType: v1.MediaTypeImageConfig, Digest: config.digest, Size: config.size},
	}
	blobs := []blob{config}
	for _, l := range img.Layers {
		manifest.Layers = append(manifest.Layers, v1.Descriptor{MediaType: v1.MediaTypeImageLayerGzip, Digest: l.Digest, Size: l.Size})
		blobs = append(blobs, blob{digest: l.Digest, path: l.Path, size: l.Size})
	}
	manJSON, err := json.Marshal(manifest)
	if err != nil {
		return Written{}, err
	}
	man := blob{digest: digest.FromBytes(manJSON), data: manJSON, size: int64(len(manJSON))}
	blobs = append(blobs, man)

	index := v1.Index{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: v1.MediaTypeImageIndex,
		Manifests: []v1.Descriptor{{
			MediaType:   v1.MediaTypeImageManifest,
			Digest:      man.digest,
			Size:        man.size,
			Platform:    &cfg.Platform,
			Annotations: map[string]string{v1.AnnotationRefName: img.Reference, containerdImageName: img.Reference},
		}},
	}
	indexJSON, err := json.Marshal(index)
	if err != nil {
		return Written{}, err
	}
	layoutJSON, err := json.Marshal(v1.ImageLayout{Version: v1.ImageLayoutVersion})
	if err != nil {
		return Written{}, err
	}

	es := []entry{
		{hdr: tar.Header{Name: "blobs/", Typeflag: tar.TypeDir, Mode: 0o755}},
		{hdr: tar.Header{Name: "blobs/sha256/", Typeflag: tar.TypeDir, Mode: 0o755}},
	}
	sort.Slice(blobs, func(i, j int) bool { return blobs[i].digest < blobs[j].digest })
	for i, b := range blobs {
		if i > 0 && blobs[i-1].digest == b.digest {
			continue // a layer used twice is stored once
		}
		e := entry{hdr: tar.Header{Name: "blobs/sha256/" + b.digest.Encoded(), Typeflag: tar.TypeReg, Mode: 0o644, Size: b.size}, data: b.data, src: b.path}
		es = append(es, e)
	}
	es = append(es,
		entry{hdr: tar.Header{Name: v1.ImageIndexFile, Typeflag: tar.TypeReg, Mode: 0o644}, data: indexJSON},
		entry{hdr: tar.Header{Name: v1.ImageLayoutFile, Typeflag: tar.TypeReg, Mode: 0o644}, data: layoutJSON},
	)

	tmp, err := os.CreateTemp(filepath.Dir(out), ".image-*")
	if err != nil {
		return Written{}, err
	}
	defer os.Remove(tmp.Name())
	counter := &countingWriter{w: tmp}
	if err := writeTar(counter, es); err != nil {
		_ = tmp.Close() // the write's error is the one to report
		return Written{}, err
	}
	if err := tmp.Close(); err != nil {
		return Written{}, err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return Written{}, err
	}
	w := Written{Reference: img.Reference, Digest: man.digest, Tar: filepath.Base(out), Size: counter.n}
	for _, l := range img.Layers {
		w.Layers = append(w.Layers, l.Digest)
	}
	return w, nil
}

// readImage reads an image-layout tarball back: its index, manifest, config and the blobs' bytes
// (for tests and `ocipack inspect`), verifying every blob against its digest.
func readImage(p string) (v1.Index, v1.Manifest, v1.Image, map[digest.Digest][]byte, error) {
	var (
		index v1.Index
		man   v1.Manifest
		cfg   v1.Image
	)
	f, err := os.Open(p)
	if err != nil {
		return index, man, cfg, nil, err
	}
	defer f.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return index, man, cfg, nil, err
		}
		if hdr.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(tr)
			if err != nil {
				return index, man, cfg, nil, err
			}
			files[hdr.Name] = b
		}
	}
	blobs := map[digest.Digest][]byte{}
	for name, b := range files {
		if enc, ok := strings.CutPrefix(name, "blobs/sha256/"); ok {
			d := digest.NewDigestFromEncoded(digest.SHA256, enc)
			if err := d.Validate(); err != nil {
				return index, man, cfg, nil, fmt.Errorf("%s: %w", name, err)
			}
			if got := digest.FromBytes(b); got != d {
				return index, man, cfg, nil, fmt.Errorf("%s: content has digest %s", name, got)
			}
			blobs[d] = b
		}
	}
	if err := json.Unmarshal(files[v1.ImageIndexFile], &index); err != nil {
		return index, man, cfg, nil, fmt.Errorf("index.json: %w", err)
	}
	if len(index.Manifests) != 1 {
		return index, man, cfg, nil, fmt.Errorf("index.json: %d manifests, want 1", len(index.Manifests))
	}
	if err := json.Unmarshal(blobs[index.Manifests[0].Digest], &man); err != nil {
		return index, man, cfg, nil, fmt.Errorf("manifest: %w", err)
	}
	if err := json.Unmarshal(blobs[man.Config.Digest], &cfg); err != nil {
		return index, man, cfg, nil, fmt.Errorf("config: %w", err)
	}
	return index, man, cfg, blobs, nil
}
