package cluster

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// LocalImage is one image `make tools` built as an OCI tarball (tools/images), as its index lists it.
type LocalImage struct {
	// Reference is the name the image is imported under, e.g. jdj.test/postgres:0.8.0-pg17.
	Reference string `json:"reference"`
	// Digest is the manifest's digest, sha256:….
	Digest string `json:"digest"`
	// Tar is the tarball's file name, relative to the index's folder.
	Tar string `json:"tar"`
	// ConfigKeys are the keys of the stack config's images that this image plays.
	ConfigKeys []string `json:"configKeys"`
}

// Pinned is the reference with its digest, as a stack's config names an image that cannot be pulled
// (the program then sets the pull policy IfNotPresent).
func (i LocalImage) Pinned() string { return i.Reference + "@" + i.Digest }

// LocalImages are the images of one index, by recipe name.
type LocalImages map[string]LocalImage

// pauseImage is the recipe name of the sandbox image.
const pauseImage = "pause"

// LoadImages reads the index (images.json) of the images folder `make tools` links as .tools/images.
func LoadImages(dir string) (LocalImages, error) {
	data, err := os.ReadFile(filepath.Join(dir, "images.json"))
	if err != nil {
		return nil, fmt.Errorf("the local images' index: %w (run `make tools`)", err)
	}
	images := LocalImages{}
	if err := json.Unmarshal(data, &images); err != nil {
		return nil, fmt.Errorf("%s/images.json: %w", dir, err)
	}
	for name, image := range images {
		image.Tar = filepath.Join(dir, image.Tar)
		if _, err := os.Stat(image.Tar); err != nil {
			return nil, fmt.Errorf("image %s: %w (run `make tools`)", name, err)
		}
		images[name] = image
	}
	if _, ok := images[pauseImage]; !ok {
		return nil, fmt.Errorf("%s/images.json has no %q image", dir, pauseImage)
	}
	return images, nil
}

// Get is the image of recipe name, or an error naming the recipes there are.
func (l LocalImages) Get(name string) (LocalImage, error) {
	if image, ok := l[name]; ok {
		return image, nil
	}
	var known []string
	for n := range l {
		known = append(known, n)
	}
	sort.Strings(known)
	return LocalImage{}, fmt.Errorf("no local image %q (built: %v)", name, known)
}

// ImagesConfig maps each key of the stack config's images that a local image plays to that image, by
// digest.
func (l LocalImages) ImagesConfig() map[string]string {
	out := map[string]string{}
	for _, image := range l {
		for _, key := range image.ConfigKeys {
			out[key] = image.Pinned()
		}
	}
	return out
}

// StackConfig is the stack config block (YAML, under a stack file's config:) that points every image
// key a local image plays at that image, by digest; override replaces some keys' references.
func (l LocalImages) StackConfig(override map[string]string) string {
	refs := l.ImagesConfig()
	for key, ref := range override {
		refs[key] = ref
	}
	keys := make([]string, 0, len(refs))
	for key := range refs {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("  jd-jones-rag-infra:images:\n")
	for _, key := range keys {
		fmt.Fprintf(&b, "    %s: %s\n", key, refs[key])
	}
	return b.String()
}

// RealNode is the node configuration that runs these images: all are imported, pause is the sandbox.
func (l LocalImages) RealNode(cniBinDir string) *RealNode {
	n := &RealNode{CNIBinDir: cniBinDir, PauseImage: l[pauseImage].Reference, Digests: map[string]string{}}
	var names []string
	for name := range l {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		n.Images = append(n.Images, l[name].Tar)
		n.Digests[l[name].Reference] = l[name].Digest
	}
	return n
}
