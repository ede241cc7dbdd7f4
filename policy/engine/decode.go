package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
)

// Object is a Resource decoded once into its real k8s.io/api type, with a record of which fields
// were unknown (computed during preview) or Pulumi secrets. Checks are pure functions over it.
type Object struct {
	// URN, Type and ResourceName come from the Resource.
	URN, Type, ResourceName string
	// Group, Version and Kind are parsed from the type token ("" group is the core API).
	Group, Version, Kind string
	// Name is metadata.name, or the Pulumi resource name when metadata.name is absent.
	Name string
	// Namespace is the effective namespace ("" for cluster-scoped kinds).
	Namespace string
	// NamespaceUnknown is true when metadata.namespace was computed during preview.
	NamespaceUnknown bool
	// Meta is the object's metadata.
	Meta metav1.ObjectMeta
	// Properties are the resource's properties as the engine sent them (Pulumi secrets and values
	// unknown during preview marked as such), for checks that read every field whatever its kind.
	Properties property.Map
	// Typed is a pointer to the k8s.io/api type (*appsv1.Deployment, ...) or nil when the kind is
	// not one the checks understand, or its properties could not be read.
	Typed any
	// Problem says why (part of) the properties could not be read into the typed object.
	Problem string
	// UnknownFields are the paths of fields the object sets that its Kubernetes type does not define,
	// field names being case-sensitive as the API server reads them (which drops or rejects them).
	UnknownFields []string
	// Patch marks a pulumi-kubernetes Patch resource (DeploymentPatch, NamespacePatch, …), decoded as
	// a partial object of its Kind: a field it does not set keeps the live object's value, so Unknown
	// reports it as not known.
	Patch bool
	// IgnoreChanges is the resource's ignoreChanges option.
	IgnoreChanges []string
	// FromManifest is true for objects read from rendered manifests.
	FromManifest bool
	// FromOutputs is true for objects decoded from outputs (stack policies under Pulumi).
	FromOutputs bool

	unknown []string
	secret  []string
	// set holds, for a patch, every path it sets; true for values set whole (not a map).
	set map[string]bool
	// undecodable is true when a kind the checks judge could not be read into its type.
	undecodable bool
	// releaseNS is a Helm Release's "namespace" input.
	releaseNS string
	// workload is the pod-running view, computed once.
	workload   Workload
	isWorkload bool
	// moreWorkloads are the pod templates after the first of a custom kind that carries an array of
	// them (see views).
	moreWorkloads []Workload
}

// DecodesKind reports whether objects of kind (in some group and version) decode into a typed
// k8s.io/api object, so a policy declaring it in Kinds ever sees one.
func DecodesKind(kind string) bool {
	for gvk := range newTyped {
		if gvk[strings.LastIndex(gvk, "/")+1:] == kind {
			return true
		}
	}
	return false
}

// newTyped maps "group/version/Kind" to a constructor of the matching k8s.io/api type.
var newTyped = map[string]func() any{
	"/v1/Pod":                                         func() any { return &corev1.Pod{} },
	"/v1/ReplicationController":                       func() any { return &corev1.ReplicationController{} },
	"/v1/Secret":                                      func() any { return &corev1.Secret{} },
	"/v1/ConfigMap":                                   func() any { return &corev1.ConfigMap{} },
	"/v1/PersistentVolumeClaim":                       func() any { return &corev1.PersistentVolumeClaim{} },
	"/v1/PersistentVolume":                            func() any { return &corev1.PersistentVolume{} },
	"/v1/Namespace":                                   func() any { return &corev1.Namespace{} },
	"/v1/Service":                                     func() any { return &corev1.Service{} },
	"apps/v1/Deployment":                              func() any { return &appsv1.Deployment{} },
	"apps/v1/StatefulSet":                             func() any { return &appsv1.StatefulSet{} },
	"apps/v1/DaemonSet":                               func() any { return &appsv1.DaemonSet{} },
	"apps/v1/ReplicaSet":                              func() any { return &appsv1.ReplicaSet{} },
	"batch/v1/Job":                                    func() any { return &batchv1.Job{} },
	"batch/v1/CronJob":                                func() any { return &batchv1.CronJob{} },
	"networking.k8s.io/v1/Ingress":                    func() any { return &networkingv1.Ingress{} },
	"networking.k8s.io/v1/NetworkPolicy":              func() any { return &networkingv1.NetworkPolicy{} },
	"autoscaling/v2/HorizontalPodAutoscaler":          func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"autoscaling/v1/HorizontalPodAutoscaler":          func() any { return &autoscalingv1.HorizontalPodAutoscaler{} },
	"policy/v1/PodDisruptionBudget":                   func() any { return &policyv1.PodDisruptionBudget{} },
	"keda.sh/v1alpha1/ScaledObject":                   func() any { return &ScaledObject{} },
	"storage.k8s.io/v1/StorageClass":                  func() any { return &storagev1.StorageClass{} },
	"/v1/ServiceAccount":                              func() any { return &corev1.ServiceAccount{} },
	"rbac.authorization.k8s.io/v1/RoleBinding":        func() any { return &rbacv1.RoleBinding{} },
	"rbac.authorization.k8s.io/v1/ClusterRoleBinding": func() any { return &rbacv1.ClusterRoleBinding{} },
	"rbac.authorization.k8s.io/v1/Role":               func() any { return &rbacv1.Role{} },
	"rbac.authorization.k8s.io/v1/ClusterRole":        func() any { return &rbacv1.ClusterRole{} },
}

