package checks

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
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
	// Typed is a pointer to the k8s.io/api type (*appsv1.Deployment, ...) or nil when the kind is
	// not one the checks understand, or its properties could not be read.
	Typed any
	// Problem says why (part of) the properties could not be read into the typed object.
	Problem string
	// IgnoreChanges is the resource's ignoreChanges option.
	IgnoreChanges []string
	// FromManifest is true for objects read from rendered manifests.
	FromManifest bool
	// FromOutputs is true for objects decoded from outputs (stack policies under Pulumi).
	FromOutputs bool

	unknown []string
	secret  []string
	// releaseNS is a Helm Release's "namespace" input.
	releaseNS string
	// workload is the pod-running view, computed once.
	workload   Workload
	isWorkload bool
}

// newTyped maps "group/version/Kind" to a constructor of the matching k8s.io/api type.
var newTyped = map[string]func() any{
	"/v1/Pod":                                func() any { return &corev1.Pod{} },
	"/v1/Secret":                             func() any { return &corev1.Secret{} },
	"/v1/ConfigMap":                          func() any { return &corev1.ConfigMap{} },
	"/v1/PersistentVolumeClaim":              func() any { return &corev1.PersistentVolumeClaim{} },
	"/v1/Namespace":                          func() any { return &corev1.Namespace{} },
	"/v1/Service":                            func() any { return &corev1.Service{} },
	"apps/v1/Deployment":                     func() any { return &appsv1.Deployment{} },
	"apps/v1/StatefulSet":                    func() any { return &appsv1.StatefulSet{} },
	"apps/v1/DaemonSet":                      func() any { return &appsv1.DaemonSet{} },
	"apps/v1/ReplicaSet":                     func() any { return &appsv1.ReplicaSet{} },
	"batch/v1/Job":                           func() any { return &batchv1.Job{} },
	"batch/v1/CronJob":                       func() any { return &batchv1.CronJob{} },
	"networking.k8s.io/v1/Ingress":           func() any { return &networkingv1.Ingress{} },
	"networking.k8s.io/v1/NetworkPolicy":     func() any { return &networkingv1.NetworkPolicy{} },
	"autoscaling/v2/HorizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"autoscaling/v1/HorizontalPodAutoscaler": func() any { return &autoscalingv1.HorizontalPodAutoscaler{} },
	"policy/v1/PodDisruptionBudget":          func() any { return &policyv1.PodDisruptionBudget{} },
	"storage.k8s.io/v1/StorageClass":         func() any { return &storagev1.StorageClass{} },
}

// clusterScoped lists the kinds the checks know that have no namespace.
var clusterScoped = map[string]bool{"Namespace": true, "StorageClass": true}

// ParseTypeToken splits a Pulumi Kubernetes type token into group, version and kind. ok is false for
// tokens of other providers, Pulumi-internal types, and Kubernetes component or Patch types, which
// are not whole objects.
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

// Decode reads a Resource into an Object. It never fails: values it cannot read are recorded in
// Problem, and values unknown during preview are recorded so checks can tell "absent" from
// "not known yet".
func Decode(r Resource) *Object {
	o := &Object{
		URN:           r.URN,
		Type:          r.Type,
		ResourceName:  r.Name,
		IgnoreChanges: r.IgnoreChanges,
		FromManifest:  r.FromManifest,
		FromOutputs:   r.FromOutputs,
	}
	group, version, kind, ok := ParseTypeToken(r.Type)
	if !ok {
		return o
	}
	o.Group, o.Version, o.Kind = group, version, kind

	d := decoder{buf: make([]byte, 0, 1024)}
	d.writeMap(r.Properties)
	o.unknown, o.secret = d.unknown, d.secret
	if group == "helm.sh" && kind == "Release" {
		o.releaseNS = stringAt(r.Properties, "namespace")
	}

	if ctor, known := newTyped[group+"/"+version+"/"+kind]; known {
		typed := ctor()
		if err := json.Unmarshal(d.buf, typed); err != nil {
			o.Problem = err.Error()
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				o.Problem = fmt.Sprintf("%s is a JSON %s where the API expects %s", typeErr.Field, typeErr.Value, typeErr.Type)
				o.Typed = typed // best effort: encoding/json skipped only the mistyped field
			}
		} else {
			o.Typed = typed
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
			if labels := md.AsMap().Get("labels"); labels.IsMap() {
				o.Meta.Labels = map[string]string{}
				for k, v := range labels.AsMap().All {
					if v.IsString() {
						o.Meta.Labels[k] = v.AsString()
					}
				}
			}
		}
	}

	o.workload, o.isWorkload = o.computeWorkload()
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
type decoder struct {
	buf     []byte
	path    []byte
	unknown []string
	secret  []string
}

func (d *decoder) mark(v property.Value) {
	if v.Secret() {
		d.secret = append(d.secret, string(d.path))
	}
	if v.IsComputed() {
		d.unknown = append(d.unknown, string(d.path))
	}
}

func (d *decoder) writeMap(m property.Map) {
	d.buf = append(d.buf, '{')
	first := true
	for k, v := range m.All {
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
		if !letter && (i == 0 || !(c == '-' || (c >= '0' && c <= '9'))) {
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

// isPrefixPath reports whether prefix is path itself or one of its ancestors.
func isPrefixPath(prefix, path string) bool {
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	if len(path) == len(prefix) || prefix == "" {
		return true
	}
	c := path[len(prefix)]
	return c == '.' || c == '['
}

// Unknown reports whether the value at path was unknown during preview: the value itself or one of
// its ancestors was computed, so whether it is set (and to what) cannot be told yet.
func (o *Object) Unknown(path string) bool {
	for _, u := range o.unknown {
		if isPrefixPath(u, path) {
			return true
		}
	}
	return false
}

// UnknownWithin reports whether anything at or below path (or an ancestor) was unknown.
func (o *Object) UnknownWithin(path string) bool {
	for _, u := range o.unknown {
		if isPrefixPath(u, path) || isPrefixPath(path, u) {
			return true
		}
	}
	return false
}

// UnknownPaths lists the paths that were unknown during preview.
func (o *Object) UnknownPaths() []string { return append([]string(nil), o.unknown...) }

// IsSecret reports whether the value at path, or one of its ancestors, is a Pulumi secret.
func (o *Object) IsSecret(path string) bool {
	for _, s := range o.secret {
		if isPrefixPath(s, path) {
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

// Subject names the object the way messages do: `Deployment "api"`.
func (o *Object) Subject() string {
	kind := o.Kind
	if kind == "" {
		kind = o.Type
	}
	return fmt.Sprintf("%s %q", kind, o.Name)
}
