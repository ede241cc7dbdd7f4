package checks

import (
	"strings"
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

func TestHPATargets(t *testing.T) {
	runTable(t, HPATargets, []checkCase{
		{name: "in production, autoscalers of unpinned or ignored workloads with sane ranges pass", production: true, manifests: []string{
			deploymentWith("api", "rag", "", "{app: api}"),
			hpa("api", "rag", "api", "minReplicas: 2, maxReplicas: 10"),
			"# ignore changes: spec.replicas\n" + deploymentWith("celery-worker", "rag", "replicas: 2", "{app: celery-worker}"),
			hpa("celery-worker", "rag", "celery-worker", "minReplicas: 2, maxReplicas: 8"),
		}},
		{name: "outside production the review's worker range of 1-8 passes", manifests: []string{
			deploymentWith("celery-worker", "rag", "", "{app: celery-worker}"),
			hpa("celery-worker", "rag", "celery-worker", "minReplicas: 1, maxReplicas: 8"),
		}},
		{name: "an autoscaler of a missing workload is flagged", manifests: []string{
			deploymentWith("api", "rag", "", "{app: api}"),
			hpa("api", "rag", "apii", "minReplicas: 2, maxReplicas: 10"),
			hpa("other-ns", "jobs", "api", "minReplicas: 2, maxReplicas: 10"),
		}, want: []string{
			`HorizontalPodAutoscaler "api": scaleTargetRef Deployment "apii" is not in namespace "rag" of the stack; point scaleTargetRef at an existing Deployment or StatefulSet in namespace "rag"`,
			`HorizontalPodAutoscaler "other-ns": scaleTargetRef Deployment "api" is not in namespace "jobs" of the stack; point scaleTargetRef at an existing Deployment or StatefulSet in namespace "jobs"`,
		}},
		{name: "a minimum above the maximum is flagged", manifests: []string{
			deploymentWith("api", "rag", "", "{app: api}"),
			hpa("api", "rag", "api", "minReplicas: 5, maxReplicas: 3"),
		}, want: []string{
			`HorizontalPodAutoscaler "api": minReplicas 5 is above maxReplicas 3; set minReplicas no higher than maxReplicas`,
		}},
		{name: "in production a minimum of one, or none, is flagged", production: true, manifests: []string{
			deploymentWith("celery-worker", "rag", "", "{app: celery-worker}"),
			hpa("celery-worker", "rag", "celery-worker", "minReplicas: 1, maxReplicas: 8"),
			deploymentWith("api", "rag", "", "{app: api}"),
			hpa("api", "rag", "api", "maxReplicas: 10"),
		}, want: []string{
			`HorizontalPodAutoscaler "celery-worker": minReplicas is 1 in production, so one pod failure takes the workload down; set minReplicas to at least 2`,
			`HorizontalPodAutoscaler "api": minReplicas is 1 in production, so one pod failure takes the workload down; set minReplicas to at least 2`,
		}},
		{name: "a workload that pins replicas under an autoscaler is flagged", manifests: []string{
			deploymentWith("api", "rag", "replicas: 3", "{app: api}"),
			hpa("api", "rag", "api", "minReplicas: 2, maxReplicas: 10"),
		}, want: []string{
			`Deployment "api": sets spec.replicas (3) although HorizontalPodAutoscaler "api" scales it, so every update resets the replica count; remove spec.replicas, or add the ignoreChanges option for "spec.replicas"`,
		}},
		{name: "targets and ranges unknown during preview are not judged", manifests: []string{
			deploymentWith("api", "rag", "", "{app: api}"),
			hpa("api", "rag", `"<unknown>"`, `minReplicas: "<unknown>", maxReplicas: 10`),
		}, undecided: []string{
			cannotDecide(`HorizontalPodAutoscaler "api"`, "hpa-targets", "spec.minReplicas/maxReplicas"),
			cannotDecide(`HorizontalPodAutoscaler "api"`, "hpa-targets", "spec.scaleTargetRef"),
		}},
	})
}

// Under Pulumi, stack policies see outputs, where the API server has defaulted spec.replicas; the
// program's inputs (seen by the resource policies earlier in the run) decide whether it is pinned.
func TestHPAJudgesReplicasFromTheProgramNotServerDefaults(t *testing.T) {
	inputs := manifest(t, deploymentWith("api", "rag", "", "{app: api}"))
	outputs := manifest(t, deploymentWith("api", "rag", "replicas: 4", "{app: api}"))
	outputs.FromOutputs = true
	autoscaler := manifest(t, hpa("api", "rag", "api", "minReplicas: 2, maxReplicas: 10"))
	autoscaler.FromOutputs = true

	s := engine.NewSession(false)
	s.RunResource(WorkloadProbes, inputs, nil)
	key := new(int)
	if fs := s.RunStack(HPATargets, key, func() []engine.Resource { return []engine.Resource{outputs, autoscaler} }); len(fs) != 0 {
		t.Errorf("want no violation when the program leaves replicas unset, got %v", fs)
	}
	if notes := s.RunStack(engine.PolicyCouldNotDecideStack, key, nil); len(notes) != 0 {
		t.Errorf("want no notes, got %v", notes)
	}

	// Without the inputs, the policy cannot tell and says so.
	s = engine.NewSession(false)
	s.RunStack(HPATargets, key, func() []engine.Resource { return []engine.Resource{outputs, autoscaler} })
	notes := s.RunStack(engine.PolicyCouldNotDecideStack, key, nil)
	if len(notes) != 1 || !strings.Contains(notes[0].Message, "whether the program sets spec.replicas is not known yet") {
		t.Errorf("want one note about spec.replicas, got %v", notes)
	}
}