// clusterScoped lists the kinds the checks know that have no namespace.
var clusterScoped = map[string]bool{"Namespace": true, "StorageClass": true, "ClusterRoleBinding": true, "ClusterRole": true, "PersistentVolume": true}

// ParseTypeToken splits a Pulumi Kubernetes type token into group, version and kind. ok is false for
// tokens of other providers, Pulumi-internal types, and Kubernetes component or Patch types, which
// are not whole objects (Decode reads a Patch as a partial object of the kind it patches).
func ParseTypeToken(typ string) (group, version, kind string, ok bool) {
	parts := strings.Split(typ, ":")
	if len(parts) != 3 || parts[0] != "kubernetes" {
		return "", "", "", false
	}
	gv, kind := parts[1], parts[2]
	slash := strings.LastIndex(gv, "/")
	if slash < 0 || strings.HasSuffix(kind, "Patch") || strings.HasSuffix(kind, "List") {
		return "", "", "", false
	}
	group, version = gv[:slash], gv[slash+1:]
	if group == "core" {
		group = ""
	}
	return group, version, kind, true
}

// patchToken splits the type token of a pulumi-kubernetes Patch resource
// ("kubernetes:apps/v1:DeploymentPatch") into the group, version and kind it patches.
func patchToken(typ string) (group, version, kind string, ok bool) {
	whole, found := strings.CutSuffix(typ, "Patch")
	if !found {
		return "", "", "", false
	}
	return ParseTypeToken(whole)
}

// stringsAt returns the known string values of the map at key, nil when there is none.
func stringsAt(m property.Map, key string) map[string]string {
	v := m.Get(key)
	if !v.IsMap() {
		return nil
	}
	out := map[string]string{}
	for k, e := range v.AsMap().All {
		if e.IsString() {
			out[k] = e.AsString()
		}
	}
	return out
}

// Decode reads a Resource into an Object. It never fails: values it cannot read are recorded in
// Problem, and values unknown during preview are recorded so checks can tell "absent" from
// "not known yet". Objects are read as the API server reads them: field names are case-sensitive
// and fields the type does not define are recorded in UnknownFields. Custom resources are searched
// for a pod template at the default paths.
func Decode(r Resource) *Object {
	return decode(r, nil)
}

// decode is Decode with the pod template paths configured for custom kinds.
func decode(r Resource, templates []string) *Object {
	o := &Object{
		URN:           r.URN,
		Type:          r.Type,
		ResourceName:  r.Name,
		IgnoreChanges: r.IgnoreChanges,
		FromManifest:  r.FromManifest,
		FromOutputs:   r.FromOutputs,
		Properties:    r.Properties,
	}
	group, version, kind, ok := ParseTypeToken(r.Type)
	if !ok {
		if group, version, kind, ok = patchToken(r.Type); !ok {
			return o
		}
		o.Patch = true
	}
	o.Group, o.Version, o.Kind = group, version, kind

	d := decoder{buf: make([]byte, 0, 1024)}
	if o.Patch {
		d.set = map[string]bool{}
	}
	d.writeMap(r.Properties)
	o.unknown, o.secret, o.set = d.unknown, d.secret, d.set
	if group == "helm.sh" && kind == "Release" {
		o.releaseNS = stringAt(r.Properties, "namespace")
	}

	if ctor, known := newTyped[group+"/"+version+"/"+kind]; known {
		typed := ctor()
		strict, err := kjson.UnmarshalStrict(d.buf, typed)
		o.Typed = o.readError(typed, err)
		for _, e := range strict {
			var fe kjson.FieldError
			if errors.As(e, &fe) && strings.HasPrefix(e.Error(), "unknown field") {
				o.UnknownFields = append(o.UnknownFields, fe.FieldPath())
			} else {
				o.Problem = strings.TrimPrefix(o.Problem+"; "+e.Error(), "; ")
			}
		}
		if mo, isMeta := o.Typed.(metav1.Object); isMeta {
			o.Meta = metaOf(mo)
		}
	}
	if o.Typed == nil {
		// Unknown kinds (custom resources) and unreadable objects still get their name and namespace.
		if md := r.Properties.Get("metadata"); md.IsMap() {
			o.Meta.Name = stringAt(md.AsMap(), "name")
			o.Meta.Namespace = stringAt(md.AsMap(), "namespace")
			o.Meta.Labels = stringsAt(md.AsMap(), "labels")
			o.Meta.Annotations = stringsAt(md.AsMap(), "annotations")
		}
	}

	o.workload, o.isWorkload = o.computeWorkload()
	if o.Typed == nil && !builtinGroups[group] {
		o.findPodTemplate(r.Properties, templates)
	}
	o.Name = o.Meta.Name
	if o.Name == "" {
		o.Name = r.Name
	}
	if !clusterScoped[kind] {
		o.NamespaceUnknown = o.Unknown("metadata.namespace")
		o.Namespace = o.Meta.Namespace
		if o.Namespace == "" {
			o.Namespace = r.DefaultNamespace
		}
		if o.Namespace == "" {
			o.Namespace = "default"
		}
	}
	return o
}

