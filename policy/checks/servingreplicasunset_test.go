package checks

import "testing"

// servingWorkload is a workload of kind with one container serving on port 8000 (or the given image).
func servingWorkload(kind, name, replicas, image string) string {
	return `
apiVersion: apps/v1
kind: ` + kind + `
metadata: {name: ` + name + `, namespace: rag}
spec:
  ` + replicas + `
  selector: {matchLabels: {app: ` + name + `}}
  template:
    metadata: {labels: {app: ` + name + `}}
    spec: {containers: [{name: app, image: "` + image + `", ports: [{containerPort: 8000}]}]}
`
}

func TestServingReplicasUnset(t *testing.T) {
	const fix = "; set spec.replicas to at least 2, or add a HorizontalPodAutoscaler with minReplicas of 2 or more"
	runTable(t, ServingReplicasUnset, []checkCase{
		{name: "an autoscaled api, a pinned count, a worker and a database pass in production", production: true, manifests: []string{
			servingWorkload("Deployment", "api", "", "api:1"),
			hpa("api", "rag", "api", "minReplicas: 2, maxReplicas: 10"),
			servingWorkload("Deployment", "web", "replicas: 1", "web:1"),
			deploymentWith("worker", "rag", "", "{app: worker}"),
			servingWorkload("StatefulSet", "postgres", "", "postgres:16"),
		}},
		{name: "outside production nothing is judged", manifests: []string{servingWorkload("Deployment", "api", "", "api:1")}},
		{name: "a serving deployment with no replicas and no autoscaler is flagged", production: true, manifests: []string{
			servingWorkload("Deployment", "api", "", "api:1"),
		}, want: []string{`Deployment "api": serves on port 8000 and leaves spec.replicas unset with no HorizontalPodAutoscaler, so it runs 1 replica in production (minimum 2)` + fix}},
		{name: "a serving statefulset with no replicas is flagged", production: true, manifests: []string{
			servingWorkload("StatefulSet", "search", "", "search-api:1"),
		}, want: []string{`StatefulSet "search": serves on port 8000 and leaves spec.replicas unset with no HorizontalPodAutoscaler, so it runs 1 replica in production (minimum 2)` + fix}},
		{name: "an autoscaler in another namespace does not count", production: true, manifests: []string{
			servingWorkload("Deployment", "api", "", "api:1"),
			hpa("api", "other", "api", "minReplicas: 2, maxReplicas: 10"),
		}, want: []string{`Deployment "api": serves on port 8000 and leaves spec.replicas unset with no HorizontalPodAutoscaler, so it runs 1 replica in production (minimum 2)` + fix}},
		{name: "an autoscaler whose target is unknown during preview is not judged", production: true, manifests: []string{
			servingWorkload("Deployment", "api", "", "api:1"),
			hpa("api", "rag", "<unknown>", "minReplicas: 2, maxReplicas: 10"),
		}, undecided: []string{cannotDecide(`Deployment "api"`, "serving-replicas-unset", "the scaleTargetRef of a HorizontalPodAutoscaler")}},
	})
}
