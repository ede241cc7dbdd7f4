package checks

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	psaapi "k8s.io/pod-security-admission/api"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// PodSecurityNamespaceLevel judges the pods of each namespace the stack registers at the level and
// version that namespace's labels make admission enforce, where those differ from what
// pod-security-standards is configured with: admission reads the labels, not the pack's config, so a
// namespace labelled stricter (or at a newer version) refuses pods the configured level admits.
var PodSecurityNamespaceLevel = &engine.Policy{
	Name: "pod-security-namespace-level",
	Description: "The pods of a namespace the stack registers pass Pod Security at the level and version its " +
		"pod-security.kubernetes.io/enforce labels set, where those differ from pod-security-standards' configuration.",
	Remediation: "change the fields the check names, or the namespace's pod-security.kubernetes.io labels",
	Why:         "Pod Security admission judges a pod at its namespace's labels, at up time, after other changes applied",
	Level:       engine.Mandatory,
	Stack:       checkPodSecurityNamespaceLevel,
}

// clusterPodSecurityDefault is what a namespace without Pod Security labels enforces: Kubernetes'
// default admission configuration (privileged, latest).
var clusterPodSecurityDefault = psaapi.Policy{
	Enforce: psaapi.LevelVersion{Level: psaapi.LevelPrivileged, Version: psaapi.LatestVersion()},
	Audit:   psaapi.LevelVersion{Level: psaapi.LevelPrivileged, Version: psaapi.LatestVersion()},
	Warn:    psaapi.LevelVersion{Level: psaapi.LevelPrivileged, Version: psaapi.LatestVersion()},
}

func checkPodSecurityNamespaceLevel(s *engine.Stack, c *engine.Config) []engine.Result {
	configured := c.ParamsOf(PodSecurityStandards).(*podSecurityStandardsParams).levelVersion()
	var out []engine.Result
	for _, ns := range s.OfKind("Namespace") {
		if ns.Unknown("metadata.name") {
			continue
		}
		in := s.Inputs(ns)
		if in == nil {
			in = ns
		}
		pods := podsIn(s, ns.Name)
		if len(pods) == 0 {
			continue
		}
		if in.UnknownWithin("metadata.labels") {
			out = append(out, engine.Undecided(ns, ns.Subject(), "metadata.labels (the Pod Security level its pods are judged at)"))
			continue
		}
		namespace, ok := in.Typed.(*corev1.Namespace)
		if !ok {
			continue // unreadable: policy-could-not-judge reports it
		}
		// Labels that do not parse make admission enforce restricted at the latest version.
		enforced, _ := psaapi.PolicyToEvaluate(namespace.Labels, clusterPodSecurityDefault)
		lv := enforced.Enforce
		if lv.Level == psaapi.LevelPrivileged || lv == configured {
			continue // nothing to judge, or pod-security-standards judged it already
		}
		where := fmt.Sprintf(" (namespace %q enforces %s:%s)", ns.Name, lv.Level, lv.Version)
		for _, o := range pods {
			w, _ := o.Workload()
			already := map[string]bool{}
			for _, r := range judgePodSecurity(o, w, configured, "") {
				already[forbidden(r)] = true
			}
			for _, r := range judgePodSecurity(o, w, lv, where) {
				if !already[forbidden(r)] {
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// podsIn returns the stack's objects with a pod template in namespace ns, as the program declared them.
func podsIn(s *engine.Stack, ns string) []*engine.Object {
	var out []*engine.Object
	for _, o := range s.Objects {
		if o.NamespaceUnknown || o.Namespace != ns {
			continue
		}
		if in := s.Inputs(o); in != nil {
			for _, view := range in.Views() {
				if _, ok := view.Workload(); ok {
					out = append(out, view)
				}
			}
		}
	}
	return out
}

// forbidden is what a judgePodSecurity result says is wrong, whatever level and version found it:
// the reason and detail of a violation, the path of a note.
func forbidden(r engine.Result) string {
	if _, what, ok := strings.Cut(r.Problem, " forbids "); ok {
		return what
	}
	return r.Problem
}
