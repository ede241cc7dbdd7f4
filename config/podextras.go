package config

import (
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Pod volumes, mounts and sidecars (workloads.<name>.pod.volumes, volumeMounts and sidecars) are written
// in Kubernetes's own shape and decoded strictly into its types, then checked here against what the
// platform owns (its volumes, mount paths, containers, claims and Secrets) and what the policy pack
// requires of a container, so that a stack the program accepts is one the pack passes.

// PlatformVolumes are the volume names the platform's pod templates use, its claim templates' included;
// a test renders the stacks and fails when a pod uses a name missing here.
var PlatformVolumes = []string{
	"tmp", "config", "rules", "data", "datasources", "providers", "dashboards", "init", "run", "script", "receivers",
	"model-cache", "uploads-data", "redis-config", "chroma-proxy", "postgres-ca", "redis-ca", "chromadb-ca", "otlp-collector-ca",
	"postgres-data", "redis-data", "chroma-data", "prometheus-data", "alertmanager-data",
}

// PlatformMountPaths are the paths the platform mounts into its containers; a test renders the stacks
// and fails when a container mounts a path that is none of these nor under one.
var PlatformMountPaths = []string{
	"/tmp", "/models", "/uploads", "/data", "/scripts", "/alertmanager", "/prometheus",
	"/etc/alertmanager", "/etc/alertmanager-receivers", "/etc/chroma-proxy", "/etc/prometheus", "/etc/prometheus-rules",
	"/etc/redis", "/etc/jd-jones/tls", "/etc/grafana/provisioning/dashboards", "/etc/grafana/provisioning/datasources",
	"/var/lib/grafana", "/var/lib/postgresql/data", "/var/run/postgresql", "/docker-entrypoint-initdb.d",
}

// PlatformContainers are the container names of the platform's pods (init containers included); a test
// renders the stacks and fails when a pod has a container missing here.
var PlatformContainers = []string{
	"api", "celery-worker", "celery-beat", "external-portal", "internal-portal", "db-migrate", "enable-pgvector",
	"postgres", "postgres-exporter", "redis", "redis-exporter", "chromadb", "chroma-proxy",
	"prometheus", "alertmanager", "grafana", "volume-snapshots",
}

// PlatformPorts are the container port names of the platform's pods; a sidecar's port takes another
// name, so that a Service or probe naming a port finds the platform's. A test keeps the list whole.
var PlatformPorts = []string{"http", "metrics", "cluster", "postgres", "redis"}

// PlatformClaims are the PersistentVolumeClaims the platform creates, which hold its data; a test
// renders the stacks and fails when a claim is missing here.
var PlatformClaims = []string{"model-cache", "uploads-data"}

// PlatformClaimTemplates are the claim templates of the platform's StatefulSets, whose claims are named
// <template>-<statefulset>-<ordinal> and hold its data too; the same test keeps the list whole.
var PlatformClaimTemplates = []string{"postgres-data", "redis-data", "chroma-data", "prometheus-data", "alertmanager-data"}

// PlatformSecrets are the Secrets the platform writes or has written (by External Secrets); they hold its
// credentials. A test renders the stacks and fails when a Secret is missing here.
var PlatformSecrets = []string{"jd-jones-secrets", "chroma-token", "chroma-proxy", "redis-config", "alertmanager-receivers"}

// restrictedVolumeTypes are the volume sources Pod Security "restricted" allows, in its order.
var restrictedVolumeTypes = []string{"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}

// PodExtras are the volumes, mounts and sidecars of PodOptions decoded into the Kubernetes API's types.
type PodExtras struct {
	Volumes      []corev1.Volume
	VolumeMounts []corev1.VolumeMount
	Sidecars     []corev1.Container
}

// Extras decodes volumes, volumeMounts and sidecars strictly, as Placement decodes its options; each
// error is keyed by the option's json key.
func (o PodOptions) Extras() (PodExtras, map[string]error) {
	var e PodExtras
	errs := map[string]error{}
	if o.Volumes != nil {
		if err := decodeAPI("volumes", o.Volumes, &e.Volumes); err != nil {
			errs["volumes"] = err
		}
	}
	if o.VolumeMounts != nil {
		if err := decodeAPI("volumeMounts", o.VolumeMounts, &e.VolumeMounts); err != nil {
			errs["volumeMounts"] = err
		}
	}
	if o.Sidecars != nil {
		if err := decodeAPI("sidecars", o.Sidecars, &e.Sidecars); err != nil {
			errs["sidecars"] = err
		}
	}
	return e, errs
}

// volumeSources are the json names of the volume sources a volume sets.
func volumeSources(v corev1.Volume) []string {
	var out []string
	src := reflect.ValueOf(v.VolumeSource)
	for i := range src.NumField() {
		if src.Field(i).Kind() == reflect.Pointer && !src.Field(i).IsNil() {
			name, _, _ := strings.Cut(src.Type().Field(i).Tag.Get("json"), ",")
			out = append(out, name)
		}
	}
	return out
}

// platformClaim reports whether a claim name is one of the platform's claims.
func platformClaim(name string) bool {
	return slices.Contains(PlatformClaims, name) || slices.ContainsFunc(PlatformClaimTemplates, func(t string) bool {
		return strings.HasPrefix(name, t+"-")
	})
}

// podExtras checks decoded volumes, mounts and sidecars of the pod options at key (workloads.api.pod).
func (v *validator) podExtras(key string, e PodExtras, decodeErrs map[string]error) {
	volumes := map[string]bool{}
	if decodeErrs["volumes"] == nil {
		for i, vol := range e.Volumes {
			at := fmt.Sprintf("%s.volumes[%d]", key, i)
			v.podVolume(at, vol, volumes)
			volumes[vol.Name] = true
		}
	}
	if decodeErrs["volumeMounts"] == nil {
		paths := map[string]bool{}
		for i, m := range e.VolumeMounts {
			at := fmt.Sprintf("%s.volumeMounts[%d]", key, i)
			v.volumeMount(at, key, m, volumes, true)
			if paths[m.MountPath] {
				v.fail(at+".mountPath", m.MountPath, "is mounted twice; each mount takes a path of its own")
			}
			paths[m.MountPath] = true
		}
	}
	if decodeErrs["sidecars"] == nil {
		names, ports := map[string]bool{}, map[string]bool{}
		for i, c := range e.Sidecars {
			at := fmt.Sprintf("%s.sidecars[%d]", key, i)
			v.sidecar(at, key, c, volumes, names, ports)
			names[c.Name] = true
		}
	}
}

// podVolume checks one extra volume; seen are the names of the volumes before it.
func (v *validator) podVolume(at string, vol corev1.Volume, seen map[string]bool) {
	sources := volumeSources(vol)
	switch {
	case len(validation.IsDNS1123Label(vol.Name)) > 0:
		v.fail(at+".name", vol.Name, "must be a DNS-1123 label (lower-case letters, digits and -, at most 63 characters)")
	case seen[vol.Name]:
		v.fail(at+".name", vol.Name, "names two volumes; each volume takes a name of its own")
	case slices.Contains(PlatformVolumes, vol.Name):
		v.fail(at+".name", vol.Name, "is a volume the platform uses in its pods; name it otherwise (the platform's are %s)", strings.Join(PlatformVolumes, ", "))
	case len(sources) == 0:
		v.fail(at, nil, "must set exactly one volume source, of %s; it sets none", strings.Join(restrictedVolumeTypes, ", "))
	case len(sources) > 1:
		v.fail(at, nil, "must set exactly one volume source, of %s; it sets %s", strings.Join(restrictedVolumeTypes, ", "), strings.Join(sources, " and "))
	case !slices.Contains(restrictedVolumeTypes, sources[0]):
		v.fail(at+"."+sources[0], nil, "is a volume type Pod Security \"restricted\" forbids; use one of %s", strings.Join(restrictedVolumeTypes, ", "))
	case vol.PersistentVolumeClaim != nil && platformClaim(vol.PersistentVolumeClaim.ClaimName):
		v.fail(at+".persistentVolumeClaim.claimName", vol.PersistentVolumeClaim.ClaimName, "holds the platform's data; mount a claim of your own")
	case vol.Secret != nil && slices.Contains(PlatformSecrets, vol.Secret.SecretName):
		v.fail(at+".secret.secretName", vol.Secret.SecretName, "holds the platform's credentials; mount a Secret of your own")
	case vol.Projected != nil:
		for j, s := range vol.Projected.Sources {
			if s.Secret != nil && slices.Contains(PlatformSecrets, s.Secret.Name) {
				v.fail(fmt.Sprintf("%s.projected.sources[%d].secret.name", at, j), s.Secret.Name, "holds the platform's credentials; project a Secret of your own")
			}
		}
	}
}

// volumeMount checks one mount of an extra volume; main is true for the workload's main container,
// whose paths may not touch the platform's.
func (v *validator) volumeMount(at, podKey string, m corev1.VolumeMount, volumes map[string]bool, main bool) {
	switch {
	case slices.Contains(PlatformVolumes, m.Name) && !volumes[m.Name]:
		v.fail(at+".name", m.Name, "is a volume of the platform; mount only entries of %s.volumes", podKey)
	case !volumes[m.Name]:
		v.fail(at+".name", m.Name, "must name an entry of %s.volumes", podKey)
	case !path.IsAbs(m.MountPath) || path.Clean(m.MountPath) != m.MountPath || m.MountPath == "/":
		v.fail(at+".mountPath", m.MountPath, "must be an absolute, clean path other than / (such as /etc/app/extra)")
	case main && slices.ContainsFunc(PlatformMountPaths, func(p string) bool { return overlaps(p, m.MountPath) }):
		p := PlatformMountPaths[slices.IndexFunc(PlatformMountPaths, func(p string) bool { return overlaps(p, m.MountPath) })]
		v.fail(at+".mountPath", m.MountPath, "overlaps %s, which the platform mounts; choose a path that is neither it, above it nor under it", p)
	case !relativeInside(m.SubPath):
		v.fail(at+".subPath", m.SubPath, "must be a relative path inside the volume (no leading / and no ..)")
	case !relativeInside(m.SubPathExpr):
		v.fail(at+".subPathExpr", m.SubPathExpr, "must be a relative path inside the volume (no leading / and no ..)")
	case m.MountPropagation != nil && *m.MountPropagation == corev1.MountPropagationBidirectional:
		v.fail(at+".mountPropagation", string(*m.MountPropagation), "must be None or HostToContainer: Bidirectional needs a privileged container")
	}
}

// overlaps reports whether two clean absolute paths are equal or one is under the other.
func overlaps(a, b string) bool {
	return a == b || strings.HasPrefix(b, a+"/") || strings.HasPrefix(a, b+"/")
}

// relativeInside reports whether p is empty or a relative path that stays inside its volume.
func relativeInside(p string) bool {
	return p == "" || (!path.IsAbs(p) && !slices.Contains(strings.Split(p, "/"), ".."))
}

// sidecar checks one sidecar; names and ports are those of the sidecars before it.
func (v *validator) sidecar(at, podKey string, c corev1.Container, volumes, names, ports map[string]bool) {
	switch {
	case len(validation.IsDNS1123Label(c.Name)) > 0:
		v.fail(at+".name", c.Name, "must be a DNS-1123 label (lower-case letters, digits and -, at most 63 characters)")
	case names[c.Name]:
		v.fail(at+".name", c.Name, "names two sidecars; each takes a name of its own")
	case slices.Contains(PlatformContainers, c.Name):
		v.fail(at+".name", c.Name, "is a container name the platform uses; name the sidecar otherwise (the platform's are %s)", strings.Join(PlatformContainers, ", "))
	}
	if problem := ImageProblem(c.Image); problem != "" {
		v.fail(at+".image", c.Image, "%s", problem)
	}
	if c.SecurityContext != nil {
		v.fail(at+".securityContext", nil, "is set by the platform: every sidecar runs with the platform's restricted security context (non-root, no privilege escalation, no capabilities, read-only root filesystem, RuntimeDefault seccomp); remove it")
	}
	if c.RestartPolicy != nil {
		v.fail(at+".restartPolicy", string(*c.RestartPolicy), "is set by the platform: a sidecar runs as a native sidecar (an init container with restartPolicy Always); remove it")
	}
	if c.RestartPolicyRules != nil {
		v.fail(at+".restartPolicyRules", nil, "is set by the platform: a sidecar runs as a native sidecar (an init container with restartPolicy Always); remove it")
	}
	var missing []string
	for _, r := range []struct {
		field string
		list  corev1.ResourceList
	}{{"requests", c.Resources.Requests}, {"limits", c.Resources.Limits}} {
		for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if q, ok := r.list[name]; !ok || q.IsZero() {
				missing = append(missing, "resources."+r.field+"."+string(name))
			}
		}
	}
	if len(missing) > 0 {
		v.fail(at+".resources", nil, "must set %s (nonzero): the policy pack's container-resources policy requires them of every container", strings.Join(missing, ", "))
	}
	var probes []string
	if c.LivenessProbe == nil {
		probes = append(probes, "livenessProbe")
	}
	if c.ReadinessProbe == nil {
		probes = append(probes, "readinessProbe")
	}
	if len(probes) > 0 {
		v.fail(at, nil, "must set %s: the policy pack's workload-probes policy requires a liveness and a readiness probe of every native sidecar", strings.Join(probes, " and "))
	}
	for j, e := range c.Env {
		if len(validation.IsCIdentifier(e.Name)) > 0 {
			v.fail(fmt.Sprintf("%s.env[%d].name", at, j), e.Name, "must be a C identifier (letters, digits and _, not starting with a digit)")
		}
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && slices.Contains(PlatformSecrets, e.ValueFrom.SecretKeyRef.Name) {
			v.fail(fmt.Sprintf("%s.env[%d].valueFrom.secretKeyRef.name", at, j), e.ValueFrom.SecretKeyRef.Name, "holds the platform's credentials; a sidecar reads Secrets of its own")
		}
	}
	for j, e := range c.EnvFrom {
		if e.SecretRef != nil && slices.Contains(PlatformSecrets, e.SecretRef.Name) {
			v.fail(fmt.Sprintf("%s.envFrom[%d].secretRef.name", at, j), e.SecretRef.Name, "holds the platform's credentials; a sidecar reads Secrets of its own")
		}
	}
	for j, m := range c.VolumeMounts {
		v.volumeMount(fmt.Sprintf("%s.volumeMounts[%d]", at, j), podKey, m, volumes, false)
	}
	for j, p := range c.Ports {
		pat := fmt.Sprintf("%s.ports[%d].name", at, j)
		switch {
		case p.Name == "":
			continue
		case len(validation.IsValidPortName(p.Name)) > 0:
			v.fail(pat, p.Name, "must be a port name (at most 15 lower-case letters, digits and -, with a letter)")
		case ports[p.Name] || slices.Contains(PlatformPorts, p.Name):
			v.fail(pat, p.Name, "is a port name already used in the pod (the platform's are %s); name it otherwise", strings.Join(PlatformPorts, ", "))
		}
		ports[p.Name] = true
	}
}
