package checks

// Bindings are read as RBAC's authorizer applies them to a request's user: a subject matches by its
// exact kind and name.

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// RBACBindings refuses RoleBindings and ClusterRoleBindings that grant too much or to too many: the
// built-in ClusterRoles that hold Secrets and pod creation, the default ServiceAccount, everyone,
// anonymous requests, and any binding beyond the stack's namespace.
var RBACBindings = &engine.Policy{
	Name: "rbac-bindings",
	Description: "No RoleBinding or ClusterRoleBinding binds cluster-admin, admin or edit, grants the default ServiceAccount, " +
		"every service account, every authenticated user or anonymous requests, and the namespaced stack creates no ClusterRoleBinding.",
	Remediation: "bind a Role that lists only what its subjects need to a ServiceAccount of their own, with a RoleBinding",
	Why: "kube-linter `cluster-admin-role-binding` (CIS 5.1.1, opt-in there); CIS 5.1.5 (default service accounts are not used); " +
		"the privilege-escalation risks of Kubernetes' RBAC good practices",
	Level:    engine.Mandatory,
	Kinds:    []string{"RoleBinding", "ClusterRoleBinding"},
	Resource: checkRBACBindings,
}

// builtinRoles are the default ClusterRoles a binding must not grant, with what each grants.
var builtinRoles = map[string]string{
	"cluster-admin":             "grants every verb on every resource",
	"admin":                     "grants reading every Secret, creating pods and workloads, running commands in pods, and creating Roles and RoleBindings that grant as much",
	"edit":                      "grants reading every Secret, creating pods and workloads, running commands in pods, and acting as any service account of the namespace",
	"system:aggregate-to-admin": "holds the rules aggregated into admin: creating Roles and RoleBindings that grant as much",
	"system:aggregate-to-edit":  "holds the rules aggregated into edit: reading every Secret, creating pods and workloads, and running commands in pods",
}

// riskyGroups and riskyUsers are subjects that stand for more than one workload, with whom they stand for.
var (
	riskyGroups = map[string]string{
		"system:authenticated":   "every authenticated user and service account of the cluster",
		"system:unauthenticated": "every request that brings no credentials",
		"system:serviceaccounts": "every service account of the cluster, default ones included",
	}
	riskyUsers = map[string]string{
		"system:anonymous": "every request that brings no credentials",
	}
)

// subjectKinds are the kinds of subject the API accepts.
var subjectKinds = []string{rbacv1.ServiceAccountKind, rbacv1.UserKind, rbacv1.GroupKind}

func checkRBACBindings(o *engine.Object, _ *engine.Config) []engine.Result {
	var ref rbacv1.RoleRef
	var subjects []rbacv1.Subject
	var out []engine.Result
	switch t := o.Typed.(type) {
	case *rbacv1.RoleBinding:
		ref, subjects = t.RoleRef, t.Subjects
	case *rbacv1.ClusterRoleBinding:
		ref, subjects = t.RoleRef, t.Subjects
		role := "its ClusterRole"
		if ref.Name != "" {
			role = fmt.Sprintf("ClusterRole %q", ref.Name)
		}
		out = append(out, engine.Violation(o, o.Subject(),
			fmt.Sprintf("grants %s in every namespace of the cluster, and on cluster-scoped resources, from a stack that is namespaced", role),
			"bind the ClusterRole with a RoleBinding in the stack's namespace instead, which keeps the grant inside it"))
	}
	out = append(out, checkRoleRef(o, ref)...)
	if o.Unknown("subjects") {
		return append(out, engine.Undecided(o, o.Subject(), "subjects"))
	}
	for i, s := range subjects {
		path := engine.JoinIndex("subjects", i)
		if o.Unknown(path) {
			out = append(out, engine.Undecided(o, o.Subject(), path))
			continue
		}
		kindUnknown, nameUnknown := o.Unknown(path+".kind"), o.Unknown(path+".name")
		switch {
		case kindUnknown && nameUnknown:
			out = append(out, engine.Undecided(o, o.Subject(), path+".kind"))
		case kindUnknown:
			// Risky as some kind: which one is not known yet.
			if slices.ContainsFunc(subjectKinds, func(k string) bool { return subjectRisk(k, s.Name, "") != "" }) {
				out = append(out, engine.Undecided(o, o.Subject(), path+".kind"))
			}
		case nameUnknown:
			if slices.Contains(subjectKinds, s.Kind) {
				out = append(out, engine.Undecided(o, o.Subject(), path+".name"))
			}
		default:
			// A ServiceAccount subject of a RoleBinding that names no namespace is in the binding's.
			ns := s.Namespace
			if ns == "" && o.Kind == "RoleBinding" && !o.NamespaceUnknown && !o.Unknown(path+".namespace") {
				ns = o.Namespace
			}
			if risk := subjectRisk(s.Kind, s.Name, ns); risk != "" {
				out = append(out, engine.Violation(o, o.Subject(), fmt.Sprintf("%s is %s", path, risk),
					"create a ServiceAccount for the pods that need the access, bind it instead, and set their serviceAccountName"))
			}
		}
	}
	return out
}

