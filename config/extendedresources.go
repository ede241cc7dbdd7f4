package config

import (
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/jdjones/jd-jones-rag-infra/internal/resourcename"
)

// extendedResources checks a container's extended resources (resources.extended) with Kubernetes's
// rules: each name is a domain-prefixed extended resource or hugepages-<size>, each quantity a whole
// number (a multiple of the page size for hugepages). Requests equal limits by construction: the
// platform renders each quantity as both.
func (v *validator) extendedResources(r *Resources) {
	key := v.config.keyOf(&r.Extended)
	for _, name := range slices.Sorted(maps.Keys(r.Extended)) {
		value := r.Extended[name]
		q, err := resource.ParseQuantity(value)
		if err != nil {
			v.fail(key+"."+name, value, "must be a Kubernetes quantity such as 1 (a GPU) or 1Gi (hugepages)")
			continue
		}
		if problem := resourcename.Problem(name, q); problem != "" {
			v.fail(key+"."+name, value, "%s", problem)
		}
	}
}
