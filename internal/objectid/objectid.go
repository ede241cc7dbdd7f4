package objectid

import "strings"

// ID is the Kubernetes object a manifest or resource names: its API group (aliases folded, "" for the
// core group), its kind lower-cased, its namespace and its name.
type ID struct {
	Group, Kind, Namespace, Name string
}

// groupAliases are the API groups that serve the same objects under another group, by old group and
// lower-cased kind: an extensions/v1beta1 Deployment is the apps/v1 Deployment of the same name.
var groupAliases = map[string]string{
	"extensions/deployment": "apps", "extensions/daemonset": "apps", "extensions/replicaset": "apps",
	"extensions/ingress": "networking.k8s.io", "extensions/networkpolicy": "networking.k8s.io",
	"extensions/podsecuritypolicy": "policy", "events.k8s.io/event": "",
}

// New is the identity of the object of group (the core group is ""), kind, namespace and name.
func New(group, kind, namespace, name string) ID {
	kind = strings.ToLower(kind)
	if alias, ok := groupAliases[group+"/"+kind]; ok {
		group = alias
	}
	return ID{Group: group, Kind: kind, Namespace: namespace, Name: name}
}

// GroupOf is the API group of an apiVersion ("" for the core group's "v1").
func GroupOf(apiVersion string) string {
	group, _, found := strings.Cut(apiVersion, "/")
	if !found {
		return ""
	}
	return group
}

// GroupKind is the group and lower-cased kind of an ID, the same for every object of one kind.
func (id ID) GroupKind() string { return id.Group + "/" + id.Kind }
