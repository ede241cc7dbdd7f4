package checks

import (
	"fmt"

	"github.com/jdjones/jd-jones-rag-infra/internal/objectid"
	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// ObjectsManagedOnce refuses a stack in which two resources manage one Kubernetes object, or a Patch
// resource changes an object another resource of the stack creates: the API server tells objects apart
// by API group, kind, namespace and name, whatever the version or the spelling of the kind a program uses.
var ObjectsManagedOnce = &engine.Policy{
	Name: "objects-managed-once",
	Description: "No two resources of the stack manage the same Kubernetes object (API group with its aliases, kind, " +
		"namespace and name), and no Patch resource changes an object another resource of the stack creates.",
	Remediation: "keep one resource per object: remove the second one (an extraObjects entry, a manifest of a ConfigGroup) " +
		"or change the object through the resource that creates it",
	Why: "two resources of one object overwrite each other's fields on every update and the first delete removes the " +
		"object the other still manages; extraObjects and ConfigGroups can name any object, including the platform's",
	Level: engine.Mandatory,
	Stack: checkObjectsManagedOnce,
}

// keyOf is o's object identity; ok is false for resources that are not one object (components, Helm
// releases) and for objects Pulumi names itself (no metadata.name: they get a random suffix).
func keyOf(o *engine.Object) (objectid.ID, bool) {
	if o.Kind == "" || o.Group == "yaml" || o.Group == "kustomize" || o.Group == "helm.sh" || o.Meta.Name == "" {
		return objectid.ID{}, false
	}
	return objectid.New(o.Group, o.Kind, o.Namespace, o.Meta.Name), true
}

// resourceOf names the resource behind o the way a stack's author finds it.
func resourceOf(o *engine.Object) string {
	return fmt.Sprintf("resource %q (%s)", o.ResourceName, o.Type)
}

// where is the object's namespace as a message says it.
func where(o *engine.Object) string {
	if o.Namespace == "" {
		return ""
	}
	return fmt.Sprintf(" in namespace %q", o.Namespace)
}

func checkObjectsManagedOnce(s *engine.Stack, _ *engine.Config) []engine.Result {
	var out []engine.Result
	creators := map[objectid.ID]*engine.Object{}
	// kinds holds the group/kind of every object, for objects whose namespace or name is not known yet.
	kinds := map[string]int{}
	var unknown []*engine.Object
	for _, o := range s.Objects {
		if o.Unknown("metadata.name") || o.NamespaceUnknown {
			unknown = append(unknown, o)
			continue
		}
		key, ok := keyOf(o)
		if !ok {
			continue
		}
		kinds[key.GroupKind()]++
		if o.Patch {
			continue
		}
		if first, dup := creators[key]; dup {
			out = append(out, engine.Violation(o, o.Subject(), fmt.Sprintf("%s is the object %s already manages: %s %q%s",
				resourceOf(o), resourceOf(first), first.Kind, first.Meta.Name, where(first)), ""))
			continue
		}
		creators[key] = o
	}
	for _, o := range s.Objects {
		if !o.Patch || o.Unknown("metadata.name") || o.NamespaceUnknown {
			continue
		}
		key, ok := keyOf(o)
		if !ok {
			continue
		}
		if creator, found := creators[key]; found {
			out = append(out, engine.Violation(o, o.Subject(), fmt.Sprintf("%s patches %s %q%s, which %s of the stack creates",
				resourceOf(o), creator.Kind, creator.Meta.Name, where(creator), resourceOf(creator)),
				"change the object through the resource that creates it"))
		}
	}
	for _, o := range unknown {
		if o.Kind != "" && kinds[objectid.New(o.Group, o.Kind, "", "").GroupKind()] > 0 {
			what := "metadata.name"
			if !o.Unknown("metadata.name") {
				what = "metadata.namespace"
			}
			out = append(out, engine.Undecided(o, o.Subject(), what))
		}
	}
	return out
}
