package checks

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// ServiceAccountTokenUnused recommends not mounting an API token into pods whose service account
// is granted nothing: a token that is never needed only helps whoever breaks into the pod.
var ServiceAccountTokenUnused = &engine.Policy{
	Name: "service-account-token-unused",
	Description: "A pod whose service account no RoleBinding or ClusterRoleBinding of the stack grants anything does not " +
		"mount a service account token.",
	Remediation: "set automountServiceAccountToken: false on the pod spec (or on its ServiceAccount)",
	Why: "Polaris automountServiceAccountToken, Checkov, the charts' restricted defaults; in this platform only the volume " +
		"snapshot CronJob (kubectl creating VolumeSnapshots) talks to the API, and Prometheus finds its targets through DNS",
	Level: engine.Advisory,
	Stack: checkServiceAccountTokenUnused,
}

func checkServiceAccountTokenUnused(s *engine.Stack, _ *engine.Config) []engine.Result {
	var out []engine.Result
	for _, o := range s.Workloads() {
		w, _ := o.Workload()
		if o.Unknown(w.SpecPath+".automountServiceAccountToken") || o.Unknown(w.SpecPath+".serviceAccountName") {
			out = append(out, engine.Undecided(o, o.Subject(), w.SpecPath+".automountServiceAccountToken"))
			continue
		}
		pod := w.Spec.AutomountServiceAccountToken
		if pod != nil && !*pod {
			continue
		}
		name := w.Spec.ServiceAccountName
		if name == "" {
			name = "default"
		}
		accounts, unknown := s.Find(o, []string{"ServiceAccount"}, engine.ByName("v1", "ServiceAccount", name))
		where := "unset on the pod"
		if pod != nil {
			where = "true on the pod"
		}
		switch {
		case unknown:
			out = append(out, engine.Undecided(o, o.Subject(), "the name or namespace of a ServiceAccount"))
			continue
		case pod == nil && len(accounts) > 0:
			sa := accounts[0].Typed.(*corev1.ServiceAccount)
			if sa.AutomountServiceAccountToken != nil && !*sa.AutomountServiceAccountToken {
				continue
			}
			where += fmt.Sprintf(" and on %s", accounts[0].Subject())
		case pod == nil:
			where += fmt.Sprintf(" and ServiceAccount %q is not in the stack", name)
		}
		bound, maybe := grantsServiceAccount(s, o.Namespace, name)
		switch {
		case bound:
		case maybe || o.NamespaceUnknown:
			out = append(out, engine.Undecided(o, o.Subject(), "the subjects of a RoleBinding or ClusterRoleBinding"))
		default:
			out = append(out, engine.Violation(o, o.Subject(), fmt.Sprintf(
				"mounts a service account token (automountServiceAccountToken is %s) although no RoleBinding or ClusterRoleBinding in the stack grants service account %q anything",
				where, name), ""))
		}
	}
	return out
}

// grantsServiceAccount reports whether a RoleBinding of the namespace or a ClusterRoleBinding names
// the service account as a subject, and whether one whose subjects are unknown might.
func grantsServiceAccount(s *engine.Stack, namespace, name string) (bound, maybe bool) {
	for _, b := range s.OfKind("RoleBinding", "ClusterRoleBinding") {
		var subjects []rbacv1.Subject
		bindingNS := ""
		switch t := b.Typed.(type) {
		case *rbacv1.RoleBinding:
			if !b.NamespaceUnknown && b.Namespace != namespace {
				continue
			}
			subjects, bindingNS = t.Subjects, b.Namespace
		case *rbacv1.ClusterRoleBinding:
			subjects = t.Subjects
		}
		if b.UnknownWithin("subjects") || b.NamespaceUnknown {
			maybe = true
			continue
		}
		for _, sub := range subjects {
			ns := sub.Namespace
			if ns == "" {
				ns = bindingNS
			}
			if sub.Kind == rbacv1.ServiceAccountKind && sub.Name == name && ns == namespace {
				return true, false
			}
		}
	}
	return false, maybe
}
