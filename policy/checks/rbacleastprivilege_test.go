package checks

import (
	"strings"
	"testing"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// The stacks' own RBAC objects, copied from components/backups.go: the snapshot job's Role and its
// RoleBinding to the job's ServiceAccount. The program has no other Role, ClusterRole or binding.
const (
	backupsRole = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: volume-snapshots, namespace: rag}
rules:
- apiGroups: [snapshot.storage.k8s.io]
  resources: [volumesnapshots]
  verbs: [create, get, list, delete]
`
	backupsRoleBinding = `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: volume-snapshots, namespace: rag}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: volume-snapshots}
subjects:
- {kind: ServiceAccount, name: volume-snapshots, namespace: rag}
`
)

// The fixes the least-privilege messages give.
const (
	fixWildcard   = "list the exact apiGroups, resources and verbs the subjects need"
	fixSecretRead = "name the Secrets they need in resourceNames, or, for a secret-syncing operator's role, list it in secretReaders"
	fixSecretMake = "remove create on secrets, or, for a secret-syncing operator's role, list it in secretReaders"
	fixPods       = "remove create, update and patch on pods and on the workloads that create them; let the program deploy workloads"
	fixExec       = "remove it; give people exec, attach, port-forward and debug containers through a break-glass role bound only when needed"
	fixToken      = "remove it; a pod gets its own service account's token through a projected volume"

	letsSecretRead = "read or rewrite the data of every Secret in reach"
	letsSecretMake = "create Secrets of type kubernetes.io/service-account-token, which the cluster fills with a token of any service account of the namespace"
	letsPods       = "run pods of their choosing, with any image, service account and Secret of the namespace"
	letsExec       = "run commands in, attach to or connect to running pods, as their service accounts and past their NetworkPolicies"
)

func TestRBACLeastPrivilege(t *testing.T) {
	runTable(t, RBACLeastPrivilege, []checkCase{
		{name: "the program's own snapshot Role passes", manifests: []string{backupsRole}},
		{name: "a Prometheus discovery ClusterRole that reads metadata and kubelet metrics passes", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: prometheus}
rules:
- apiGroups: [""]
  resources: [nodes, nodes/metrics, services, endpoints, pods]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
- nonResourceURLs: [/metrics]
  verbs: [get]
`}},
		{name: "a Role that reads every Secret is refused", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: rag}
rules:
- apiGroups: [""]
  resources: [configmaps, secrets]
  verbs: [get, list, watch]
`}, want: []string{
			`Role "reader": rules[0] lets its subjects ` + letsSecretRead + ` (get, list, watch on secrets); ` + fixSecretRead,
		}},
		{name: "update on Secrets is refused: it rewrites them", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: rotator, namespace: rag}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [update]}
`}, want: []string{
			`Role "rotator": rules[0] lets its subjects ` + letsSecretRead + ` (update on secrets); ` + fixSecretRead,
		}},
		{name: "verbs * on secrets is a wildcard that reads and creates them", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: all-secrets, namespace: rag}
rules:
- {apiGroups: [""], resources: [secrets], verbs: ["*"]}
`}, want: []string{
			`Role "all-secrets": rules[0].verbs[0] "*" is a wildcard, which grants whatever the API serves, now and as it grows; ` + fixWildcard,
			`Role "all-secrets": rules[0] lets its subjects ` + letsSecretRead + ` (* on secrets); ` + fixSecretRead,
			`Role "all-secrets": rules[0] lets its subjects ` + letsSecretMake + ` (* on secrets); ` + fixSecretMake,
		}},
		{name: "Secret reads limited by resourceNames pass, and a create limited by them grants nothing", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: named, namespace: rag}
rules:
- {apiGroups: [""], resources: [secrets], resourceNames: [api-db], verbs: [get, list, watch, update, patch]}
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: named-create, namespace: rag}
rules:
- {apiGroups: [""], resources: [secrets], resourceNames: [api-token], verbs: [create, deletecollection]}
`}},
		{name: "wrongly cased entries grant nothing and are not reported", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cased, namespace: rag}
rules:
- {apiGroups: [""], resources: [Secrets, Pods/exec, serviceAccounts/token], verbs: [GET, List, Create]}
- {apiGroups: [core, Apps], resources: [secrets, pods, deployments], verbs: [get, create]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [Escalate, BIND, Impersonate]}
`}},
		{name: "pods/* and */* match nothing and are not reported", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: not-wildcards}
rules:
- {apiGroups: [""], resources: ["pods/*", "*/*", "secrets/*"], verbs: [get, create]}
`}},
		{name: "*/exec is a wildcard that reaches into every pod", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: debugger, namespace: rag}
