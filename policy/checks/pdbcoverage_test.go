package checks

import "testing"

// deploymentWith is a Deployment manifest with a name, namespace, replicas line and pod labels.
func deploymentWith(name, namespace, replicas, labels string) string {
	return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec:
  ` + replicas + `
  selector: {matchLabels: ` + labels + `}
  template:
    metadata: {labels: ` + labels + `}
    spec: {containers: [{name: app, image: "app:1"}]}
`
}

func pdb(name, namespace, budget, selector string) string {
	return `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec: {` + budget + `, selector: {matchLabels: ` + selector + `}}
`
}

func hpa(name, namespace, target, minMax string) string {
	return `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ` + target + `}, ` + minMax + `}
`
}

func TestPDBCoverage(t *testing.T) {
	const addPDB = "; add a PodDisruptionBudget with maxUnavailable: 1 whose selector matches the workload's pod labels"
	const loosen = "; set maxUnavailable: 1 (or a minAvailable below the replica count)"
	runTable(t, PDBCoverage, []checkCase{
		{name: "replicated and autoscaled workloads with budgets that allow a disruption pass", manifests: []string{
			deploymentWith("external-portal", "rag", "replicas: 3", "{app: external-portal}"),
			pdb("external-portal", "rag", "maxUnavailable: 1", "{app: external-portal}"),
			deploymentWith("api", "rag", "", "{app: api, tier: backend}"),
			hpa("api", "rag", "api", "minReplicas: 2, maxReplicas: 10"),
			pdb("api", "rag", "minAvailable: 50%", "{app: api}"),
			deploymentWith("internal-portal", "rag", "replicas: 3", "{app: internal-portal}"),
			pdb("internal-portal", "rag", "maxUnavailable: 10%", "{app: internal-portal}"),
			deploymentWith("celery-beat", "rag", "replicas: 1", "{app: celery-beat}"),
		}},
		{name: "a single unreplicable replica may keep a budget that stops drains for an operator", manifests: []string{
			`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: chromadb, namespace: rag}
spec:
  replicas: 1
  selector: {matchLabels: {app: chromadb}}
  template:
    metadata: {labels: {app: chromadb}}
    spec: {containers: [{name: chromadb, image: "chromadb/chroma:1.0.12"}]}
`,
			pdb("chromadb", "rag", "minAvailable: 1", "{app: chromadb}"),
		}},
		{name: "a replicated deployment without a budget is flagged", manifests: []string{
			deploymentWith("external-portal", "rag", "replicas: 3", "{app: external-portal}"),
			pdb("elsewhere", "other", "maxUnavailable: 1", "{app: external-portal}"),
		}, want: []string{
			`Deployment "external-portal": runs 3 replicas but no PodDisruptionBudget selects its pods` + addPDB,
		}},
		{name: "an autoscaled deployment without a budget is flagged", manifests: []string{
			deploymentWith("api", "rag", "", "{app: api}"),
			hpa("api", "rag", "api", "minReplicas: 2, maxReplicas: 10"),
			pdb("api", "rag", "maxUnavailable: 1", "{app: apii}"),
		}, want: []string{
			`Deployment "api": is scaled by HorizontalPodAutoscaler "api" but no PodDisruptionBudget selects its pods` + addPDB,
		}},
		{name: "a budget that keeps every replica is flagged", manifests: []string{
			deploymentWith("internal-portal", "rag", "replicas: 2", "{app: internal-portal}"),
			pdb("internal-portal", "rag", "minAvailable: 2", "{app: internal-portal}"),
		}, want: []string{
			`PodDisruptionBudget "internal-portal": allows no disruption of Deployment "internal-portal" (minAvailable 2 with 2 replicas), so node drains block` + loosen,
		}},
		{name: "a budget judged at the autoscaler's minimum is flagged", manifests: []string{
			deploymentWith("celery-worker", "rag", "", "{app: celery-worker}"),
			hpa("celery-worker", "rag", "celery-worker", "minReplicas: 1, maxReplicas: 8"),
			pdb("celery-worker", "rag", "minAvailable: 100%", "{app: celery-worker}"),
		}, want: []string{
			`PodDisruptionBudget "celery-worker": allows no disruption of Deployment "celery-worker" (minAvailable 100% with 1 replica), so node drains block` + loosen,
		}},
		{name: "a budget with a zero maxUnavailable is flagged", manifests: []string{
			deploymentWith("api", "rag", "replicas: 3", "{app: api}"),
			pdb("api", "rag", "maxUnavailable: 0", "{app: api}"),
		}, want: []string{
			`PodDisruptionBudget "api": allows no disruption of Deployment "api" (maxUnavailable 0 with 3 replicas), so node drains block` + loosen,
		}},
		{name: "a budget selector or replica count unknown during preview is not judged", manifests: []string{
			deploymentWith("api", "rag", "replicas: 3", "{app: api}"),
			pdb("api", "rag", "maxUnavailable: 1", `"<unknown>"`),
			deploymentWith("worker", "jobs", `replicas: "<unknown>"`, "{app: worker}"),
		}, undecided: []string{
			cannotDecide(`Deployment "api"`, "pdb-coverage", "the selector or namespace of a PodDisruptionBudget"),
			cannotDecide(`Deployment "worker"`, "pdb-coverage", "spec.replicas"),
		}},
	})
}
