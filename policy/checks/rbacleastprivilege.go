package checks

// Rules are read as RBAC's authorizer reads them (k8s.io/kubernetes pkg/apis/rbac/v1
// evaluation_helpers.go): entries match exactly and case-sensitively, so "GET" or "Secrets" grant
// nothing; "*" matches everything in its list and "*/exec" a subresource of every resource, but
// "pods/*" is no wildcard and matches nothing; a rule limited by resourceNames allows no create of a
// new object and no deletecollection, and list or watch only with a metadata.name field selector on a
// named object, so it reaches the named objects alone. "*/*" is no wildcard either: no subresource
// is named "*".

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// RBACLeastPrivilege refuses Roles and ClusterRoles whose rules give their subjects more than they
// name: wildcards, the data of every Secret, running code in pods, tokens of other service accounts,
// or the verbs that grant beyond the role itself.
var RBACLeastPrivilege = &engine.Policy{
	Name: "rbac-least-privilege",
	Description: "No Role or ClusterRole uses wildcards, reads Secrets other than named ones, runs or reaches into pods, " +
		"proxies to nodes, mints service account tokens, holds escalate, bind or impersonate, or aggregates other roles.",
	Remediation: "list the exact apiGroups, resources and verbs the subjects need",
	Why: "kube-linter `wildcard-in-rules`, `access-to-secrets`, `access-to-create-pods` (CIS 5.1.2–5.1.4, opt-in there); " +
		"the privilege-escalation risks of Kubernetes' RBAC good practices",
	Level:    engine.Mandatory,
	Kinds:    []string{"Role", "ClusterRole"},
	Params:   &leastPrivilegeParams{},
	Resource: checkRBACLeastPrivilege,
}

// leastPrivilegeParams are the parameters of rbac-least-privilege.
type leastPrivilegeParams struct {
	SecretReaders []string `param:"secretReaders" help:"names of Roles and ClusterRoles that may read every Secret in reach (a secret-syncing operator's); other roles read only the Secrets their resourceNames name"`
}

// permission is verbs on one resource ("pods/exec" for a subresource) of one API group ("" is the core
// API), as a request asks for it.
type permission struct {
	group, resource string
	verbs           []string
	// clusterOnly marks a cluster-scoped resource, which a namespaced Role cannot grant.
	clusterOnly bool
}

// riskyAccess is access a rule must not grant: the permissions that give it, what it lets the
// subjects do, and the fix.
type riskyAccess struct {
	perms []permission
	// lets completes "lets its subjects …".
	lets string
	fix  string
	// namesLimit marks access that rules limited by resourceNames may grant: it then reaches the named
	// objects alone, the least-privilege way to read a Secret.
	namesLimit bool
	// readerExempt marks access the roles listed in secretReaders may have.
	readerExempt bool
}

// podsRunners are the resources whose create, update or patch runs a pod spec of the subject's choosing:
// pods themselves (a running pod's image can be changed) and the workloads that create pods.
var podsRunners = []permission{
	{group: "", resource: "pods"}, {group: "", resource: "replicationcontrollers"},
	{group: "apps", resource: "deployments"}, {group: "apps", resource: "statefulsets"},
	{group: "apps", resource: "daemonsets"}, {group: "apps", resource: "replicasets"},
	{group: "batch", resource: "jobs"}, {group: "batch", resource: "cronjobs"},
}

