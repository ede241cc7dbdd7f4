package checks

import (
	"fmt"

	"github.com/jdjones/jd-jones-rag-infra/internal/imageref"
	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// ImagePinnedByDigest recommends pinning images by digest.
var ImagePinnedByDigest = &engine.Policy{
	Name:        "image-pinned-by-digest",
	Description: "Every container image is pinned by digest, so a tag cannot change what runs.",
	Remediation: "append @sha256:<digest> to the image",
	Why:         "kube-linter and Kyverno (stricter option); supply-chain hygiene",
	Level:       engine.Advisory,
	Kinds:       []string{engine.PodBearing},
	Resource:    checkImagePinnedByDigest,
}

func checkImagePinnedByDigest(o *engine.Object, _ *engine.Config) []engine.Result {
	return engine.PerObject(forImages(o, func(cr engine.ContainerRef, img imageref.Ref) []engine.Result {
		if img.Digest != "" || cr.C.Image == "" {
			return nil
		}
		return []engine.Result{engine.Violation(o, engine.ContainerSubject(o, cr), fmt.Sprintf("image %s is not pinned by digest", cr.C.Image), "")}
	}))
}
