package imageref

import (
	"errors"
	"regexp"
	"strings"

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

// Ref is an image reference in its parts.
type Ref struct {
	// Repository is everything before the tag and digest, registry and port included: "localhost:5000/org/app".
	Repository string
	// Tag is the tag without its colon, "" when absent.
	Tag string
	// Digest is "algorithm:hex" without the @, "" when absent.
	Digest string
}

// The reasons Parse refuses a reference; test them with errors.Is.
var (
	// ErrEmpty: the reference or its repository is empty.
	ErrEmpty = errors.New("empty repository")
	// ErrUppercase: the repository has capital letters.
	ErrUppercase = errors.New("repository must be lowercase")
	// ErrDigest: the digest is not a known algorithm with lowercase hex of its length.
	ErrDigest = errors.New("digest must be algorithm:hex, e.g. sha256: followed by 64 hex characters")
	// ErrTag: the tag is empty, longer than 128 characters or has characters a tag cannot have.
	ErrTag = errors.New("tag must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
	// ErrFormat: anything else the grammar refuses (spaces, stray characters, a name over 255 characters).
	ErrFormat = errors.New("invalid image reference")
)

// validTag is a whole tag.
var validTag = regexp.MustCompile(`^` + reference.TagRegexp.String() + `$`)

// Parse splits a well-formed reference. A tag longer than 128 characters, an uppercase repository, a
// digest of the wrong length or with non-hex characters, and an empty repository are refused.
func Parse(ref string) (Ref, error) {
	parsed, err := reference.Parse(ref)
	if err != nil {
		return Ref{}, classify(ref, err)
	}
	named, ok := parsed.(reference.Named)
	if !ok {
		// A bare digest without a repository.
		return Ref{}, ErrEmpty
	}
	r := Ref{Repository: named.Name()}
	if tagged, ok := parsed.(reference.Tagged); ok {
		r.Tag = tagged.Tag()
	}
	if digested, ok := parsed.(reference.Digested); ok {
		r.Digest = digested.Digest().String()
	}
	return r, nil
}

// classify names the part of a refused reference that is wrong.
func classify(ref string, err error) error {
	parts := Split(ref)
	name, _, _ := strings.Cut(ref, "@")
	hasTag := strings.LastIndex(name, ":") > strings.LastIndex(name, "/")
	switch {
	case parts.Repository == "", errors.Is(err, reference.ErrNameEmpty):
		return ErrEmpty
	case errors.Is(err, reference.ErrNameContainsUppercase):
		return ErrUppercase
	case parts.Digest != "" && digest.Digest(parts.Digest).Validate() != nil, errors.Is(err, reference.ErrDigestInvalidFormat):
		return ErrDigest
	case hasTag && !validTag.MatchString(parts.Tag):
		return ErrTag
	}
	return ErrFormat
}

// Split cuts any string into the parts a reference would have, without judging it: the digest after
// the first "@", the tag after the last ":" that follows the last "/". For a reference Parse accepts it
// returns the same parts as Parse.
func Split(ref string) Ref {
	var r Ref
	if at := strings.Index(ref, "@"); at >= 0 {
		r.Digest = ref[at+1:]
		ref = ref[:at]
	}
	lastSlash := strings.LastIndex(ref, "/")
	if colon := strings.LastIndex(ref, ":"); colon > lastSlash {
		r.Tag = ref[colon+1:]
		ref = ref[:colon]
	}
	r.Repository = ref
	return r
}

// Name is the last path segment of the repository: "ghcr.io/bitnami/postgresql" -> "postgresql".
func (r Ref) Name() string {
	return r.Repository[strings.LastIndex(r.Repository, "/")+1:]
}

// Version is what a label can say of the image's version: the digest's first 12 hex digits when it has
// one (a tag beside a digest is not what runs), else the tag.
func (r Ref) Version() string {
	if _, hex, ok := strings.Cut(r.Digest, ":"); ok {
		return hex[:min(12, len(hex))]
	}
	return r.Tag
}
