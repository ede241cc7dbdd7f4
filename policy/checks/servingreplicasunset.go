package checks

import (
	"fmt"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// ServingReplicasUnset is serving-deployment-replicas for workloads that leave spec.replicas unset:
// without an autoscaler, Kubernetes runs one pod. It needs the whole stack to see the autoscalers.
var ServingReplicasUnset = &engine.Policy{
	Name: "serving-replicas-unset",
	Description: "In production, a serving Deployment or StatefulSet that leaves spec.replicas unset is scaled by a " +
		"HorizontalPodAutoscaler; without one it runs a single pod.",
	Remediation: "set spec.replicas to at least 2, or add a HorizontalPodAutoscaler with minReplicas of 2 or more",
	Why:         "review finding 3 (single points of failure); kube-score, Polaris; unset replicas without an autoscaler is replicas: 1",
	Level:       engine.Mandatory,
	Stack:       checkServingReplicasUnset,
}

func checkServingReplicasUnset(s *engine.Stack, c *engine.Config) []engine.Result {
	if !c.Production {
		return nil
	}
	minimum := c.ParamsOf(ServingDeploymentReplicas).(*servingReplicasParams).MinReplicas
	var out []engine.Result
	for _, o := range s.OfKind("Deployment", "StatefulSet") {
		in := s.Inputs(o) // outputs carry the replica count the API server defaulted
		if in == nil {
			out = append(out, engine.Undecided(o, o.Subject(), "whether the program sets spec.replicas"))
			continue
		}
		w, _ := in.Workload()
		if w.Replicas != nil || in.Unknown(w.ReplicasPath) {
			continue // serving-deployment-replicas judges a set (or unknown) count
		}
		serves, undecided := servingPorts(in, w, databaseImages(c))
		if serves == "" {
			out = append(out, undecided...)
			continue
		}
		hpa, maybe := scaledBy(s, o)
		switch {
		case hpa != nil:
		case maybe:
			out = append(out, engine.Undecided(o, o.Subject(), "the scaleTargetRef of a HorizontalPodAutoscaler"))
		default:
			out = append(out, engine.Violation(o, o.Subject(), fmt.Sprintf(
				"serves on %s and leaves spec.replicas unset with no HorizontalPodAutoscaler, so it runs 1 replica in production (minimum %d)",
				serves, minimum), fmt.Sprintf("set spec.replicas to at least %d, or add a HorizontalPodAutoscaler with minReplicas of %d or more", minimum, minimum)))
		}
	}
	return out
}
