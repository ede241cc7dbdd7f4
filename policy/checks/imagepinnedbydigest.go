package checks

import (
	"fmt"

	"github.com/jdjones/jd-jones-rag-infra/internal/imageref"
)

// ImagePinnedByDigest recommends pinning images by digest.
var ImagePinnedByDigest = &Policy{
	Name:        "image-pinned-by-digest",
	Description: "Every container image is pinned by digest, so a tag cannot change what runs.",
	Remediation: "append @sha256:<digest> to the image",
	Why:         "kube-linter and Kyverno (stricter option); supply-chain hygiene",
	Level:       Advisory,
	Kinds:       []string{PodBearing},
	Resource:    checkImagePinnedByDigest,
}

func checkImagePinnedByDigest(o *Object, _ *Config) []Result {
	return perObject(forImages(o, func(cr ContainerRef, img imageref.Ref) []Result {
		if img.Digest != "" || cr.C.Image == "" {
			return nil
		}
		return []Result{Violation(o, containerSubject(o, cr), fmt.Sprintf("image %s is not pinned by digest", cr.C.Image), "")}
	}))
}
