package checks

import (
	"testing"
)

func TestRBACBindings(t *testing.T) {
	const (
		fixSubject = "create a ServiceAccount for the pods that need the access, bind it instead, and set their serviceAccountName"
		fixRoleRef = "bind a Role that lists only the resources and verbs its subjects need"
		inRB       = "; even in a RoleBinding it grants this across the whole namespace"
		fixCRB     = "bind the ClusterRole with a RoleBinding in the stack's namespace instead, which keeps the grant inside it"
	)
	runTable(t, RBACBindings, []checkCase{
		{name: "the program's own snapshot RoleBinding passes", manifests: []string{backupsRoleBinding}},
		{name: "a RoleBinding of the view ClusterRole, or of a Role named admin, to a ServiceAccount passes", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: view, namespace: rag}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: api}]
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: own-admin, namespace: rag}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: admin}
subjects: [{kind: ServiceAccount, name: api, namespace: rag}, {kind: Group, name: platform-team, apiGroup: rbac.authorization.k8s.io}]
`}},
		{name: "bindings of cluster-admin, admin and edit are refused, as kube-linter's cluster-admin-role-binding", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: api-admin, namespace: rag}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: api}]
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: worker-admin, namespace: rag}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: ServiceAccount, name: worker}]
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: worker-edit, namespace: rag}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: worker}]
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: worker-aggregate, namespace: rag}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:aggregate-to-edit"}
subjects: [{kind: ServiceAccount, name: worker}]
`}, want: []string{
			`RoleBinding "api-admin": roleRef is the ClusterRole "cluster-admin", which grants every verb on every resource; ` + fixRoleRef + inRB,
			`RoleBinding "worker-admin": roleRef is the ClusterRole "admin", which grants reading every Secret, creating pods and workloads, running commands in pods, and creating Roles and RoleBindings that grant as much; ` + fixRoleRef + inRB,
			`RoleBinding "worker-edit": roleRef is the ClusterRole "edit", which grants reading every Secret, creating pods and workloads, running commands in pods, and acting as any service account of the namespace; ` + fixRoleRef + inRB,
			`RoleBinding "worker-aggregate": roleRef is the ClusterRole "system:aggregate-to-edit", which holds the rules aggregated into edit: reading every Secret, creating pods and workloads, and running commands in pods; ` + fixRoleRef + inRB,
		}},
		{name: "the default ServiceAccount of any namespace is refused, however it is named", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: snapshots, namespace: rag}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: volume-snapshots}
subjects:
- {kind: ServiceAccount, name: volume-snapshots}
- {kind: ServiceAccount, name: default}
- {kind: ServiceAccount, name: default, namespace: monitoring}
- {kind: User, name: "system:serviceaccount:rag:default", apiGroup: rbac.authorization.k8s.io}
- {kind: Group, name: "system:serviceaccounts:rag", apiGroup: rbac.authorization.k8s.io}
- {kind: User, name: "system:serviceaccount:rag:api", apiGroup: rbac.authorization.k8s.io}
`}, want: []string{
			`RoleBinding "snapshots": subjects[1] is the ServiceAccount "default" of namespace "rag", which every pod of its namespace that names no service account runs as; ` + fixSubject,
			`RoleBinding "snapshots": subjects[2] is the ServiceAccount "default" of namespace "monitoring", which every pod of its namespace that names no service account runs as; ` + fixSubject,
			`RoleBinding "snapshots": subjects[3] is the User "system:serviceaccount:rag:default", the ServiceAccount "default" of namespace "rag", which every pod of its namespace that names no service account runs as; ` + fixSubject,
			`RoleBinding "snapshots": subjects[4] is the Group "system:serviceaccounts:rag": every service account of namespace "rag", its default one included; ` + fixSubject,
		}},
		{name: "everyone, every service account and anonymous requests are refused as subjects", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: public, namespace: rag}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: Group, name: "system:unauthenticated", apiGroup: rbac.authorization.k8s.io}
- {kind: User, name: "system:anonymous", apiGroup: rbac.authorization.k8s.io}
- {kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}
- {kind: Group, name: "system:serviceaccounts", apiGroup: rbac.authorization.k8s.io}
- {kind: Group, name: "system:anonymous", apiGroup: rbac.authorization.k8s.io}
`}, want: []string{
			`RoleBinding "public": subjects[0] is the Group "system:unauthenticated": every request that brings no credentials; ` + fixSubject,
			`RoleBinding "public": subjects[1] is the User "system:anonymous": every request that brings no credentials; ` + fixSubject,
			`RoleBinding "public": subjects[2] is the Group "system:authenticated": every authenticated user and service account of the cluster; ` + fixSubject,
			`RoleBinding "public": subjects[3] is the Group "system:serviceaccounts": every service account of the cluster, default ones included; ` + fixSubject,
		}},
		{name: "any ClusterRoleBinding is refused from the namespaced stack", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: prometheus}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: prometheus}
subjects: [{kind: ServiceAccount, name: prometheus, namespace: rag}]
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: default, namespace: kube-system}]
`}, want: []string{
			`ClusterRoleBinding "prometheus": grants ClusterRole "prometheus" in every namespace of the cluster, and on cluster-scoped resources, from a stack that is namespaced; ` + fixCRB,
			`ClusterRoleBinding "admins": grants ClusterRole "cluster-admin" in every namespace of the cluster, and on cluster-scoped resources, from a stack that is namespaced; ` + fixCRB,
			`ClusterRoleBinding "admins": roleRef is the ClusterRole "cluster-admin", which grants every verb on every resource; ` + fixRoleRef,
			`ClusterRoleBinding "admins": subjects[0] is the ServiceAccount "default" of namespace "kube-system", which every pod of its namespace that names no service account runs as; ` + fixSubject,
		}},
		{name: "a RoleBinding of a ClusterRole keeps the grant in its namespace and passes", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: prometheus, namespace: rag}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: prometheus}
subjects: [{kind: ServiceAccount, name: prometheus, namespace: rag}]
`}},
		{name: "values unknown during preview are noted only where they could decide", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: later, namespace: rag}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "<unknown>"}
subjects:
- {kind: ServiceAccount, name: "<unknown>"}
- {kind: "<unknown>", name: default}
- {kind: "<unknown>", name: api}
- {kind: ServiceAccount, name: api, namespace: "<unknown>"}
- {kind: ServiceAccount, name: default, namespace: "<unknown>"}
- "<unknown>"
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: own-role, namespace: rag}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: "<unknown>"}
subjects: "<unknown>"
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: some-ref, namespace: rag}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: "<unknown>", name: view}
subjects: [{kind: ServiceAccount, name: api}]
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: maybe-admin, namespace: rag}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: "<unknown>", name: admin}
subjects: [{kind: ServiceAccount, name: api}]
`}, want: []string{
			`RoleBinding "later": subjects[4] is the ServiceAccount "default", which every pod of its namespace that names no service account runs as; ` + fixSubject,
		}, undecided: []string{
			cannotDecide(`RoleBinding "later"`, "rbac-bindings", "roleRef.name"),
			cannotDecide(`RoleBinding "later"`, "rbac-bindings", "subjects[0].name"),
			cannotDecide(`RoleBinding "later"`, "rbac-bindings", "subjects[1].kind"),
			cannotDecide(`RoleBinding "later"`, "rbac-bindings", "subjects[5]"),
			cannotDecide(`RoleBinding "own-role"`, "rbac-bindings", "subjects"),
			cannotDecide(`RoleBinding "maybe-admin"`, "rbac-bindings", "roleRef.kind"),
		}},
	})
}
