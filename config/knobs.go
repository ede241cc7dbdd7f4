package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	sigsjson "sigs.k8s.io/json"
)

// PodOptions are the per-workload options every chart offers, applied through the one workload
// builder; the zero value changes nothing.
type PodOptions struct {
	// Env adds literal variables to the containers' environment (credentials come from Secrets through
	// envFrom); names the platform sets are refused.
	Env map[string]string `json:"env"`
	// EnvFrom adds every key of ConfigMaps or Secrets, each entry {configMap: name} or {secret: name},
	// before the platform's own variables, which win.
	EnvFrom []EnvFromRef `json:"envFrom"`
	// NodeSelector places the pods on nodes with these labels.
	NodeSelector map[string]string `json:"nodeSelector"`
	// Tolerations are the pods' tolerations, in Kubernetes's own shape (decoded strictly: an unknown
	// field is refused).
	Tolerations []map[string]any `json:"tolerations"`
	// Affinity is the pods' affinity, in Kubernetes's own shape (decoded strictly).
	Affinity map[string]any `json:"affinity"`
	// TopologySpread replaces the default spread over nodes and zones, in Kubernetes's own shape
	// (decoded strictly); a constraint without labelSelector counts the workload's own pods.
	TopologySpread []map[string]any `json:"topologySpread"`
	// PriorityClassName is the pods' PriorityClass.
	PriorityClassName string `json:"priorityClassName"`
	// ImagePullSecrets name Secrets of the namespace that pull the images.
	ImagePullSecrets []string `json:"imagePullSecrets"`
	// Annotations go on the pod template; the platform's own (checksum/, pulumi.com/…) and those that
	// loosen confinement (AppArmor, seccomp) are refused.
	Annotations map[string]string `json:"annotations"`
	// Labels go on the pod template; the platform's own app.kubernetes.io labels are refused.
	Labels map[string]string `json:"labels"`
	// ServiceAccountAnnotations give the workload a ServiceAccount of its own, named after it and
	// without an API token, with these annotations (cloud workload identity).
	ServiceAccountAnnotations map[string]string `json:"serviceAccountAnnotations"`
	// Volumes are extra pod volumes, in Kubernetes's own shape (decoded strictly): one source each, of
	// the types Pod Security "restricted" allows, named apart from the platform's volumes.
	Volumes []map[string]any `json:"volumes"`
	// VolumeMounts mount entries of volumes into the workload's main container, in Kubernetes's own
	// shape (decoded strictly), at paths apart from those the platform mounts.
	VolumeMounts []map[string]any `json:"volumeMounts"`
	// Sidecars are extra containers, in Kubernetes's own shape (decoded strictly), run as native
	// sidecars before the platform's init containers with the platform's restricted security context;
	// each sets resources and liveness and readiness probes.
	Sidecars []map[string]any `json:"sidecars"`
}

// EnvFromRef adds every key of a ConfigMap or a Secret to the environment.
type EnvFromRef struct {
	ConfigMap string `json:"configMap"`
	Secret    string `json:"secret"`
}

// Placement is the scheduling part of PodOptions decoded into the Kubernetes API's own types: only
// fields those types have can be set, so no placement option reaches the pod's security settings.
type Placement struct {
	Tolerations    []corev1.Toleration
	Affinity       *corev1.Affinity
	TopologySpread []corev1.TopologySpreadConstraint
}

// Placement decodes tolerations, affinity and topologySpread strictly (an unknown or misspelt field is
// an error); each error is keyed and worded by the option's json key (tolerations[0].tolerationSeconds).
func (o PodOptions) Placement() (Placement, map[string]error) {
	var p Placement
	errs := map[string]error{}
	if o.Tolerations != nil {
		if err := decodeAPI("tolerations", o.Tolerations, &p.Tolerations); err != nil {
			errs["tolerations"] = err
		}
	}
	if o.Affinity != nil {
		p.Affinity = &corev1.Affinity{}
		if err := decodeAPI("affinity", o.Affinity, p.Affinity); err != nil {
			errs["affinity"] = err
		}
	}
	if o.TopologySpread != nil {
		if err := decodeAPI("topologySpread", o.TopologySpread, &p.TopologySpread); err != nil {
			errs["topologySpread"] = err
		}
	}
	return p, errs
}

