package checks

import "testing"

// tokenPod is a Pod in namespace rag with the given extra pod spec fields.
func tokenPod(name, podSpec string) string {
	return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: rag}\nspec: {containers: [{name: app, image: \"app:1\"}]" + podSpec + "}\n"
}

func TestServiceAccountTokenUnused(t *testing.T) {
	const fix = "; set automountServiceAccountToken: false on the pod spec (or on its ServiceAccount)"
	const sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: prometheus, namespace: rag}\n"
	runTable(t, ServiceAccountTokenUnused, []checkCase{
		{name: "no token, a token the service account turns off, and a token a binding uses pass", manifests: []string{
			tokenPod("api", ", automountServiceAccountToken: false"),
			tokenPod("web", ", serviceAccountName: quiet"),
			"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: quiet, namespace: rag}\nautomountServiceAccountToken: false\n",
			tokenPod("prometheus", ", serviceAccountName: prometheus, automountServiceAccountToken: true"), sa,
			"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: prometheus, namespace: rag}\n" +
				"roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: prometheus}\nsubjects: [{kind: ServiceAccount, name: prometheus}]\n",
		}},
		{name: "a pod that leaves the default token mounted is flagged", manifests: []string{tokenPod("api", "")},
			want: []string{`Pod "api": mounts a service account token (automountServiceAccountToken is unset on the pod and ServiceAccount "default" is not in the stack) although no RoleBinding or ClusterRoleBinding in the stack grants service account "default" anything` + fix}},
		{name: "a pod that asks for a token its account never uses is flagged", manifests: []string{
			tokenPod("grafana", ", serviceAccountName: prometheus, automountServiceAccountToken: true"), sa,
		}, want: []string{`Pod "grafana": mounts a service account token (automountServiceAccountToken is true on the pod) although no RoleBinding or ClusterRoleBinding in the stack grants service account "prometheus" anything` + fix}},
		{name: "a binding in another namespace does not count", manifests: []string{
			tokenPod("prometheus", ", serviceAccountName: prometheus"), sa,
			"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: prometheus}\n" +
				"roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: ServiceAccount, name: prometheus, namespace: monitoring}]\n",
		}, want: []string{`Pod "prometheus": mounts a service account token (automountServiceAccountToken is unset on the pod and on ServiceAccount "prometheus") although no RoleBinding or ClusterRoleBinding in the stack grants service account "prometheus" anything` + fix}},
		{name: "a binding whose subjects are unknown during preview is not judged", manifests: []string{
			tokenPod("prometheus", ", serviceAccountName: prometheus"), sa,
			"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: prometheus, namespace: rag}\nroleRef: {kind: Role, name: p}\nsubjects: \"<unknown>\"\n",
		}, undecided: []string{cannotDecide(`Pod "prometheus"`, "service-account-token-unused", "the subjects of a RoleBinding or ClusterRoleBinding")}},
	})
}