// riskyAccesses are what no rule may grant, in the order they are reported.
var riskyAccesses = []riskyAccess{
	{
		// get, list and watch return the data; patch returns the whole stored Secret, update replaces it.
		perms:        []permission{{group: "", resource: "secrets", verbs: []string{"get", "list", "watch", "update", "patch"}}},
		lets:         "read or rewrite the data of every Secret in reach",
		fix:          "name the Secrets they need in resourceNames, or, for a secret-syncing operator's role, list it in secretReaders",
		namesLimit:   true,
		readerExempt: true,
	},
	{
		// The token controller fills a Secret of type kubernetes.io/service-account-token whose annotation
		// names a service account with a token of that account, whoever created the Secret. A create names
		// no object, so resourceNames cannot limit it.
		perms:        []permission{{group: "", resource: "secrets", verbs: []string{"create"}}},
		lets:         "create Secrets of type kubernetes.io/service-account-token, which the cluster fills with a token of any service account of the namespace",
		fix:          "remove create on secrets, or, for a secret-syncing operator's role, list it in secretReaders",
		readerExempt: true,
	},
	{
		perms: withVerbs(podsRunners, "create", "update", "patch"),
		lets:  "run pods of their choosing, with any image, service account and Secret of the namespace",
		fix:   "remove create, update and patch on pods and on the workloads that create them; let the program deploy workloads",
	},
	{
		// Before Kubernetes 1.35 a WebSocket exec, attach or port-forward needs only get.
		perms: []permission{
			{group: "", resource: "pods/exec", verbs: []string{"get", "create"}},
			{group: "", resource: "pods/attach", verbs: []string{"get", "create"}},
			{group: "", resource: "pods/portforward", verbs: []string{"get", "create"}},
			{group: "", resource: "pods/ephemeralcontainers", verbs: []string{"update", "patch"}},
		},
		lets: "run commands in, attach to or connect to running pods, as their service accounts and past their NetworkPolicies",
		fix:  "remove it; give people exec, attach, port-forward and debug containers through a break-glass role bound only when needed",
	},
	{
		// A GET upgraded to a WebSocket reaches the kubelet's exec endpoint.
		perms: []permission{{group: "", resource: "nodes/proxy", verbs: []string{"get", "create"}, clusterOnly: true}},
		lets:  "reach every node's kubelet API, which runs commands in any pod on the node",
		fix:   "grant get on nodes/metrics or nodes/stats instead, which serve the kubelet's metrics without its exec endpoints",
	},
	{
		perms: []permission{{group: "", resource: "serviceaccounts/token", verbs: []string{"create"}}},
		lets:  "mint tokens for service accounts and act as them",
		fix:   "remove it; a pod gets its own service account's token through a projected volume",
	},
}

// delegatingVerbs are the verbs that grant beyond the role's own permissions, with what each lets
// its subjects do.
var delegatingVerbs = map[string]string{
	"escalate":    "create or widen roles with permissions the subjects do not hold",
	"bind":        "bind roles whose permissions the subjects do not hold",
	"impersonate": "act as other users, groups and service accounts",
}

func withVerbs(perms []permission, verbs ...string) []permission {
	out := slices.Clone(perms)
	for i := range out {
		out[i].verbs = verbs
	}
	return out
}

func checkRBACLeastPrivilege(o *engine.Object, c *engine.Config) []engine.Result {
	var rules []rbacv1.PolicyRule
	var out []engine.Result
	switch t := o.Typed.(type) {
	case *rbacv1.Role:
		rules = t.Rules
	case *rbacv1.ClusterRole:
		rules = t.Rules
		switch {
		case t.AggregationRule != nil && len(t.AggregationRule.ClusterRoleSelectors) > 0:
			out = append(out, engine.Violation(o, o.Subject(),
				"aggregationRule makes its rules those of every ClusterRole whose labels match clusterRoleSelectors, whoever creates it, now or later, so what it grants cannot be judged",
				"list the rules it needs instead of aggregating them"))
		case o.UnknownWithin("aggregationRule"):
			out = append(out, engine.Undecided(o, o.Subject(), unknownPath(o, "aggregationRule")))
		}
	}
	if o.Unknown("rules") {
		return append(out, engine.Undecided(o, o.Subject(), "rules"))
	}
	readers := c.Params.(*leastPrivilegeParams).SecretReaders
	for i := range rules {
		path := engine.JoinIndex("rules", i)
		rule := &rules[i]
		// Wildcards and delegating verbs are judged on the entries known: a value not known yet decodes
		// as "", which matches nothing.
		if w := wildcards(rule, path); len(w) > 0 {
			what := "are wildcards, which grant"
			if len(w) == 1 {
				what = "is a wildcard, which grants"
			}
			out = append(out, engine.Violation(o, o.Subject(),
				fmt.Sprintf("%s %s whatever the API serves, now and as it grows", joinAnd(w), what),
				"list the exact apiGroups, resources and verbs the subjects need"))
		}
		for j, v := range rule.Verbs {
			if lets, ok := delegatingVerbs[v]; ok {
				out = append(out, engine.Violation(o, o.Subject(),
					fmt.Sprintf("%s %q lets its subjects %s", engine.JoinIndex(path+".verbs", j), v, lets), "remove the verb"))
			}
		}
		if o.ComputedNear(path) {
			out = append(out, engine.Undecided(o, o.Subject(), unknownPath(o, path)))
			continue
		}
		for _, a := range riskyAccesses {
			verbs, resources := a.grantedBy(rule, o.Kind == "ClusterRole")
			switch {
			case len(verbs) == 0:
			case a.namesLimit && len(rule.ResourceNames) > 0:
				// Only the named objects: the least-privilege way to read a Secret.
			case a.readerExempt && len(readers) > 0 && o.Computed("metadata.name"):
				out = append(out, engine.Undecided(o, o.Subject(), "metadata.name (whether secretReaders lists it)"))
			case a.readerExempt && slices.Contains(readers, o.Name):
			default:
				out = append(out, engine.Violation(o, o.Subject(),
					fmt.Sprintf("%s lets its subjects %s (%s on %s)", path, a.lets, strings.Join(verbs, ", "), strings.Join(resources, ", ")), a.fix))
			}
		}
	}
	return out
}