// decodeAPI decodes a stack file's JSON value, the option key, into a Kubernetes API type as the API
// server does: case-sensitive, refusing unknown and duplicate fields. A value that does not fit the
// type is a decodeProblems naming each bad field from key.
func decodeAPI(key string, value, target any) error {
	if problems := checkValue(key, value, reflect.TypeOf(target).Elem()); len(problems) > 0 {
		return problems
	}
	raw, err := json.Marshal(value)
	if err != nil {
		return err
	}
	strict, err := sigsjson.UnmarshalStrict(raw, target)
	if err != nil {
		return fmt.Errorf("%s: %s", key, strings.TrimPrefix(err.Error(), "json: "))
	}
	if len(strict) > 0 {
		msgs := make([]string, len(strict))
		for i, e := range strict {
			msgs[i] = strings.TrimPrefix(e.Error(), "json: ")
		}
		return fmt.Errorf("%s: %s", key, strings.Join(msgs, "; "))
	}
	return nil
}

// PlatformEnv are the environment variables the platform sets in its containers: the settings of
// jd-jones-config, the credentials, and each image's own. A workload's env may not set them.
var PlatformEnv = []string{
	// jd-jones-config.
	"ENVIRONMENT", "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB", "POSTGRES_USER", "REDIS_HOST", "REDIS_PORT",
	"CHROMA_HOST", "CHROMA_PORT", "LLM_PROVIDER", "LLM_MODEL", "EMBEDDING_MODEL", "LLM_BASE_URL",
	"MODEL_CACHE_DIR", "UPLOADS_DIR", "REDIS_SCHEME", "PGSSLMODE", "PGSSLROOTCERT", "REDIS_SSL_CERT_REQS", "REDIS_SSL_CA_CERTS",
	// Credentials, through secretKeyRef.
	"POSTGRES_PASSWORD", "REDIS_PASSWORD", "JWT_SECRET", "LLM_API_KEY", "CHROMA_TOKEN",
	"PGPASSWORD", "DATA_SOURCE_PASS", "REDISCLI_AUTH", "GF_SECURITY_ADMIN_PASSWORD",
	// The applications'.
	"METRICS_PORT", "API_PUBLIC_URL", "API_INTERNAL_URL", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGCONNECT_TIMEOUT",
	// The data services', monitoring's and the snapshot job's.
	"PGDATA", "DATA_SOURCE_URI", "DATA_SOURCE_USER", "REDIS_ADDR", "REDIS_EXPORTER_CHECK_SINGLE_KEYS",
	"CHROMA_LISTEN_ADDRESS", "CHROMA_PERSIST_PATH", "ANONYMIZED_TELEMETRY",
	"GF_SECURITY_ADMIN_USER", "GF_PATHS_DATA", "GF_USERS_ALLOW_SIGN_UP", "GF_ANALYTICS_REPORTING_ENABLED", "GF_ANALYTICS_CHECK_FOR_UPDATES",
	"GF_LOG_MODE",
	"POD_NAME", "POD_IP", "CLAIMS", "CLASS", "KEEP",
}

// reservedLabels are the platform's own pod labels; the first two select the pods.
var reservedLabels = []string{
	"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
	"app.kubernetes.io/part-of", "app.kubernetes.io/managed-by", "app.kubernetes.io/version",
}

// reservedAnnotationPrefixes are pod annotations the platform writes (rollout checksums, Reloader) or
// that loosen a container's confinement (AppArmor and the legacy seccomp annotations).
var reservedAnnotationPrefixes = []string{
	"checksum/", "secret.reloader.stakater.com/", "pulumi.com/",
	"container.apparmor.security.beta.kubernetes.io/", "seccomp.security.alpha.kubernetes.io/", "container.seccomp.security.alpha.kubernetes.io/",
}

// WorkloadPod is the pod options under workloads.<key>.pod.
func (c *Config) WorkloadPod(key string) (PodOptions, error) {
	for _, w := range c.podOptionsOf() {
		if w.key == key {
			return *w.value, nil
		}
	}
	return PodOptions{}, fmt.Errorf("no config key %s.%s", c.keyOf(&c.Workloads), key)
}

// sidecarWorkloads are sizes of containers that run in another workload's pod, with the key of that pod.
var sidecarWorkloads = map[string]string{"postgresExporter": "postgres", "redisExporter": "redis"}