rules:
- {apiGroups: [""], resources: [pods, "*/exec", "*/portforward"], verbs: [get, create]}
`}, want: []string{
			`Role "debugger": rules[0].resources[1] "*/exec" and rules[0].resources[2] "*/portforward" are wildcards, which grant whatever the API serves, now and as it grows; ` + fixWildcard,
			`Role "debugger": rules[0] lets its subjects ` + letsPods + ` (create on pods); ` + fixPods,
			`Role "debugger": rules[0] lets its subjects ` + letsExec + ` (get, create on */exec, */portforward); ` + fixExec,
		}},
		{name: "exec, attach and port-forward by name, and debug containers, are refused", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: shell, namespace: rag}
rules:
- {apiGroups: [""], resources: [pods/exec, pods/attach], resourceNames: [api-0], verbs: [get]}
- {apiGroups: [""], resources: [pods/portforward], verbs: [create]}
- {apiGroups: [""], resources: [pods/ephemeralcontainers], verbs: [patch]}
`}, want: []string{
			`Role "shell": rules[0] lets its subjects ` + letsExec + ` (get on pods/exec, pods/attach); ` + fixExec,
			`Role "shell": rules[1] lets its subjects ` + letsExec + ` (create on pods/portforward); ` + fixExec,
			`Role "shell": rules[2] lets its subjects ` + letsExec + ` (patch on pods/ephemeralcontainers); ` + fixExec,
		}},
		{name: "reading pods and their logs passes", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: logs, namespace: rag}
rules:
- {apiGroups: [""], resources: [pods, pods/log], verbs: [get, list, watch]}
- {apiGroups: [apps], resources: [deployments], verbs: [get, list, watch]}
`}},
		{name: "creating pods or the workloads that create them is refused, as kube-linter's access-to-create-pods", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: rag}
rules:
- {apiGroups: [apps], resources: [deployments, statefulsets], verbs: [get, create, patch]}
- {apiGroups: [batch], resources: [cronjobs], resourceNames: [reindex], verbs: [update]}
- {apiGroups: [""], resources: [pods], resourceNames: [api-0], verbs: [create]}
`}, want: []string{
			`Role "deployer": rules[0] lets its subjects ` + letsPods + ` (create, patch on deployments, statefulsets); ` + fixPods,
			`Role "deployer": rules[1] lets its subjects ` + letsPods + ` (update on cronjobs); ` + fixPods,
		}},
		{name: "apiGroups * with resources pods is a wildcard that creates pods", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: any-group, namespace: rag}
rules:
- {apiGroups: ["*"], resources: [pods], verbs: [create]}
`}, want: []string{
			`Role "any-group": rules[0].apiGroups[0] "*" is a wildcard, which grants whatever the API serves, now and as it grows; ` + fixWildcard,
			`Role "any-group": rules[0] lets its subjects ` + letsPods + ` (create on pods); ` + fixPods,
		}},
		{name: "a ClusterRole granting nodes/proxy is refused; a Role cannot grant it", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kubelet-reader}
rules:
- {apiGroups: [""], resources: [nodes/proxy, nodes/metrics], verbs: [get]}
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: kubelet-reader, namespace: rag}
rules:
- {apiGroups: [""], resources: [nodes/proxy], verbs: [get]}
`}, want: []string{
			`ClusterRole "kubelet-reader": rules[0] lets its subjects reach every node's kubelet API, which runs commands in any pod on the node (get on nodes/proxy); grant get on nodes/metrics or nodes/stats instead, which serve the kubelet's metrics without its exec endpoints`,
		}},
		{name: "minting service account tokens is refused", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: minter, namespace: rag}
rules:
- {apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [api], verbs: [create]}
- {apiGroups: [""], resources: [serviceaccounts], verbs: [get, list]}
`}, want: []string{
			`Role "minter": rules[0] lets its subjects mint tokens for service accounts and act as them (create on serviceaccounts/token); ` + fixToken,
		}},
		{name: "escalate, bind and impersonate are refused; reading roles passes", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: delegator}
rules:
- {apiGroups: [rbac.authorization.k8s.io], resources: [roles, clusterroles], verbs: [get, list, escalate, bind]}
- {apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: role-viewer}
rules:
- {apiGroups: [rbac.authorization.k8s.io], resources: [roles, rolebindings], verbs: [get, list, watch]}
`}, want: []string{
			`ClusterRole "delegator": rules[0].verbs[2] "escalate" lets its subjects create or widen roles with permissions the subjects do not hold; remove the verb`,
			`ClusterRole "delegator": rules[0].verbs[3] "bind" lets its subjects bind roles whose permissions the subjects do not hold; remove the verb`,
			`ClusterRole "delegator": rules[1].verbs[0] "impersonate" lets its subjects act as other users, groups and service accounts; remove the verb`,
		}},
		{name: "an aggregating ClusterRole is refused; one with no selectors aggregates nothing and passes", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: aggregated}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}}]
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: aggregates-nothing}
aggregationRule: {clusterRoleSelectors: []}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get]}
`}, want: []string{
			`ClusterRole "aggregated": aggregationRule makes its rules those of every ClusterRole whose labels match clusterRoleSelectors, whoever creates it, now or later, so what it grants cannot be judged; list the rules it needs instead of aggregating them`,
		}},
		{name: "a role listed in secretReaders may read and create every Secret, and nothing more", config: map[string]any{"secretReaders": []any{"external-secrets"}}, manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: external-secrets}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [get, list, watch, create, update, patch, delete]}
- {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: not-listed, namespace: rag}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [list]}
`}, want: []string{
			`ClusterRole "external-secrets": rules[1] lets its subjects mint tokens for service accounts and act as them (create on serviceaccounts/token); ` + fixToken,
			`Role "not-listed": rules[0] lets its subjects ` + letsSecretRead + ` (list on secrets); ` + fixSecretRead,
		}},
		{name: "rules unknown during preview are not judged", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: later, namespace: rag}
