package checks

import "testing"

// spreadDeployment is a Deployment with pod labels {app: name} and the given extra pod spec fields.
func spreadDeployment(name, replicas, podSpec string) string {
	return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ` + name + `, namespace: rag}
spec:
  ` + replicas + `
  selector: {matchLabels: {app: ` + name + `}}
  template:
    metadata: {labels: {app: ` + name + `}}
    spec: {containers: [{name: app, image: "app:1"}]` + podSpec + `}
`
}

func TestReplicatedPodsSpread(t *testing.T) {
	const fix = "; add topologySpreadConstraints (topologyKey kubernetes.io/hostname, and topology.kubernetes.io/zone) " +
		"or a podAntiAffinity term whose labelSelector matches the pod labels"
	runTable(t, ReplicatedPodsSpread, []checkCase{
		{name: "spread constraints, anti-affinity and single replicas pass", manifests: []string{
			spreadDeployment("api", "replicas: 3", `, topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: api}}}]`),
			spreadDeployment("web", "replicas: 2", `, affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 100, podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}}]}}`),
			spreadDeployment("beat", "replicas: 1", ""),
		}},
		{name: "a replicated deployment that does not spread is flagged", manifests: []string{
			spreadDeployment("api", "replicas: 3", ""),
		}, want: []string{`Deployment "api": runs 3 replicas but neither a topology spread constraint nor pod anti-affinity spreads its pods, so one node can hold them all` + fix}},
		{name: "an autoscaled deployment that does not spread is flagged", manifests: []string{
			spreadDeployment("worker", "", ""),
			hpa("worker", "rag", "worker", "minReplicas: 1, maxReplicas: 8"),
		}, want: []string{`Deployment "worker": is scaled by HorizontalPodAutoscaler "worker" but neither a topology spread constraint nor pod anti-affinity spreads its pods, so one node can hold them all` + fix}},
		{name: "a constraint that selects other pods does not spread these", manifests: []string{
			spreadDeployment("api", "replicas: 2", `, topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}]`),
		}, want: []string{`Deployment "api": runs 2 replicas but neither a topology spread constraint nor pod anti-affinity spreads its pods, so one node can hold them all` + fix}},
		{name: "constraints unknown during preview are not judged", manifests: []string{
			spreadDeployment("api", "replicas: 2", `, topologySpreadConstraints: "<unknown>"`),
		}, undecided: []string{cannotDecide(`Deployment "api"`, "replicated-pods-spread", "spec.template.spec.topologySpreadConstraints")}},
	})
}
