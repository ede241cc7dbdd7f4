package cluster

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// versionLabel is the OCI label of an image's version, which a variant changes.
const versionLabel = "org.opencontainers.image.version"

// containerdImageName is the index annotation `ctr images import` names an image after.
const containerdImageName = "io.containerd.image.name"

// smallBlob bounds what Variant reads into memory: the index, manifest and config are JSON documents.
const smallBlob = 1 << 20

// Variant writes into dir a new release of the image, tagged version: the same layers under a config
// whose version label is version, so its manifest has a digest of its own. A test rolls a workload out
// to it without building anything.
func (i LocalImage) Variant(dir, version string) (LocalImage, error) {
	docs, err := readSmallFiles(i.Tar)
	if err != nil {
		return LocalImage{}, err
	}
	var index v1.Index
	if err := json.Unmarshal(docs["index.json"], &index); err != nil || len(index.Manifests) != 1 {
		return LocalImage{}, fmt.Errorf("%s: want an index of one manifest: %v", i.Tar, err)
	}
	var manifest v1.Manifest
	if err := json.Unmarshal(docs[blobPath(index.Manifests[0].Digest)], &manifest); err != nil {
		return LocalImage{}, fmt.Errorf("%s: the manifest: %w", i.Tar, err)
	}
	var config v1.Image
	if err := json.Unmarshal(docs[blobPath(manifest.Config.Digest)], &config); err != nil {
		return LocalImage{}, fmt.Errorf("%s: the config: %w", i.Tar, err)
	}
	if config.Config.Labels == nil {
		config.Config.Labels = map[string]string{}
	}
	config.Config.Labels[versionLabel] = version
	configJSON, err := json.Marshal(config)
	if err != nil {
		return LocalImage{}, err
	}
	manifest.Config.Digest, manifest.Config.Size = digest.FromBytes(configJSON), int64(len(configJSON))
	manifestJSON, err := json.Marshal(manifest)
	if err != nil {
		return LocalImage{}, err
	}
	repo := i.Reference
	if at := strings.LastIndex(repo, ":"); at > strings.LastIndex(repo, "/") {
		repo = repo[:at]
	}
	out := LocalImage{Reference: repo + ":" + version, Digest: digest.FromBytes(manifestJSON).String(), ConfigKeys: i.ConfigKeys}
	desc := index.Manifests[0]
	desc.Digest, desc.Size = digest.Digest(out.Digest), int64(len(manifestJSON))
	desc.Annotations = map[string]string{containerdImageName: out.Reference, v1.AnnotationRefName: version}
	index.Manifests = []v1.Descriptor{desc}
	indexJSON, err := json.Marshal(index)
	if err != nil {
		return LocalImage{}, err
	}
	out.Tar = filepath.Join(dir, filepath.Base(strings.TrimSuffix(i.Tar, ".tar"))+"-"+version+".tar")
	added := map[string][]byte{
		blobPath(manifest.Config.Digest):    configJSON,
		blobPath(digest.Digest(out.Digest)): manifestJSON,
		"index.json":                        indexJSON,
	}
	return out, copyTarWith(i.Tar, out.Tar, added)
}

func blobPath(d digest.Digest) string { return "blobs/" + d.Algorithm().String() + "/" + d.Encoded() }

// readSmallFiles reads every regular file of the tarball up to smallBlob bytes, by path.
func readSmallFiles(path string) (map[string][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string][]byte{}
	r := tar.NewReader(f)
	for {
		h, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if h.Typeflag == tar.TypeReg && h.Size <= smallBlob {
			if out[strings.TrimPrefix(h.Name, "./")], err = io.ReadAll(r); err != nil {
				return nil, err
			}
		}
	}
}

// copyTarWith copies the tarball from src to dst, with the files of added in place of any of their names.
func copyTarWith(src, dst string, added map[string][]byte) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if err := writeTarWith(out, in, src, added); err != nil {
		_ = out.Close() // the write's error is the one to report
		return err
	}
	return out.Close()
}

// writeTarWith writes the tarball read from in (named src in errors) to out, with the files of added in
// place of any of their names.
func writeTarWith(out io.Writer, in io.Reader, src string, added map[string][]byte) error {
	w := tar.NewWriter(out)
	r := tar.NewReader(in)
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		if _, replaced := added[strings.TrimPrefix(h.Name, "./")]; replaced {
			continue
		}
		if err := w.WriteHeader(h); err != nil {
			return err
		}
		if _, err := io.CopyN(w, r, h.Size); err != nil {
			return err
		}
	}
	for name, data := range added {
		if err := w.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return w.Close()
}
