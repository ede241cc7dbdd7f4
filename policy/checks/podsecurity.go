package checks

import (
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psaapi "k8s.io/pod-security-admission/api"
	psa "k8s.io/pod-security-admission/policy"
)

// PodSecurityStandards judges every pod template as Pod Security admission will: with the API
// server's own evaluator (k8s.io/pod-security-admission), at the level and version the stacks'
// namespaces enforce, so a pod the namespace would refuse fails the preview instead of an up half-way.
var PodSecurityStandards = &Policy{
	Name:        "pod-security-standards",
	Description: "Every pod template passes Pod Security admission at the configured level and version, judged by the API server's own checks.",
	Remediation: "change the fields the check names",
	Why: "the namespace's admission refuses such a pod at up time, after other changes applied; the checks are upstream's " +
		"(k8s.io/pod-security-admission/policy, what kube-apiserver runs), not a copy",
	Level:    Mandatory,
	Kinds:    []string{PodBearing},
	Params:   &podSecurityStandardsParams{Level: "restricted", Version: "v1.34"},
	Resource: checkPodSecurityStandards,
}

// podSecurityStandardsParams are the parameters of pod-security-standards: the namespace labels
// pod-security.kubernetes.io/enforce and enforce-version the program sets.
type podSecurityStandardsParams struct {
	Level   string `param:"level" enum:"baseline,restricted" help:"the Pod Security level pod templates are judged at (the namespaces' enforce label)"`
	Version string `param:"version" pattern:"^(latest|v1\\.[0-9]+)$" help:"the Pod Security version they are judged at (the enforce-version label)"`
}

// podSecurityEvaluator is upstream's evaluator of every check, built once per process.
var podSecurityEvaluator = sync.OnceValues(func() (psa.Evaluator, error) {
	return psa.NewEvaluator(psa.DefaultChecks())
})

func checkPodSecurityStandards(o *Object, c *Config) []Result {
	prm := c.Params.(*podSecurityStandardsParams)
	w, _ := o.Workload()
	evaluator, err := podSecurityEvaluator()
	if err != nil {
		panic(fmt.Sprintf("the Pod Security evaluator: %v", err)) // reported by policy-could-not-judge
	}
	version, err := psaapi.ParseVersion(prm.Version)
	if err != nil {
		panic(fmt.Sprintf("version %q: %v", prm.Version, err)) // the parameter's pattern refuses it first
	}
	lv := psaapi.LevelVersion{Level: psaapi.Level(prm.Level), Version: version}
	meta := &metav1.ObjectMeta{Labels: w.Labels, Annotations: w.Annotations}
	var out []Result
	for _, r := range evaluator.EvaluatePod(lv, meta, w.Spec) {
		if r.Allowed {
			continue
		}
		if o.UnknownWithin(w.SpecPath) || o.UnknownWithin(w.AnnotationsPath) {
			// A value not known yet may be the one that makes it pass: decide when it is known.
			return []Result{Undecided(o, o.Subject(), w.SpecPath)}
		}
		out = append(out, Violation(o, o.Subject(),
			fmt.Sprintf("Pod Security %s (%s) forbids %s: %s", prm.Level, prm.Version, r.ForbiddenReason, r.ForbiddenDetail),
			"change it under "+w.SpecPath))
	}
	return out
}