// readError records the error of reading typed into the object and returns what is left to judge: a
// value of the wrong type leaves the rest of the object read (best effort, as encoding/json does);
// any other error leaves nothing.
func (o *Object) readError(typed any, err error) any {
	var typeErr *json.UnmarshalTypeError // sigs.k8s.io/json returns encoding/json's
	switch {
	case err == nil:
		return typed
	case errors.As(err, &typeErr):
		o.Problem = fmt.Sprintf("%s is a JSON %s where the API expects %s", typeErr.Field, typeErr.Value, typeErr.Type)
		return typed
	}
	o.Problem, o.undecodable = err.Error(), true
	return nil
}

func metaOf(mo metav1.Object) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:        mo.GetName(),
		Namespace:   mo.GetNamespace(),
		Labels:      mo.GetLabels(),
		Annotations: mo.GetAnnotations(),
	}
}

// stringAt reads a string property, or "".
func stringAt(m property.Map, key string) string {
	if v := m.Get(key); v.IsString() {
		return v.AsString()
	}
	return ""
}

// decoder renders property values as JSON, which encoding/json then reads into the typed object
// (honouring the Kubernetes types' own JSON handling of quantities and int-or-string, and skipping
// mistyped fields). Unknown values are left out and, like secrets, recorded by field path.
// Keys are written in sorted order, so what is recorded (and so every verdict) never depends on map
// iteration order.
type decoder struct {
	buf     []byte
	path    []byte
	unknown []string
	secret  []string
	// set, when not nil, records every path written (true for values that are not maps).
	set map[string]bool
}

func (d *decoder) mark(v property.Value) {
	if v.Secret() {
		d.secret = append(d.secret, string(d.path))
	}
	if v.IsComputed() {
		d.unknown = append(d.unknown, string(d.path))
	}
	if d.set != nil {
		d.set[string(d.path)] = !v.IsMap()
	}
}

func (d *decoder) writeMap(m property.Map) {
	d.buf = append(d.buf, '{')
	first := true
	for k, v := range m.AllStable {
		n := len(d.path)
		d.path = appendKey(d.path, k)
		d.mark(v)
		if !v.IsComputed() {
			if !first {
				d.buf = append(d.buf, ',')
			}
			first = false
			d.buf = appendJSONString(d.buf, k)
			d.buf = append(d.buf, ':')
			d.writeValue(v)
		}
		d.path = d.path[:n]
	}
	d.buf = append(d.buf, '}')
}

func (d *decoder) writeValue(v property.Value) {
	switch {
	case v.IsBool():
		d.buf = strconv.AppendBool(d.buf, v.AsBool())
	case v.IsNumber():
		f := v.AsNumber()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			d.buf = append(d.buf, "null"...)
		} else {
			d.buf = strconv.AppendFloat(d.buf, f, 'g', -1, 64)
		}
	case v.IsString():
		d.buf = appendJSONString(d.buf, v.AsString())
	case v.IsArray():
		d.buf = append(d.buf, '[')
		for i, e := range v.AsArray().All {
			if i > 0 {
				d.buf = append(d.buf, ',')
			}
			n := len(d.path)
			d.path = appendIndex(d.path, i)
			d.mark(e)
			d.writeValue(e)
			d.path = d.path[:n]
		}
		d.buf = append(d.buf, ']')
	case v.IsMap():
		d.writeMap(v.AsMap())
	default:
		// Null, computed (recorded by mark), assets, archives and resource references.
		d.buf = append(d.buf, "null"...)
	}
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// isPlainKey reports whether a map key can follow a dot in a field path.
func isPlainKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || (c != '-' && (c < '0' || c > '9'))) {
			return false
		}
	}
	return true
}