// podOptionsOf lists every workload's pod options with its workload key, sorted by key.
func (c *Config) podOptionsOf() []keyed[PodOptions] {
	var out []keyed[PodOptions]
	for _, a := range fieldsOf[Autoscaled](&c.Workloads) {
		out = append(out, keyed[PodOptions]{a.key, &a.value.Pod})
	}
	for _, r := range fieldsOf[Replicated](&c.Workloads) {
		out = append(out, keyed[PodOptions]{r.key, &r.value.Pod})
	}
	for _, s := range fieldsOf[Single](&c.Workloads) {
		out = append(out, keyed[PodOptions]{s.key, &s.value.Pod})
	}
	slices.SortFunc(out, func(a, b keyed[PodOptions]) int { return strings.Compare(a.key, b.key) })
	return out
}

// validatePodOptions checks every workload's pod options, naming each bad one's key.
func (c *Config) validatePodOptions(v *validator) {
	for _, w := range c.podOptionsOf() {
		o := w.value
		if pod, ok := sidecarWorkloads[w.key]; ok && !isZero(o) {
			v.fail(c.keyOf(o), nil, "is a container of the %s pod: set %s.%s.pod instead", pod, c.keyOf(&c.Workloads), pod)
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(o.Env)) {
			key := c.keyOf(&o.Env) + "." + name
			switch {
			case len(validation.IsCIdentifier(name)) > 0:
				v.fail(key, o.Env[name], "must be named by a C identifier (letters, digits and _, not starting with a digit)")
			case slices.Contains(PlatformEnv, name):
				v.fail(key, o.Env[name], "is set by the platform (its settings, credentials or the image's own); it cannot be overridden")
			}
		}
		for i := range o.EnvFrom {
			ref, key := &o.EnvFrom[i], fmt.Sprintf("%s[%d]", c.keyOf(&o.EnvFrom), i)
			name := ref.ConfigMap + ref.Secret
			switch {
			case (ref.ConfigMap == "") == (ref.Secret == ""):
				v.fail(key, nil, "must name exactly one of configMap or secret")
			case len(validation.IsDNS1123Subdomain(name)) > 0:
				v.fail(key, name, "must name a ConfigMap or Secret (a DNS-1123 subdomain)")
			}
		}
		v.labelMap(c.keyOf(&o.NodeSelector), o.NodeSelector, nil)
		v.labelMap(c.keyOf(&o.Labels), o.Labels, reservedLabels)
		v.annotationMap(c.keyOf(&o.Annotations), o.Annotations, reservedAnnotationPrefixes)
		v.annotationMap(c.keyOf(&o.ServiceAccountAnnotations), o.ServiceAccountAnnotations, nil)
		if o.PriorityClassName != "" && len(validation.IsDNS1123Subdomain(o.PriorityClassName)) > 0 {
			v.refuse(&o.PriorityClassName, "must name a PriorityClass (a DNS-1123 subdomain)")
		}
		for i, s := range o.ImagePullSecrets {
			if len(validation.IsDNS1123Subdomain(s)) > 0 {
				v.fail(fmt.Sprintf("%s[%d]", c.keyOf(&o.ImagePullSecrets), i), s, "must name a Secret of the namespace (a DNS-1123 subdomain)")
			}
		}
		placement, errs := o.Placement()
		v.decodeErrors(c.keyOf(o), errs)
		v.placement(c.keyOf(o), placement, errs)
		extras, extraErrs := o.Extras()
		v.decodeErrors(c.keyOf(o), extraErrs)
		v.podExtras(c.keyOf(o), extras, extraErrs)
	}
}

// decodeErrors refuses the options under key (a pod options key) that do not fit their Kubernetes type,
// naming each bad field.
func (v *validator) decodeErrors(key string, errs map[string]error) {
	for _, name := range slices.Sorted(maps.Keys(errs)) {
		var problems decodeProblems
		if !errors.As(errs[name], &problems) {
			v.fail(key+"."+name, nil, "must be Kubernetes's own shape: %s", errs[name])
			continue
		}
		for _, p := range problems.under(key) {
			v.errs = append(v.errs, p.fieldError(false))
		}
	}
}