rules: "<unknown>"
`}, undecided: []string{
			cannotDecide(`Role "later"`, "rbac-least-privilege", "rules"),
		}},
		{name: "a rule with a value unknown during preview is noted, its known wildcards are still refused", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: partly, namespace: rag}
rules:
- {apiGroups: [""], resources: [secrets], resourceNames: "<unknown>", verbs: [get]}
- {apiGroups: [""], resources: ["*"], verbs: [get, "<unknown>"]}
- "<unknown>"
- {apiGroups: [""], resources: [configmaps], verbs: [get]}
`}, want: []string{
			`Role "partly": rules[1].resources[0] "*" is a wildcard, which grants whatever the API serves, now and as it grows; ` + fixWildcard,
		}, undecided: []string{
			cannotDecide(`Role "partly"`, "rbac-least-privilege", "rules[0].resourceNames"),
			cannotDecide(`Role "partly"`, "rbac-least-privilege", "rules[1].verbs[1]"),
			cannotDecide(`Role "partly"`, "rbac-least-privilege", "rules[2]"),
		}},
		{name: "aggregation selectors unknown during preview are not judged", manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: maybe-aggregated}
aggregationRule: {clusterRoleSelectors: "<unknown>"}
`}, undecided: []string{
			cannotDecide(`ClusterRole "maybe-aggregated"`, "rbac-least-privilege", "aggregationRule.clusterRoleSelectors"),
		}},
		{name: "a Secret reader whose name is unknown during preview waits for it when secretReaders is set", config: map[string]any{"secretReaders": []any{"external-secrets"}}, manifests: []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "<unknown>"}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [get]}
`}, undecided: []string{
			cannotDecide(`ClusterRole "<unknown>"`, "rbac-least-privilege", "metadata.name (whether secretReaders lists it)"),
		}},
	})
}

// TestRBACPassesTheProgramsOwnRoleAndBinding runs both RBAC policies, as the pack does, on the stacks'
// Role and RoleBinding, also as a first preview sends them (the namespace not known yet): no
// violation and no note.
func TestRBACPassesTheProgramsOwnRoleAndBinding(t *testing.T) {
	pack := engine.NewPack(RBACLeastPrivilege, RBACBindings)
	for _, namespace := range []string{"rag", `"<unknown>"`} {
		var rs []engine.Resource
		for _, doc := range []string{backupsRole, backupsRoleBinding} {
			rs = append(rs, manifest(t, strings.ReplaceAll(doc, "rag", namespace)))
		}
		for _, f := range Evaluate(rs, engine.Options{Pack: pack}) {
			if f.Check == RBACLeastPrivilege.Name || f.Check == RBACBindings.Name {
				t.Errorf("namespace %s: %s: %s", namespace, f.Policy, f.Message)
			}
		}
	}
}

// TestRBACMalformedObjectsNeverCrash feeds both RBAC policies objects of the wrong shapes: no check panics.
func TestRBACMalformedObjectsNeverCrash(t *testing.T) {
	var rs []engine.Resource
	for _, doc := range []string{
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: a}\nrules: [null, 5, {verbs: [null, 7]}, {resources: x}]\n",
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: b}\naggregationRule: 5\nrules: {}\n",
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: c}\naggregationRule: {clusterRoleSelectors: [null, {matchLabels: 3}]}\n",
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: d}\nroleRef: x\nsubjects: [null, 5, {kind: [ServiceAccount]}]\n",
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: e}\nroleRef: {name: \"<unknown>\"}\nsubjects: x\n",
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: f}\n",
	} {
		rs = append(rs, manifest(t, doc))
	}
	for _, f := range Evaluate(rs, engine.Options{Pack: engine.NewPack(RBACLeastPrivilege, RBACBindings)}) {
		if strings.Contains(f.Message, "failed with") {
			t.Errorf("a check panicked: %s", f.Message)
		}
	}
}