// checkRoleRef refuses a binding to a built-in ClusterRole that grants Secrets or pod creation; a value
// not known yet is a note only when it could make it one.
func checkRoleRef(o *engine.Object, ref rbacv1.RoleRef) []engine.Result {
	kindUnknown, nameUnknown := o.Unknown("roleRef.kind"), o.Unknown("roleRef.name")
	grants, builtin := builtinRoles[ref.Name]
	switch {
	case o.Unknown("roleRef"):
		return []engine.Result{engine.Undecided(o, o.Subject(), "roleRef")}
	case kindUnknown && (nameUnknown || builtin):
		return []engine.Result{engine.Undecided(o, o.Subject(), "roleRef.kind")}
	case nameUnknown && ref.Kind == "ClusterRole":
		return []engine.Result{engine.Undecided(o, o.Subject(), "roleRef.name")}
	case kindUnknown || nameUnknown || ref.Kind != "ClusterRole" || !builtin:
		return nil
	}
	fix := "bind a Role that lists only the resources and verbs its subjects need"
	if o.Kind == "RoleBinding" {
		fix += "; even in a RoleBinding it grants this across the whole namespace"
	}
	return []engine.Result{engine.Violation(o, o.Subject(), fmt.Sprintf("roleRef is the ClusterRole %q, which %s", ref.Name, grants), fix)}
}

// subjectRisk says what a subject of that kind, name and namespace ("" when not known) stands for when
// it is more than one workload's own ServiceAccount, or "" when it is not.
func subjectRisk(kind, name, namespace string) string {
	const defaultSA = "the ServiceAccount \"default\"%s, which every pod of its namespace that names no service account runs as"
	switch kind {
	case rbacv1.ServiceAccountKind:
		if name != "default" {
			return ""
		}
		return fmt.Sprintf(defaultSA, ofNamespace(namespace))
	case rbacv1.UserKind:
		if who, ok := riskyUsers[name]; ok {
			return fmt.Sprintf("the User %q: %s", name, who)
		}
		// A service account's user name: system:serviceaccount:<namespace>:<name>.
		if rest, ok := strings.CutPrefix(name, "system:serviceaccount:"); ok {
			if ns, sa, ok := strings.Cut(rest, ":"); ok && sa == "default" {
				return fmt.Sprintf("the User %q, %s", name, fmt.Sprintf(defaultSA, ofNamespace(ns)))
			}
		}
	case rbacv1.GroupKind:
		if who, ok := riskyGroups[name]; ok {
			return fmt.Sprintf("the Group %q: %s", name, who)
		}
		if ns, ok := strings.CutPrefix(name, "system:serviceaccounts:"); ok {
			return fmt.Sprintf("the Group %q: every service account of namespace %q, its default one included", name, ns)
		}
	}
	return ""
}

// ofNamespace renders " of namespace \"ns\"", or "" when the namespace is not known.
func ofNamespace(ns string) string {
	if ns == "" {
		return ""
	}
	return fmt.Sprintf(" of namespace %q", ns)
}
