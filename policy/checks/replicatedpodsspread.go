package checks

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// ReplicatedPodsSpread requires replicated workloads to spread their pods, so one node or zone
// going down does not take every replica with it.
var ReplicatedPodsSpread = &engine.Policy{
	Name: "replicated-pods-spread",
	Description: "Every workload with more than one replica, or scaled by a HorizontalPodAutoscaler, spreads its pods " +
		"with a topology spread constraint or pod anti-affinity that selects them.",
	Remediation: "add topologySpreadConstraints (topologyKey kubernetes.io/hostname, and topology.kubernetes.io/zone) " +
		"or a podAntiAffinity term whose labelSelector matches the pod labels",
	Why:   "kube-linter no-anti-affinity, Polaris topologySpreadConstraint, kube-score pod anti-affinity and pod-topology-spread-constraints",
	Level: engine.Mandatory,
	Stack: checkReplicatedPodsSpread,
}

func checkReplicatedPodsSpread(s *engine.Stack, _ *engine.Config) []engine.Result {
	var out []engine.Result
	for _, o := range s.OfKind(engine.PodBearingKindNames(true)...) {
		w, _ := o.Workload()
		hpa, maybe := scaledBy(s, o)
		var reason string
		switch {
		case hpa != nil:
			reason = "is scaled by " + hpa.Subject()
		case w.Replicas != nil && *w.Replicas > 1:
			reason = "runs " + replicasText(*w.Replicas)
		case maybe || (w.Replicas == nil && o.Unknown(w.ReplicasPath)):
			out = append(out, engine.Undecided(o, o.Subject(), "how many replicas it runs"))
			continue
		default:
			continue
		}
		for _, path := range []string{w.SpecPath + ".topologySpreadConstraints", w.SpecPath + ".affinity", w.LabelsPath} {
			if o.UnknownWithin(path) {
				out = append(out, engine.Undecided(o, o.Subject(), path))
				reason = ""
				break
			}
		}
		if reason != "" && !spreads(w.Spec, w.Labels) {
			out = append(out, engine.Violation(o, o.Subject(),
				fmt.Sprintf("%s but neither a topology spread constraint nor pod anti-affinity spreads its pods, so one node can hold them all", reason), ""))
		}
	}
	return out
}

// spreads reports whether a pod spec spreads the pods with these labels: a topology spread
// constraint or an anti-affinity term (required or preferred) whose selector selects them.
func spreads(spec *corev1.PodSpec, labels map[string]string) bool {
	for _, c := range spec.TopologySpreadConstraints {
		if engine.SelectorMatches(c.LabelSelector, labels) {
			return true
		}
	}
	if spec.Affinity == nil || spec.Affinity.PodAntiAffinity == nil {
		return false
	}
	anti := spec.Affinity.PodAntiAffinity
	for _, t := range anti.RequiredDuringSchedulingIgnoredDuringExecution {
		if engine.SelectorMatches(t.LabelSelector, labels) {
			return true
		}
	}
	for _, t := range anti.PreferredDuringSchedulingIgnoredDuringExecution {
		if engine.SelectorMatches(t.PodAffinityTerm.LabelSelector, labels) {
			return true
		}
	}
	return false
}
