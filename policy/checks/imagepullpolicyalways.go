package checks

import (
	"fmt"

	"github.com/jdjones/jd-jones-rag-infra/internal/imageref"
	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// ImagePullPolicyAlways recommends pulling a mutable tag on every start, so a node never runs a stale
// copy of a tag that was pushed again (and image pull secrets are checked on every start).
var ImagePullPolicyAlways = &engine.Policy{
	Name:        "image-pull-policy-always",
	Description: "A container whose image is a mutable tag (no digest) is pulled with imagePullPolicy: Always.",
	Remediation: "set imagePullPolicy: Always, or pin the image by digest",
	Why:         "Polaris pullPolicyNotAlways, kube-score container-image-pull-policy",
	Level:       engine.Advisory,
	Kinds:       []string{engine.PodBearing},
	Resource:    checkImagePullPolicyAlways,
}

func checkImagePullPolicyAlways(o *engine.Object, _ *engine.Config) []engine.Result {
	return engine.PerObject(forImages(o, func(cr engine.ContainerRef, img imageref.Ref) []engine.Result {
		policy := string(cr.C.ImagePullPolicy)
		switch {
		case img.Digest != "" || cr.C.Image == "" || policy == "Always":
			return nil
		case o.Unknown(cr.Path + ".imagePullPolicy"):
			return []engine.Result{engine.Undecided(o, engine.ContainerSubject(o, cr), cr.Path+".imagePullPolicy")}
		case policy == "" && (img.Tag == "" || img.Tag == "latest"):
			return nil // Kubernetes defaults to Always for latest
		case policy == "":
			policy = "unset (IfNotPresent for a tag other than latest)"
		}
		return []engine.Result{engine.Violation(o, engine.ContainerSubject(o, cr), fmt.Sprintf("imagePullPolicy is %s for the mutable tag %s", policy, cr.C.Image), "")}
	}))
}
