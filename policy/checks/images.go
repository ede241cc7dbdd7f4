package checks

import (
	"fmt"

	"github.com/jdjones/jd-jones-rag-infra/internal/imageref"
)

// ImageTag requires an explicit image tag that is not "latest" (or a digest).
var ImageTag = &Policy{
	Name:        "image-tag-not-latest",
	Description: "Every container image names a version: a tag other than latest, or a digest.",
	Remediation: "pin a version tag (or a digest)",
	Why:         "kube-linter, Polaris, kube-score, Kyverno, Checkov",
	Level:       Mandatory,
	Kinds:       []string{PodBearing},
	Resource:    checkImageTag,
}

func checkImageTag(o *Object, _ *Config) []Result {
	return forImages(o, func(cr ContainerRef, img imageref.Ref) []Result {
		switch {
		case cr.C.Image == "":
			return []Result{Violation(o, containerSubject(o, cr), "has no image", "set image to a versioned image reference")}
		case img.Digest != "":
			return nil
		case img.Tag == "":
			return []Result{Violation(o, containerSubject(o, cr),
				fmt.Sprintf("image %s has no tag, so it means %s:latest", cr.C.Image, cr.C.Image),
				fmt.Sprintf("pin a version tag such as %s:<version> (or a digest)", img.Repository))}
		case img.Tag == "latest":
			return []Result{Violation(o, containerSubject(o, cr),
				fmt.Sprintf("image %s uses the latest tag", cr.C.Image),
				fmt.Sprintf("pin a version tag such as %s:<version> (or a digest)", img.Repository))}
		}
		return nil
	})
}

// ImageDigest recommends pinning images by digest.
var ImageDigest = &Policy{
	Name:        "image-pinned-by-digest",
	Description: "Every container image is pinned by digest, so a tag cannot change what runs.",
	Remediation: "append @sha256:<digest> to the image",
	Why:         "kube-linter and Kyverno (stricter option); supply-chain hygiene",
	Level:       Advisory,
	Kinds:       []string{PodBearing},
	Resource:    checkImageDigest,
}

func checkImageDigest(o *Object, _ *Config) []Result {
	return perObject(forImages(o, func(cr ContainerRef, img imageref.Ref) []Result {
		if img.Digest != "" || cr.C.Image == "" {
			return nil
		}
		return []Result{Violation(o, containerSubject(o, cr), fmt.Sprintf("image %s is not pinned by digest", cr.C.Image), "")}
	}))
}

// forImages runs fn on every container image, init containers included; an unknown image is a
// note, an empty one is passed with an empty Image.
func forImages(o *Object, fn func(cr ContainerRef, img imageref.Ref) []Result) []Result {
	w, _ := o.Workload()
	return forContainers(o, w, true, func(cr ContainerRef) []Result {
		if cr.C.Image == "" && o.Unknown(cr.Path+".image") {
			return []Result{Undecided(o, containerSubject(o, cr), cr.Path+".image")}
		}
		return fn(cr, imageref.Split(cr.C.Image))
	})
}
