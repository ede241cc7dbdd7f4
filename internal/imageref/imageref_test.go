package imageref

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseSplitsWellFormedReferencesAndRefusesTheRest(t *testing.T) {
	hex64 := strings.Repeat("0123456789abcdef", 4)
	cases := []struct {
		name, ref string
		want      Ref
		err       error
	}{
		{"a tag", "redis:7.4.2-alpine", Ref{Repository: "redis", Tag: "7.4.2-alpine"}, nil},
		{"a registry with a port", "localhost:5000/org/app:1.2", Ref{Repository: "localhost:5000/org/app", Tag: "1.2"}, nil},
		{"a port and no tag", "registry.example.com:5000/team/api", Ref{Repository: "registry.example.com:5000/team/api"}, nil},
		{"a digest", "grafana/grafana@sha256:" + hex64, Ref{Repository: "grafana/grafana", Digest: "sha256:" + hex64}, nil},
		{"a tag and a digest together", "ghcr.io/org/api:1.0@sha256:" + hex64, Ref{Repository: "ghcr.io/org/api", Tag: "1.0", Digest: "sha256:" + hex64}, nil},
		{"a tag of 128 characters", "app:" + strings.Repeat("a", 128), Ref{Repository: "app", Tag: strings.Repeat("a", 128)}, nil},
		{"an uppercase tag is allowed", "app:V1", Ref{Repository: "app", Tag: "V1"}, nil},
		{"an uppercase repository is refused", "ghcr.io/Org/App:1.0", Ref{}, ErrUppercase},
		{"an empty reference is refused", "", Ref{}, ErrEmpty},
		{"an empty repository is refused", ":1.0", Ref{}, ErrEmpty},
		{"a digest without a repository is refused", "@sha256:" + hex64, Ref{}, ErrEmpty},
		{"a tag over 128 characters is refused", "app:" + strings.Repeat("a", 129), Ref{}, ErrTag},
		{"an empty tag is refused", "nginx:", Ref{}, ErrTag},
		{"a tag starting with a dash is refused", "nginx:-1", Ref{}, ErrTag},
		{"a short digest is refused", "nginx@sha256:abc", Ref{}, ErrDigest},
		{"a digest with non-hex characters is refused", "nginx@sha256:" + strings.Repeat("g", 64), Ref{}, ErrDigest},
		{"a digest in uppercase hex is refused", "nginx@sha256:" + strings.ToUpper(hex64), Ref{}, ErrDigest},
		{"spaces are refused", "nginx 1.27", Ref{}, ErrFormat},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.ref)
			assert.ErrorIs(t, err, tc.err)
			if tc.err == nil {
				assert.NoError(t, err)
				assert.Equal(t, tc.want, got)
				assert.Equal(t, got, Split(tc.ref), "Split agrees with Parse on a well-formed reference")
			}
		})
	}
}

func TestSplitCutsMalformedReferencesWithoutJudging(t *testing.T) {
	assert.Equal(t, Ref{Repository: "Bad/Repo", Tag: "latest"}, Split("Bad/Repo:latest"))
	assert.Equal(t, Ref{Repository: "nginx", Digest: "sha256:abc"}, Split("nginx@sha256:abc"))
	assert.Equal(t, Ref{Repository: "localhost:5000/app"}, Split("localhost:5000/app"))
	assert.Equal(t, Ref{}, Split(""))
}

func TestNameAndVersion(t *testing.T) {
	hex64 := strings.Repeat("0123456789abcdef", 4)
	assert.Equal(t, "postgresql", Split("docker.io/bitnami/postgresql:16").Name())
	assert.Equal(t, "redis", Split("redis:7").Name())
	assert.Equal(t, "7.4.2-alpine", Split("redis:7.4.2-alpine").Version())
	assert.Equal(t, "0123456789ab", Split("app:1.0@sha256:"+hex64).Version(), "the digest, not the tag, is what runs")
	assert.Equal(t, "", Split("app").Version())
}
