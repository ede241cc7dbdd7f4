package checks

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// SelectorMatchesLabels requires a workload's selector to select its own pod template: the API
// server refuses an apps/v1 workload whose selector does not, which a preview without a cluster
// never shows.
var SelectorMatchesLabels = &engine.Policy{
	Name:        "selector-matches-labels",
	Description: "Every Deployment, StatefulSet, DaemonSet, ReplicaSet and Job with a selector selects its own pod template's labels.",
	Remediation: "make spec.selector match the labels of spec.template.metadata.labels",
	Why:         "kube-linter mismatching-selector, kube-score; the API server refuses the object at apply time",
	Level:       engine.Mandatory,
	Kinds:       []string{"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"},
	Resource:    checkSelectorMatchesLabels,
}

// workloadSelector returns a workload's spec.selector and whether the kind requires one.
func workloadSelector(typed any) (sel *metav1.LabelSelector, required bool) {
	switch t := typed.(type) {
	case *appsv1.Deployment:
		return t.Spec.Selector, true
	case *appsv1.StatefulSet:
		return t.Spec.Selector, true
	case *appsv1.DaemonSet:
		return t.Spec.Selector, true
	case *appsv1.ReplicaSet:
		return t.Spec.Selector, true
	case *batchv1.Job:
		return t.Spec.Selector, false // generated unless manualSelector
	}
	return nil, false
}

func checkSelectorMatchesLabels(o *engine.Object, _ *engine.Config) []engine.Result {
	w, _ := o.Workload()
	if o.UnknownWithin("spec.selector") || o.UnknownWithin(w.LabelsPath) {
		return []engine.Result{engine.Undecided(o, o.Subject(), "spec.selector or "+w.LabelsPath)}
	}
	sel, required := workloadSelector(o.Typed)
	switch {
	case sel == nil && required:
		return []engine.Result{engine.Violation(o, o.Subject(), "has no spec.selector, which apps/v1 requires", "")}
	case sel == nil:
		return nil
	case len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0:
		return []engine.Result{engine.Violation(o, o.Subject(), "has an empty spec.selector, which would select every pod in the namespace", "")}
	case !engine.SelectorMatches(sel, w.Labels):
		return []engine.Result{engine.Violation(o, o.Subject(), fmt.Sprintf("spec.selector %s does not select its pod template's labels %s",
			formatSelector(sel), formatMapSelector(w.Labels)), "")}
	}
	return nil
}
