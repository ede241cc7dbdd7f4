package checks

import (
	"fmt"

	"github.com/jdjones/jd-jones-rag-infra/internal/imageref"
	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// ImageTagNotLatest requires an explicit image tag that is not "latest" (or a digest).
var ImageTagNotLatest = &engine.Policy{
	Name:        "image-tag-not-latest",
	Description: "Every container image names a version: a tag other than latest, or a digest.",
	Remediation: "pin a version tag (or a digest)",
	Why:         "kube-linter, Polaris, kube-score, Kyverno, Checkov",
	Level:       engine.Mandatory,
	Kinds:       []string{engine.PodBearing},
	Resource:    checkImageTagNotLatest,
}

func checkImageTagNotLatest(o *engine.Object, _ *engine.Config) []engine.Result {
	return forImages(o, func(cr engine.ContainerRef, img imageref.Ref) []engine.Result {
		switch {
		case cr.C.Image == "":
			return []engine.Result{engine.Violation(o, engine.ContainerSubject(o, cr), "has no image", "set image to a versioned image reference")}
		case img.Digest != "":
			return nil
		case img.Tag == "":
			return []engine.Result{engine.Violation(o, engine.ContainerSubject(o, cr),
				fmt.Sprintf("image %s has no tag, so it means %s:latest", cr.C.Image, cr.C.Image),
				fmt.Sprintf("pin a version tag such as %s:<version> (or a digest)", img.Repository))}
		case img.Tag == "latest":
			return []engine.Result{engine.Violation(o, engine.ContainerSubject(o, cr),
				fmt.Sprintf("image %s uses the latest tag", cr.C.Image),
				fmt.Sprintf("pin a version tag such as %s:<version> (or a digest)", img.Repository))}
		}
		return nil
	})
}
