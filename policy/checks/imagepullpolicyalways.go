package checks

import (
	"fmt"

	"github.com/jdjones/jd-jones-rag-infra/internal/imageref"
)

// ImagePullPolicyAlways recommends pulling a mutable tag on every start, so a node never runs a stale
// copy of a tag that was pushed again (and image pull secrets are checked on every start).
var ImagePullPolicyAlways = &Policy{
	Name:        "image-pull-policy-always",
	Description: "A container whose image is a mutable tag (no digest) is pulled with imagePullPolicy: Always.",
	Remediation: "set imagePullPolicy: Always, or pin the image by digest",
	Why:         "Polaris pullPolicyNotAlways, kube-score container-image-pull-policy",
	Level:       Advisory,
	Kinds:       []string{PodBearing},
	Resource:    checkImagePullPolicyAlways,
}

func checkImagePullPolicyAlways(o *Object, _ *Config) []Result {
	return perObject(forImages(o, func(cr ContainerRef, img imageref.Ref) []Result {
		policy := string(cr.C.ImagePullPolicy)
		switch {
		case img.Digest != "" || cr.C.Image == "" || policy == "Always":
			return nil
		case o.Unknown(cr.Path + ".imagePullPolicy"):
			return []Result{Undecided(o, containerSubject(o, cr), cr.Path+".imagePullPolicy")}
		case policy == "" && (img.Tag == "" || img.Tag == "latest"):
			return nil // Kubernetes defaults to Always for latest
		case policy == "":
			policy = "unset (IfNotPresent for a tag other than latest)"
		}
		return []Result{Violation(o, containerSubject(o, cr), fmt.Sprintf("imagePullPolicy is %s for the mutable tag %s", policy, cr.C.Image), "")}
	}))
}