// unknownPath returns the path of the first value at or below path that is not known (path itself
// when it, or an ancestor, is), so a note names the value it waits for.
func unknownPath(o *engine.Object, path string) string {
	for _, u := range o.UnknownPaths() {
		if engine.IsPrefixPath(path, u) && !engine.IsPrefixPath(u, path) {
			return u
		}
	}
	return path
}

// wildcards lists a rule's wildcard entries by path: "*" in any list, "*/subresource" in resources
// ("*/*" names no subresource and matches nothing).
func wildcards(rule *rbacv1.PolicyRule, path string) []string {
	var out []string
	for _, f := range []struct {
		name    string
		entries []string
	}{{"apiGroups", rule.APIGroups}, {"resources", rule.Resources}, {"verbs", rule.Verbs}, {"nonResourceURLs", rule.NonResourceURLs}} {
		for j, e := range f.entries {
			if e == "*" || (f.name == "resources" && strings.HasPrefix(e, "*/") && e != "*/*") {
				out = append(out, fmt.Sprintf("%s %q", engine.JoinIndex(path+"."+f.name, j), e))
			}
		}
	}
	return out
}

// grantedBy returns the rule's verbs and resources, in its order, that grant one of the access's
// permissions; none when it grants none. clusterRole is false for a namespaced Role, which cannot grant
// cluster-scoped resources.
func (a riskyAccess) grantedBy(rule *rbacv1.PolicyRule, clusterRole bool) (verbs, resources []string) {
	vs, rs := map[string]bool{}, map[string]bool{}
	for _, p := range a.perms {
		if p.clusterOnly && !clusterRole || !slices.ContainsFunc(rule.APIGroups, func(g string) bool { return g == "*" || g == p.group }) {
			continue
		}
		matchedResources := matchResource(rule.Resources, p.resource)
		if len(matchedResources) == 0 {
			continue
		}
		for _, verb := range p.verbs {
			named := len(rule.ResourceNames) > 0
			if named && (verb == "deletecollection" || verb == "create" && !strings.Contains(p.resource, "/")) {
				continue // the request names no object, so resourceNames never match it
			}
			for _, v := range rule.Verbs {
				if v == "*" || v == verb {
					vs[v] = true
					for _, r := range matchedResources {
						rs[r] = true
					}
				}
			}
		}
	}
	return inOrder(rule.Verbs, vs), inOrder(rule.Resources, rs)
}

// matchResource returns the entries that match a resource ("pods" or "pods/exec") as the authorizer
// matches them: the resource itself, "*", or, for a subresource, "*/subresource".
func matchResource(entries []string, resource string) []string {
	_, sub, isSub := strings.Cut(resource, "/")
	var out []string
	for _, e := range entries {
		if e == "*" || e == resource || isSub && e == "*/"+sub {
			out = append(out, e)
		}
	}
	return out
}

// inOrder returns the entries in set, in their order, each once.
func inOrder(entries []string, set map[string]bool) []string {
	var out []string
	for _, e := range entries {
		if set[e] && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}
