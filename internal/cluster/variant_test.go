package cluster

import (
	"archive/tar"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeLayout writes a one-manifest OCI layout tarball of the files and returns its path.
func writeLayout(t *testing.T, files map[string][]byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "image.tar")
	f, err := os.Create(path)
	require.NoError(t, err)
	w := tar.NewWriter(f)
	for name, data := range files {
		require.NoError(t, w.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}))
		_, err := w.Write(data)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	require.NoError(t, f.Close())
	return path
}

func mustJSON(t *testing.T, v any) []byte {
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return data
}

func TestAVariantIsTheSameLayersUnderANewDigestAndTag(t *testing.T) {
	layer := []byte("a layer's bytes, kept as they are")
	config := mustJSON(t, v1.Image{Config: v1.ImageConfig{User: "10001", Labels: map[string]string{"title": "rag-api"}},
		RootFS: v1.RootFS{Type: "layers", DiffIDs: []digest.Digest{digest.FromBytes(layer)}}})
	manifest := mustJSON(t, v1.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageManifest,
		Config: v1.Descriptor{MediaType: v1.MediaTypeImageConfig, Digest: digest.FromBytes(config), Size: int64(len(config))},
		Layers: []v1.Descriptor{{MediaType: v1.MediaTypeImageLayerGzip, Digest: digest.FromBytes(layer), Size: int64(len(layer))}}})
	index := mustJSON(t, v1.Index{Versioned: specs.Versioned{SchemaVersion: 2}, Manifests: []v1.Descriptor{{
		MediaType: v1.MediaTypeImageManifest, Digest: digest.FromBytes(manifest), Size: int64(len(manifest)),
		Annotations: map[string]string{containerdImageName: "jdj.test/rag-api:1.0.0"}}}})
	original := LocalImage{Reference: "jdj.test/rag-api:1.0.0", Digest: digest.FromBytes(manifest).String(), ConfigKeys: []string{"api"},
		Tar: writeLayout(t, map[string][]byte{
			"oci-layout": []byte(`{"imageLayoutVersion":"1.0.0"}`), "index.json": index,
			blobPath(digest.FromBytes(config)): config, blobPath(digest.FromBytes(manifest)): manifest, blobPath(digest.FromBytes(layer)): layer,
		})}

	next, err := original.Variant(t.TempDir(), "1.0.1")
	require.NoError(t, err)
	assert.Equal(t, "jdj.test/rag-api:1.0.1", next.Reference)
	assert.Equal(t, []string{"api"}, next.ConfigKeys)
	assert.NotEqual(t, original.Digest, next.Digest)

	files, err := readSmallFiles(next.Tar)
	require.NoError(t, err)
	var gotIndex v1.Index
	require.NoError(t, json.Unmarshal(files["index.json"], &gotIndex))
	require.Len(t, gotIndex.Manifests, 1)
	assert.Equal(t, next.Digest, gotIndex.Manifests[0].Digest.String())
	assert.Equal(t, "jdj.test/rag-api:1.0.1", gotIndex.Manifests[0].Annotations[containerdImageName], "ctr import names it so")
	gotManifest := files[blobPath(gotIndex.Manifests[0].Digest)]
	assert.Equal(t, next.Digest, digest.FromBytes(gotManifest).String(), "the manifest is stored under its digest")
	var m v1.Manifest
	require.NoError(t, json.Unmarshal(gotManifest, &m))
	assert.Equal(t, digest.FromBytes(layer), m.Layers[0].Digest, "the same layer")
	assert.Equal(t, layer, files[blobPath(m.Layers[0].Digest)], "byte for byte")
	gotConfig := files[blobPath(m.Config.Digest)]
	assert.Equal(t, m.Config.Digest, digest.FromBytes(gotConfig), "the config is stored under its digest")
	var c v1.Image
	require.NoError(t, json.Unmarshal(gotConfig, &c))
	assert.Equal(t, map[string]string{"title": "rag-api", versionLabel: "1.0.1"}, c.Config.Labels)
	assert.Equal(t, "10001", c.Config.User, "the rest of the config is kept")

	_, err = LocalImage{Reference: "x:1", Tar: writeLayout(t, map[string][]byte{"index.json": []byte(`{"manifests":[]}`)})}.Variant(t.TempDir(), "2")
	assert.ErrorContains(t, err, "want an index of one manifest")
}