// placement checks the enumerated fields of decoded tolerations and spread constraints, which
// decoding alone does not.
func (v *validator) placement(key string, p Placement, decodeErrs map[string]error) {
	if decodeErrs["tolerations"] == nil {
		for i, t := range p.Tolerations {
			at := fmt.Sprintf("%s.tolerations[%d]", key, i)
			switch {
			case !slices.Contains([]corev1.TolerationOperator{"", corev1.TolerationOpEqual, corev1.TolerationOpExists}, t.Operator):
				v.fail(at+".operator", string(t.Operator), "must be Equal or Exists")
			case t.Operator == corev1.TolerationOpExists && t.Value != "":
				v.fail(at+".value", t.Value, "must be empty when operator is Exists")
			case t.Key != "" && len(validation.IsQualifiedName(t.Key)) > 0:
				v.fail(at+".key", t.Key, "must be a taint key (a qualified name)")
			case !slices.Contains([]corev1.TaintEffect{"", corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute}, t.Effect):
				v.fail(at+".effect", string(t.Effect), "must be NoSchedule, PreferNoSchedule or NoExecute")
			}
		}
	}
	if decodeErrs["topologySpread"] == nil {
		for i, s := range p.TopologySpread {
			at := fmt.Sprintf("%s.topologySpread[%d]", key, i)
			switch {
			case s.MaxSkew < 1:
				v.fail(at+".maxSkew", s.MaxSkew, "must be at least 1")
			case len(validation.IsQualifiedName(s.TopologyKey)) > 0:
				v.fail(at+".topologyKey", s.TopologyKey, "must be a node label key such as topology.kubernetes.io/zone")
			case s.WhenUnsatisfiable != corev1.DoNotSchedule && s.WhenUnsatisfiable != corev1.ScheduleAnyway:
				v.fail(at+".whenUnsatisfiable", string(s.WhenUnsatisfiable), "must be DoNotSchedule or ScheduleAnyway")
			}
		}
	}
}

// labelMap checks label keys and values as the API server does, refusing the reserved keys.
func (v *validator) labelMap(key string, labels map[string]string, reserved []string) {
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		switch {
		case len(validation.IsQualifiedName(k)) > 0:
			v.fail(key, k, "keys must be qualified names ([prefix/]name: letters, digits, -, _ and ., at most 63 characters)")
		case slices.Contains(reserved, k):
			v.fail(key+"."+k, labels[k], "is the platform's own label (the selector labels name and instance pick the workload's pods); it cannot be set")
		case len(validation.IsValidLabelValue(labels[k])) > 0:
			v.fail(key+"."+k, labels[k], "must be a label value (at most 63 letters, digits, -, _ and ., beginning and ending with a letter or digit)")
		}
	}
}

// maxAnnotationBytes is the API server's limit on an object's annotations together.
const maxAnnotationBytes = 256 * 1024

// annotationMap checks annotation keys as the API server does, refusing reserved prefixes.
func (v *validator) annotationMap(key string, annotations map[string]string, reservedPrefixes []string) {
	size := 0
	for _, k := range slices.Sorted(maps.Keys(annotations)) {
		size += len(k) + len(annotations[k])
		switch {
		case len(validation.IsQualifiedName(strings.ToLower(k))) > 0:
			v.fail(key, k, "keys must be qualified names ([prefix/]name: letters, digits, -, _ and ., at most 63 characters)")
		case slices.ContainsFunc(reservedPrefixes, func(p string) bool { return strings.HasPrefix(k, p) }):
			v.fail(key+"."+k, annotations[k], "is written by the platform or loosens a container's confinement; it cannot be set")
		}
	}
	if size > maxAnnotationBytes {
		v.fail(key, nil, "must total at most 256 KiB")
	}
}

// isZero reports whether options set nothing.
func isZero(o *PodOptions) bool {
	return len(o.Env)+len(o.EnvFrom)+len(o.NodeSelector)+len(o.Tolerations)+len(o.Affinity)+len(o.TopologySpread)+
		len(o.PriorityClassName)+len(o.ImagePullSecrets)+len(o.Annotations)+len(o.Labels)+len(o.ServiceAccountAnnotations)+
		len(o.Volumes)+len(o.VolumeMounts)+len(o.Sidecars) == 0
}
