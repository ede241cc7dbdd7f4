package checks

import (
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// scaledObject is a KEDA ScaledObject manifest scaling a target (of kind targetKind) on a Redis list.
func scaledObject(name, namespace, targetKind, target, minMax string) string {
	return `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: ` + name + `, namespace: ` + namespace + `}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: ` + targetKind + `, name: ` + target + `}
  ` + minMax + `
  triggers: [{type: redis, metadata: {address: "redis:6379", listName: celery, listLength: "5"}}]
`
}

func TestHPATargetsJudgesScaledObjects(t *testing.T) {
	runTable(t, HPATargets, []checkCase{
		{name: "in production a ScaledObject of an unpinned Deployment with a floor of 2 passes", production: true, manifests: []string{
			deploymentWith("celery-worker", "rag", "", "{app: celery-worker}"),
			scaledObject("celery-worker", "rag", "Deployment", "celery-worker", "minReplicaCount: 2\n  maxReplicaCount: 8"),
		}},
		{name: "a ScaledObject whose target kind is miscased, or in another namespace, targets nothing", manifests: []string{
			deploymentWith("celery-worker", "rag", "", "{app: celery-worker}"),
			scaledObject("miscased", "rag", "deployment", "celery-worker", "minReplicaCount: 1\n  maxReplicaCount: 8"),
			scaledObject("elsewhere", "jobs", "Deployment", "celery-worker", "minReplicaCount: 1\n  maxReplicaCount: 8"),
		}, want: []string{
			`ScaledObject "miscased": scaleTargetRef deployment "celery-worker" is not in namespace "rag" of the stack; point scaleTargetRef at an existing Deployment or StatefulSet in namespace "rag"`,
			`ScaledObject "elsewhere": scaleTargetRef Deployment "celery-worker" is not in namespace "jobs" of the stack; point scaleTargetRef at an existing Deployment or StatefulSet in namespace "jobs"`,
		}},
		{name: "a ScaledObject's floor above its ceiling is flagged", manifests: []string{
			deploymentWith("celery-worker", "rag", "", "{app: celery-worker}"),
			scaledObject("celery-worker", "rag", "Deployment", "celery-worker", "minReplicaCount: 5\n  maxReplicaCount: 3"),
		}, want: []string{
			`ScaledObject "celery-worker": minReplicas 5 is above maxReplicas 3; set minReplicas no higher than maxReplicas`,
		}},
		{name: "in production a ScaledObject without a floor scales to zero and is flagged", production: true, manifests: []string{
			deploymentWith("celery-worker", "rag", "", "{app: celery-worker}"),
			scaledObject("celery-worker", "rag", "Deployment", "celery-worker", "maxReplicaCount: 8"),
		}, want: []string{
			`ScaledObject "celery-worker": minReplicas is 0 in production, so one pod failure takes the workload down; set minReplicas to at least 2`,
		}},
		{name: "a Deployment that pins replicas under a ScaledObject is flagged", manifests: []string{
			deploymentWith("celery-worker", "rag", "replicas: 3", "{app: celery-worker}"),
			scaledObject("celery-worker", "rag", "Deployment", "celery-worker", "minReplicaCount: 1\n  maxReplicaCount: 8"),
		}, want: []string{
			`Deployment "celery-worker": sets spec.replicas (3) although ScaledObject "celery-worker" scales it, so every update resets the replica count; remove spec.replicas, or add the ignoreChanges option for "spec.replicas"`,
		}},
		{name: "another group's kind named ScaledObject is no autoscaler", manifests: []string{
			customObject("example.com/v1", "ScaledObject", "worker", "{scaleTargetRef: {kind: Deployment, name: missing}}"),
		}},
		{name: "a ScaledObject's range unknown during preview is not judged", manifests: []string{
			deploymentWith("celery-worker", "rag", "", "{app: celery-worker}"),
			scaledObject("celery-worker", "rag", "Deployment", "celery-worker", `minReplicaCount: "<unknown>"`),
		}, undecided: []string{
			cannotDecide(`ScaledObject "celery-worker"`, "hpa-targets", "spec.minReplicas/maxReplicas"),
		}},
	})
}

func TestPDBCoverageCountsScaledObjects(t *testing.T) {
	runTable(t, PDBCoverage, []checkCase{
		{name: "a Deployment scaled by a ScaledObject with a budget passes", manifests: []string{
			deploymentWith("celery-worker", "rag", "", "{app: celery-worker}"),
			scaledObject("celery-worker", "rag", "Deployment", "celery-worker", "minReplicaCount: 2\n  maxReplicaCount: 8"),
			pdb("celery-worker", "rag", "maxUnavailable: 1", "{app: celery-worker}"),
		}},
		{name: "a Deployment scaled by a ScaledObject without a budget is flagged", manifests: []string{
			deploymentWith("celery-worker", "rag", "", "{app: celery-worker}"),
			scaledObject("celery-worker", "rag", "Deployment", "celery-worker", "minReplicaCount: 2\n  maxReplicaCount: 8"),
		}, want: []string{
			`Deployment "celery-worker": is scaled by ScaledObject "celery-worker" but no PodDisruptionBudget selects its pods; add a PodDisruptionBudget with maxUnavailable: 1 whose selector matches the workload's pod labels`,
		}},
		{name: "a ScaledObject without a floor still needs a budget", manifests: []string{
			deploymentWith("worker-a", "rag", "", "{app: worker-a}"),
			scaledObject("worker-a", "rag", "Deployment", "worker-a", "maxReplicaCount: 8"),
		}, want: []string{
			`Deployment "worker-a": is scaled by ScaledObject "worker-a" but no PodDisruptionBudget selects its pods; add a PodDisruptionBudget with maxUnavailable: 1 whose selector matches the workload's pod labels`,
		}},
		{name: "a budget of another workload does not cover a ScaledObject's target", manifests: []string{
			deploymentWith("worker-b", "rag", "", "{app: worker-b}"),
			scaledObject("worker-b", "rag", "Deployment", "worker-b", "minReplicaCount: 2\n  maxReplicaCount: 8"),
			pdb("other", "rag", "maxUnavailable: 1", "{app: other}"),
		}, want: []string{
			`Deployment "worker-b": is scaled by ScaledObject "worker-b" but no PodDisruptionBudget selects its pods; add a PodDisruptionBudget with maxUnavailable: 1 whose selector matches the workload's pod labels`,
		}},
		{name: "a ScaledObject's floor unknown during preview is not judged", manifests: []string{
			deploymentWith("worker-c", "rag", "", "{app: worker-c}"),
			scaledObject("worker-c", "rag", "Deployment", "worker-c", `minReplicaCount: "<unknown>"`),
			pdb("worker-c", "rag", "minAvailable: 1", "{app: worker-c}"),
		}, undecided: []string{
			cannotDecide(`PodDisruptionBudget "worker-c"`, "pdb-coverage", `spec.minReplicaCount of ScaledObject "worker-c"`),
		}},
	})
}

func TestServingReplicasUnsetSeesScaledObjects(t *testing.T) {
	serving := `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: rag}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: "api:1", ports: [{containerPort: 8000}]}]}
`
	const unset = `Deployment "api": serves on port 8000 and leaves spec.replicas unset with no HorizontalPodAutoscaler, so it runs 1 replica in production (minimum 2); set spec.replicas to at least 2, or add a HorizontalPodAutoscaler with minReplicas of 2 or more`
	runTable(t, ServingReplicasUnset, []checkCase{
		{name: "a serving Deployment scaled by a ScaledObject is not a single pod", production: true, manifests: []string{
			serving, scaledObject("api", "rag", "Deployment", "api", "minReplicaCount: 2\n  maxReplicaCount: 8"),
		}},
		{name: "a ScaledObject of another name leaves it a single pod", production: true, manifests: []string{
			serving, scaledObject("api", "rag", "Deployment", "apii", "minReplicaCount: 2\n  maxReplicaCount: 8"),
		}, want: []string{unset}},
		{name: "a ScaledObject of a miscased kind leaves it a single pod", production: true, manifests: []string{
			serving, scaledObject("api", "rag", "deployment", "api", "minReplicaCount: 2\n  maxReplicaCount: 8"),
		}, want: []string{unset}},
		{name: "a ScaledObject in another namespace leaves it a single pod", production: true, manifests: []string{
			serving, scaledObject("api", "jobs", "Deployment", "api", "minReplicaCount: 2\n  maxReplicaCount: 8"),
		}, want: []string{unset}},
		{name: "a ScaledObject's target unknown during preview is not judged", production: true, manifests: []string{
			serving, scaledObject("api", "rag", "Deployment", `"<unknown>"`, "minReplicaCount: 2\n  maxReplicaCount: 8"),
		}, undecided: []string{
			cannotDecide(`Deployment "api"`, "serving-replicas-unset", "the scaleTargetRef of a HorizontalPodAutoscaler"),
		}},
	})
}

func TestKubernetesObjectReadableKnowsScaledObjects(t *testing.T) {
	runTable(t, engine.KubernetesObjectReadable, []checkCase{
		{name: "a well-formed ScaledObject passes", manifests: []string{
			scaledObject("celery-worker", "rag", "Deployment", "celery-worker", "minReplicaCount: 2\n  maxReplicaCount: 8\n  pollingInterval: 30\n  advanced: {restoreToOriginalReplicaCount: true}"),
		}},
		{name: "an HPA's spelling of the floor is not a field of a ScaledObject", manifests: []string{
			scaledObject("hpa-spelling", "rag", "Deployment", "celery-worker", "minReplicas: 2"),
		}, want: []string{
			`ScaledObject "hpa-spelling": spec.minReplicas is not a field of keda.sh/v1alpha1 ScaledObject; remove it or correct its name: the API server drops or rejects fields its type does not define`,
		}},
		{name: "a miscased field is flagged with its right name", manifests: []string{
			scaledObject("miscased", "rag", "Deployment", "celery-worker", "MinReplicaCount: 2"),
		}, want: []string{
			`ScaledObject "miscased": spec.MinReplicaCount is not a field of keda.sh/v1alpha1 ScaledObject (field names are case-sensitive); rename it to minReplicaCount`,
		}},
		{name: "a floor written as a string cannot be read", manifests: []string{
			scaledObject("string", "rag", "Deployment", "celery-worker", `minReplicaCount: "2"`),
		}, want: []string{
			`ScaledObject "string": cannot be read as keda.sh/v1alpha1 ScaledObject: spec.minReplicaCount is a JSON string where the API expects int32; fix the value to the type the Kubernetes API expects`,
		}},
		{name: "a floor unknown during preview is no problem", manifests: []string{
			scaledObject("unknown", "rag", "Deployment", "celery-worker", `minReplicaCount: "<unknown>"`),
		}},
	})
}
