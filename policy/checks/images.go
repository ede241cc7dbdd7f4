package checks

import (
	"github.com/jdjones/jd-jones-rag-infra/internal/imageref"
)

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
