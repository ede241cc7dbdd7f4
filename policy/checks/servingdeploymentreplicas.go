package checks

import (
	"fmt"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// ServingDeploymentReplicas requires production Deployments that serve traffic to run more than one pod.
var ServingDeploymentReplicas = &engine.Policy{
	Name:        "serving-deployment-replicas",
	Description: "In production, every Deployment that serves traffic runs at least two replicas.",
	Remediation: "set spec.replicas to at least 2, or leave it unset and let a HorizontalPodAutoscaler with minReplicas of 2 or more scale it",
	Why:         "review finding 3 (single points of failure); kube-score, Polaris",
	Level:       engine.Mandatory,
	Kinds:       []string{"Deployment"},
	Params:      &servingReplicasParams{MinReplicas: 2},
	Resource:    checkServingDeploymentReplicas,
}

// servingReplicasParams are the parameters of serving-deployment-replicas.
type servingReplicasParams struct {
	MinReplicas int `param:"minReplicas" min:"1" help:"fewest replicas a serving Deployment may run in production"`
	engine.ProductionSwitch
}

func checkServingDeploymentReplicas(o *engine.Object, c *engine.Config) []engine.Result {
	if !c.Production {
		return nil
	}
	w, _ := o.Workload()
	if w.Replicas == nil {
		if o.Unknown(w.ReplicasPath) {
			return []engine.Result{engine.Undecided(o, o.Subject(), w.ReplicasPath)}
		}
		return nil // No replicas: an HorizontalPodAutoscaler manages it (see hpa-targets).
	}
	minimum := c.Params.(*servingReplicasParams).MinReplicas
	if int(*w.Replicas) >= minimum {
		return nil
	}
	serves, undecided := servingPorts(o, w, databaseImages(c))
	if serves == "" {
		return undecided
	}
	return []engine.Result{engine.Violation(o, o.Subject(), fmt.Sprintf("serves on %s with %s in production (minimum %d)",
		serves, replicasText(*w.Replicas), minimum),
		fmt.Sprintf("set spec.replicas to at least %d, or leave it unset and let a HorizontalPodAutoscaler with minReplicas of %d or more scale it",
			minimum, minimum))}
}
