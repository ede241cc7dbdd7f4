package checks

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/jdjones/jd-jones-rag-infra/internal/resourcename"
	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// ContainerResources requires CPU and memory requests and limits on every container.
var ContainerResources = &engine.Policy{
	Name:        "container-resources",
	Description: "Every container, init containers included, sets CPU and memory requests and limits (0 counts as unset); an extended resource (a GPU, hugepages) is whole and requested as much as it is limited.",
	Remediation: "set resources.requests and resources.limits for cpu and memory",
	Why:         "kube-linter, Polaris, kube-score, Kyverno, Checkov; the review counts it as a strength to keep",
	Level:       engine.Mandatory,
	Kinds:       []string{engine.PodBearing},
	Params:      &containerResourceParams{Requests: []string{"cpu", "memory"}, Limits: []string{"cpu", "memory"}},
	Resource:    checkContainerResources,
}

// containerResourceParams are the parameters of container-resources.
type containerResourceParams struct {
	Requests []string `param:"requests" help:"resources every container must request"`
	Limits   []string `param:"limits" help:"resources every container must limit"`
}

func checkContainerResources(o *engine.Object, c *engine.Config) []engine.Result {
	w, _ := o.Workload()
	prm := c.Params.(*containerResourceParams)
	requests, limits := prm.Requests, prm.Limits
	return engine.ForContainers(o, w, true, func(cr engine.ContainerRef) []engine.Result {
		if cr.Ephemeral {
			return nil // The API forbids resources on ephemeral containers.
		}
		var out []engine.Result
		var missing []string
		for _, want := range []struct {
			field string
			names []string
			have  corev1.ResourceList
		}{{"requests", requests, cr.C.Resources.Requests}, {"limits", limits, cr.C.Resources.Limits}} {
			for _, name := range want.names {
				// A quantity of 0 sets nothing: a zero limit is no limit, a zero request reserves nothing.
				if q, ok := want.have[corev1.ResourceName(name)]; ok && !q.IsZero() {
					continue
				} else if ok {
					missing = append(missing, want.field+"."+name+" (set to 0)")
					continue
				}
				path := engine.JoinKey(cr.Path+".resources."+want.field, name)
				if o.Unknown(path) {
					out = append(out, engine.Undecided(o, engine.ContainerSubject(o, cr), path))
					continue
				}
				missing = append(missing, want.field+"."+name)
			}
		}
		if len(missing) > 0 {
			fix := make([]string, len(missing))
			for i, m := range missing {
				fix[i] = "resources." + strings.TrimSuffix(m, " (set to 0)")
			}
			out = append(out, engine.Violation(o, engine.ContainerSubject(o, cr), "no "+strings.Join(missing, ", "),
				"set "+joinAnd(fix)))
		}
		return append(out, extendedResourceResults(o, cr)...)
	})
}

// extendedResourceResults flags what the API server refuses in a container's extended resources (GPUs,
// hugepages): a quantity that is not whole (or not a multiple of the page size), and a request that
// differs from its limit, since these resources cannot be overcommitted.
func extendedResourceResults(o *engine.Object, cr engine.ContainerRef) []engine.Result {
	var out []engine.Result
	requests, limits := cr.C.Resources.Requests, cr.C.Resources.Limits
	for _, field := range []struct {
		name string
		list corev1.ResourceList
	}{{"limits", limits}, {"requests", requests}} {
		for _, name := range slices.Sorted(maps.Keys(field.list)) {
			if !resourcename.IsStrict(string(name)) {
				continue
			}
			q := field.list[name]
			if problem := resourcename.Problem(string(name), q); problem != "" {
				out = append(out, engine.Violation(o, engine.ContainerSubject(o, cr),
					fmt.Sprintf("resources.%s.%s is %s: it %s", field.name, name, q.String(), problem),
					"give "+string(name)+" a whole quantity Kubernetes accepts"))
				continue
			}
			if field.name != "requests" {
				continue
			}
			limit, ok := limits[name]
			if path := engine.JoinKey(cr.Path+".resources.limits", string(name)); !ok && o.Unknown(path) {
				out = append(out, engine.Undecided(o, engine.ContainerSubject(o, cr), path))
				continue
			}
			if !ok || limit.Cmp(q) != 0 {
				out = append(out, engine.Violation(o, engine.ContainerSubject(o, cr),
					fmt.Sprintf("resources.requests.%s is %s but its limit is %s: an extended resource cannot be overcommitted", name, q.String(), limitText(limit, ok)),
					"set resources.requests."+string(name)+" equal to resources.limits."+string(name)))
			}
		}
	}
	return out
}

// limitText renders a limit that may be unset.
func limitText(limit resource.Quantity, ok bool) string {
	if !ok {
		return "unset"
	}
	return limit.String()
}

// joinAnd joins words as English does: "a", "a and b", "a, b and c".
func joinAnd(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// replicasText renders a replica count: "1 replica", "3 replicas".
func replicasText(n int32) string {
	if n == 1 {
		return "1 replica"
	}
	return fmt.Sprintf("%d replicas", n)
}