func appendKey(path []byte, key string) []byte {
	if !isPlainKey(key) {
		path = append(path, '[')
		return append(strconv.AppendQuote(path, key), ']')
	}
	if len(path) > 0 {
		path = append(path, '.')
	}
	return append(path, key...)
}

func appendIndex(path []byte, i int) []byte {
	path = append(path, '[')
	return append(strconv.AppendInt(path, int64(i), 10), ']')
}

// JoinKey appends a map key to a field path: "spec" + "replicas" -> "spec.replicas"; keys that are
// not plain identifiers are quoted: "metadata.labels" + "app.kubernetes.io/name" ->
// `metadata.labels["app.kubernetes.io/name"]`.
func JoinKey(path, key string) string {
	return string(appendKey([]byte(path), key))
}

// JoinIndex appends a list index to a field path: "spec.containers" + 0 -> "spec.containers[0]".
func JoinIndex(path string, i int) string {
	return string(appendIndex([]byte(path), i))
}

// IsPrefixPath reports whether prefix is path itself or one of its ancestors.
func IsPrefixPath(prefix, path string) bool {
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	if len(path) == len(prefix) || prefix == "" {
		return true
	}
	c := path[len(prefix)]
	return c == '.' || c == '['
}

// Unknown reports whether the value at path is not known: during preview the value itself or one of
// its ancestors was computed, so whether it is set (and to what) cannot be told yet; or the object is
// a patch that does not set it, so it keeps the live object's value.
func (o *Object) Unknown(path string) bool {
	return o.Computed(path) || (o.Patch && !o.sets(path, false))
}

// Computed reports whether the value at path, or one of its ancestors, was unknown during preview.
func (o *Object) Computed(path string) bool {
	for _, u := range o.unknown {
		if IsPrefixPath(u, path) {
			return true
		}
	}
	return false
}

// UnknownWithin reports whether anything at or below path (or an ancestor) is not known: computed
// during preview, or, in a patch, anything but a value the patch sets whole.
func (o *Object) UnknownWithin(path string) bool {
	for _, u := range o.unknown {
		if IsPrefixPath(u, path) || IsPrefixPath(path, u) {
			return true
		}
	}
	return o.Patch && !o.sets(path, true)
}

// sets reports whether a patch sets the value at path: the path itself (when whole, only a value
// that is not a map), or a list or scalar holding it.
func (o *Object) sets(path string, whole bool) bool {
	for p := path; ; p = parentPath(p) {
		if leaf, ok := o.set[p]; ok {
			return leaf || (p == path && !whole)
		}
		if p == "" {
			return false
		}
	}
}

// parentPath drops the last key or index of a field path: "a.b[0]" -> "a.b", `a["x.y"]` -> "a".
func parentPath(path string) string {
	if strings.HasSuffix(path, `"]`) {
		return path[:max(strings.LastIndex(path, `["`), 0)]
	}
	if strings.HasSuffix(path, "]") {
		return path[:max(strings.LastIndex(path, "["), 0)]
	}
	return path[:max(strings.LastIndex(path, "."), 0)]
}

// UnknownPaths lists the paths that were unknown during preview.
func (o *Object) UnknownPaths() []string { return append([]string(nil), o.unknown...) }

// Undecodable reports whether o is of a kind the checks judge but could not be read into its type.
func (o *Object) Undecodable() bool { return o.undecodable }

// IsSecret reports whether the value at path, or one of its ancestors, is a Pulumi secret.
func (o *Object) IsSecret(path string) bool {
	for _, s := range o.secret {
		if IsPrefixPath(s, path) {
			return true
		}
	}
	return false
}

// APIVersion is the object's apiVersion: "v1", "apps/v1".
func (o *Object) APIVersion() string {
	if o.Group == "" {
		return o.Version
	}
	return o.Group + "/" + o.Version
}

// Subject names the object the way messages do: `Deployment "api"`, `DeploymentPatch "api"`.
func (o *Object) Subject() string {
	kind := o.Kind
	switch {
	case kind == "":
		kind = o.Type
	case o.Patch:
		kind += "Patch"
	}
	return fmt.Sprintf("%s %q", kind, o.Name)
}
