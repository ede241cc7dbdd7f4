package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/jdjones/jd-jones-rag-infra/internal/objectid"
)

// extraObjects are plain manifests a stack adds to its namespace. Validation refuses what the stack
// cannot own or must not hold: cluster-scoped kinds (the stack owns one namespace), Secrets (their data
// would sit in the stack file in plaintext), objects without a fixed name, objects of another namespace,
// the same object twice, and patchForce (which would take fields over from another field manager).
// Whether an entry would replace an object the platform registers itself is known only by rendering
// the platform: components.CheckExtraObjects does that before anything is registered.

// patchForceAnnotation makes the provider's server-side apply take over fields another manager owns.
const patchForceAnnotation = "pulumi.com/patchForce"

// apiVersionPattern is "v1" (the core group) or group/version, as manifests spell apiVersion.
var apiVersionPattern = regexp.MustCompile(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?v[0-9]+((alpha|beta)[0-9]+)?$`)

// kindPattern is a Kind name: CamelCase, starting with a capital letter.
var kindPattern = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)

// clusterScopedKinds are the built-in (and common add-on) kinds without a namespace, by lower-cased name.
var clusterScopedKinds = lowerSet(
	"Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "StorageClass",
	"PriorityClass", "CustomResourceDefinition", "APIService", "MutatingWebhookConfiguration",
	"ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
	"MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "RuntimeClass", "IngressClass",
	"CSIDriver", "CSINode", "VolumeAttachment", "CertificateSigningRequest", "FlowSchema",
	"PriorityLevelConfiguration", "GatewayClass", "ClusterIssuer", "ClusterSecretStore",
	"ClusterExternalSecret", "ClusterTriggerAuthentication", "VolumeSnapshotClass", "VolumeSnapshotContent",
	"ComponentStatus", "SelfSubjectReview", "TokenReview", "SubjectAccessReview", "StorageVersionMigration",
	"DeviceClass", "ResourceSlice",
)

// namespacedBuiltinKinds are the namespaced kinds of Kubernetes's own API, spelled as the API server
// requires: a miscased one would reach the provider as an unknown kind that no policy of the pack reads.
var namespacedBuiltinKinds = []string{
	"ConfigMap", "Service", "ServiceAccount", "Pod", "PodTemplate", "PersistentVolumeClaim", "LimitRange",
	"ResourceQuota", "Endpoints", "Event", "ReplicationController", "Secret", "Deployment", "StatefulSet",
	"DaemonSet", "ReplicaSet", "ControllerRevision", "Job", "CronJob", "Ingress", "NetworkPolicy",
	"HorizontalPodAutoscaler", "PodDisruptionBudget", "Role", "RoleBinding", "Lease", "EndpointSlice",
	"CSIStorageCapacity", "ResourceClaim", "ResourceClaimTemplate",
}

// isBuiltinGroup reports whether group is one of Kubernetes's own API groups (no dot, or *.k8s.io).
func isBuiltinGroup(group string) bool {
	return !strings.Contains(group, ".") || strings.HasSuffix(group, ".k8s.io")
}

// lowerSet is a set of names, lower-cased.
func lowerSet(names ...string) map[string]bool {
	set := map[string]bool{}
	for _, n := range names {
		set[strings.ToLower(n)] = true
	}
	return set
}

// ExtraObject is the identity of the i-th entry of extraObjects, in the stack's namespace, and its
// kind and name as written.
func (c *Config) ExtraObject(i int) (id objectid.ID, kind, name string) {
	entry := c.ExtraObjects[i]
	apiVersion, _ := entry["apiVersion"].(string)
	kind, _ = entry["kind"].(string)
	meta, _ := entry["metadata"].(map[string]any)
	name, _ = meta["name"].(string)
	return objectid.New(objectid.GroupOf(apiVersion), kind, c.Namespace, name), kind, name
}

// ExtraObjectsKey is the config key of the extra manifests.
const ExtraObjectsKey = "extraObjects"

// validateExtraObjects checks every entry of extraObjects.
func (c *Config) validateExtraObjects(v *validator) {
	seen := map[objectid.ID]int{}
	for i, entry := range c.ExtraObjects {
		key := fmt.Sprintf("%s[%d]", ExtraObjectsKey, i)
		if entry == nil {
			v.fail(key, nil, "must be a Kubernetes manifest with apiVersion, kind and metadata.name")
			continue
		}
		ok := c.validateExtraObject(v, key, entry)
		if !ok {
			continue
		}
		id, kind, name := c.ExtraObject(i)
		if first, dup := seen[id]; dup {
			v.fail(key, kind+"/"+name, "is the same object as %s[%d] (same API group, kind and name): list each object once", ExtraObjectsKey, first)
			continue
		}
		seen[id] = i
	}
}

// validateExtraObject checks one manifest under key and reports whether it names an object.
func (c *Config) validateExtraObject(v *validator, key string, entry map[string]any) bool {
	ok := true
	apiVersion, isString := entry["apiVersion"].(string)
	switch {
	case entry["apiVersion"] == nil:
		v.fail(key+".apiVersion", nil, `is required: "v1" for the core API or "group/version" such as "apps/v1"`)
		ok = false
	case !isString || !apiVersionPattern.MatchString(apiVersion) || (!strings.Contains(apiVersion, "/") && apiVersion != "v1"):
		v.fail(key+".apiVersion", asWritten(entry["apiVersion"]), `must be "v1" for the core API or "group/version" such as "apps/v1"`)
		ok = false
	}
	kind, isString := entry["kind"].(string)
	switch {
	case entry["kind"] == nil:
		v.fail(key+".kind", nil, "is required: the object's Kind, such as ConfigMap")
		return false
	case !isString || !kindPattern.MatchString(kind):
		v.fail(key+".kind", asWritten(entry["kind"]), "must be a Kind name such as ConfigMap: letters and digits, starting with a capital letter")
		return false
	case strings.HasSuffix(kind, "List"):
		v.fail(key+".kind", kind, "must be one object's Kind, not a list: give each item an entry of its own")
		return false
	}
	lower := strings.ToLower(kind)
	i := slices.IndexFunc(namespacedBuiltinKinds, func(k string) bool { return strings.ToLower(k) == lower })
	if i >= 0 && namespacedBuiltinKinds[i] != kind && isBuiltinGroup(objectid.GroupOf(apiVersion)) {
		v.fail(key+".kind", kind, "must be spelled %s: the API server reads kinds case-sensitively, and the policy pack would not judge it", namespacedBuiltinKinds[i])
		ok = false
	}
	switch {
	case clusterScopedKinds[lower]:
		v.fail(key+".kind", kind, "must be a namespaced kind: the stack owns one namespace, and a cluster-scoped object is shared with every other tenant of the cluster")
		ok = false
	case lower == "secret":
		v.fail(key+".kind", kind, "must not be Secret: its data would sit in the stack file in plaintext; use the Secrets the stack generates, an ExternalSecret (externalSecrets) or a Secret created out of band")
		ok = false
	}
	meta, isMap := entry["metadata"].(map[string]any)
	if !isMap {
		v.fail(key+".metadata", asWritten(entry["metadata"]), "must be an object with the object's name")
		return false
	}
	if gen, set := meta["generateName"]; set {
		v.fail(key+".metadata.generateName", asWritten(gen), "must not be set: Pulumi needs a fixed name to manage the object; set metadata.name")
		ok = false
	}
	name, isString := meta["name"].(string)
	switch {
	case meta["name"] == nil:
		v.fail(key+".metadata.name", nil, "is required: a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')")
		ok = false
	case !isString:
		v.fail(key+".metadata.name", asWritten(meta["name"]), "must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')")
		ok = false
	default:
		if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
			v.fail(key+".metadata.name", name, "must be a DNS-1123 subdomain: %s", strings.Join(msgs, "; "))
			ok = false
		}
	}
	if ns, set := meta["namespace"]; set && ns != "" && ns != c.Namespace {
		v.fail(key+".metadata.namespace", asWritten(ns), "must be empty or %q, the stack's namespace: the stack owns one namespace", c.Namespace)
		ok = false
	}
	if annotations, isMap := meta["annotations"].(map[string]any); isMap {
		if force, set := annotations[patchForceAnnotation]; set {
			v.fail(key+".metadata.annotations."+patchForceAnnotation, asWritten(force), "must not be set: it would take the object's fields over from whichever manager owns them")
			ok = false
		}
	}
	return ok
}
