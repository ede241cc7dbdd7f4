package checks

import (
	"github.com/jdjones/jd-jones-rag-infra/internal/imageref"
	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// forImages runs fn on every container image, init containers included; an unknown image is a
// note, an empty one is passed with an empty Image.
func forImages(o *engine.Object, fn func(cr engine.ContainerRef, img imageref.Ref) []engine.Result) []engine.Result {
	w, _ := o.Workload()
	return engine.ForContainers(o, w, true, func(cr engine.ContainerRef) []engine.Result {
		if cr.C.Image == "" && o.Unknown(cr.Path+".image") {
			return []engine.Result{engine.Undecided(o, engine.ContainerSubject(o, cr), cr.Path+".image")}
		}
		return fn(cr, imageref.Split(cr.C.Image))
	})
}
