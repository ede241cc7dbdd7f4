package checks

import (
	"fmt"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psaapi "k8s.io/pod-security-admission/api"
	psa "k8s.io/pod-security-admission/policy"
	"k8s.io/utils/ptr"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// PodSecurityStandards judges every pod template as Pod Security admission will: with the API
// server's own evaluator (k8s.io/pod-security-admission), at the level and version the stacks'
// namespaces enforce, so a pod the namespace would refuse fails the preview instead of an up half-way.
// It is the pack's only judge of the controls Pod Security defines (host namespaces, ports and
// paths, privilege, capabilities, seccomp, AppArmor, SELinux, /proc, sysctls, volume types, running
// as root); the pack's own rules ask only for what Pod Security does not (read-only-root-filesystem).
var PodSecurityStandards = &engine.Policy{
	Name:        "pod-security-standards",
	Description: "Every pod template passes Pod Security admission at the configured level and version, judged by the API server's own checks.",
	Remediation: "change the fields the check names",
	Why: "the namespace's admission refuses such a pod at up time, after other changes applied; the checks are upstream's " +
		"(k8s.io/pod-security-admission/policy, what kube-apiserver runs), not a copy; kube-linter, Polaris, kube-score, Kyverno, Checkov",
	Level:    engine.Mandatory,
	Kinds:    []string{engine.PodBearing},
	Params:   &podSecurityStandardsParams{Level: "restricted", Version: "v1.34"},
	Resource: checkPodSecurityStandards,
}

// podSecurityStandardsParams are the parameters of pod-security-standards: the namespace labels
// pod-security.kubernetes.io/enforce and enforce-version the program sets.
type podSecurityStandardsParams struct {
	Level   string `param:"level" enum:"baseline,restricted" help:"the Pod Security level pod templates are judged at (the namespaces' enforce label)"`
	Version string `param:"version" pattern:"^(latest|v1\\.[0-9]+)$" help:"the Pod Security version they are judged at (the enforce-version label)"`
}

// podSecurityEvaluator is upstream's evaluator of every check, built once per process.
var podSecurityEvaluator = sync.OnceValues(func() (psa.Evaluator, error) {
	return psa.NewEvaluator(psa.DefaultChecks())
})

// podSecurityFixes says which fields to change for each of upstream's forbidden reasons (the
// reasons are constants of k8s.io/pod-security-admission/policy's check_*.go).
var podSecurityFixes = map[string]string{
	"allowPrivilegeEscalation != false": "set securityContext.allowPrivilegeEscalation: false on each container named",
	"forbidden sysctls":                 "remove them from securityContext.sysctls (only the namespaced safe set is allowed)",
	"host namespaces":                   "remove hostNetwork, hostPID and hostIPC",
	"hostPath volumes":                  "use an emptyDir, ConfigMap, Secret or PersistentVolumeClaim volume instead",
	"hostPort":                          "remove hostPort and reach the container through a Service",
	"hostProcess":                       "remove securityContext.windowsOptions.hostProcess",
	"non-default capabilities":          "remove them from securityContext.capabilities.add",
	"privileged":                        "remove securityContext.privileged (or set it to false)",
	"probe or lifecycle host":           "remove the host of the probe or lifecycle handler (it then targets the pod's own address)",
	"procMount":                         "remove securityContext.procMount (or set it to Default)",
	"restricted volume types":           "use configMap, secret, emptyDir, projected, downwardAPI, persistentVolumeClaim, ephemeral, csi or image volumes",
	"runAsNonRoot != true":              "set securityContext.runAsNonRoot: true on the pod or on every container, with a non-zero runAsUser",
	"runAsUser=0":                       "set securityContext.runAsUser to a non-zero UID",
	"seLinuxOptions":                    "remove seLinuxOptions.user and .role, and use a type of container_t, container_init_t, container_kvm_t or container_engine_t",
	"seccompProfile":                    "set securityContext.seccompProfile.type: RuntimeDefault (or Localhost) on the pod or on every container",
	"unrestricted capabilities":         "set securityContext.capabilities.drop: [ALL] on each container named (only NET_BIND_SERVICE may be added)",
	"forbidden AppArmor profile":        "use AppArmor profile type RuntimeDefault or Localhost, or set none",
}

// podSecurityFix returns the fix for an upstream reason (AppArmor's is plural for several profiles).
func podSecurityFix(reason string) string {
	if fix, ok := podSecurityFixes[strings.TrimSuffix(reason, "s")]; ok {
		return fix
	}
	if fix, ok := podSecurityFixes[reason]; ok {
		return fix
	}
	return "change the fields it names"
}

func checkPodSecurityStandards(o *engine.Object, c *engine.Config) []engine.Result {
	w, _ := o.Workload()
	return judgePodSecurity(o, w, c.Params.(*podSecurityStandardsParams).levelVersion(), "")
}

// levelVersion is the level and version pod-security-standards judges at.
func (prm *podSecurityStandardsParams) levelVersion() psaapi.LevelVersion {
	version, err := psaapi.ParseVersion(prm.Version)
	if err != nil {
		panic(fmt.Sprintf("version %q: %v", prm.Version, err)) // the parameter's pattern refuses it first
	}
	return psaapi.LevelVersion{Level: psaapi.Level(prm.Level), Version: version}
}

// judgePodSecurity evaluates a workload's pod at lv with upstream's evaluator and returns a violation
// per failed check, or a note when values not known yet decide. where, when set, says why lv applies
// (the namespace whose labels set it).
func judgePodSecurity(o *engine.Object, w engine.Workload, lv psaapi.LevelVersion, where string) []engine.Result {
	evaluator, err := podSecurityEvaluator()
	if err != nil {
		panic(fmt.Sprintf("the Pod Security evaluator: %v", err)) // reported by policy-could-not-judge
	}
	spec := assumeCompliant(o, w)
	meta := asAdmitted(o, w.SpecPath, spec, &metav1.ObjectMeta{Labels: w.Labels, Annotations: w.Annotations})
	var out []engine.Result
	for _, r := range evaluator.EvaluatePod(lv, meta, spec) {
		if r.Allowed {
			continue
		}
		if r.ForbiddenReason == "restricted volume types" && o.UnknownWithin(w.SpecPath+".volumes") {
			// A volume not known yet decodes with no source, which restricted refuses as "unknown".
			return []engine.Result{engine.Undecided(o, o.Subject(), w.SpecPath+".volumes")}
		}
		out = append(out, engine.Violation(o, o.Subject(),
			fmt.Sprintf("Pod Security %s (%s) forbids %s: %s", lv.Level, lv.Version, r.ForbiddenReason, r.ForbiddenDetail),
			podSecurityFix(r.ForbiddenReason)+", under "+w.SpecPath+where))
	}
	if len(out) == 0 && !o.Patch && o.UnknownWithin(w.SpecPath) {
		// It passes with the values not known yet at their compliant settings: if it fails with
		// them unset, those values decide, once they are known.
		for _, list := range []string{"containers", "initContainers", "ephemeralContainers", "securityContext"} {
			if o.Computed(w.SpecPath + "." + list) {
				return []engine.Result{engine.Undecided(o, o.Subject(), w.SpecPath+"."+list)}
			}
		}
		raw := w.Spec.DeepCopy()
		for _, r := range evaluator.EvaluatePod(lv, asAdmitted(o, w.SpecPath, raw, &metav1.ObjectMeta{Labels: w.Labels, Annotations: w.Annotations}), raw) {
			if !r.Allowed {
				return []engine.Result{engine.Undecided(o, o.Subject(), w.SpecPath)}
			}
		}
	}
	return out
}

// assumeCompliant returns a copy of the workload's pod spec in which every setting that restricted
// requires to be set, and whose value is not known, holds its compliant value: settings computed
// during preview, and in a patch the settings it leaves to the live object. Every other control is
// compliant when unset, so what the evaluator then refuses is refused whatever those values turn
// out to be, and a patch is judged only on what it sets.
func assumeCompliant(o *engine.Object, w engine.Workload) *corev1.PodSpec {
	spec := w.Spec.DeepCopy()
	if spec.SecurityContext == nil {
		spec.SecurityContext = &corev1.PodSecurityContext{}
	}
	podPath := w.SpecPath + ".securityContext"
	if o.Unknown(podPath + ".runAsNonRoot") {
		spec.SecurityContext.RunAsNonRoot = ptr.To(true)
	}
	if o.Unknown(podPath + ".seccompProfile") {
		spec.SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	}
	assume := func(path string, c *corev1.SecurityContext) *corev1.SecurityContext {
		if c == nil {
			c = &corev1.SecurityContext{}
		}
		path += ".securityContext"
		if o.Computed(path+".runAsNonRoot") && c.RunAsNonRoot == nil {
			c.RunAsNonRoot = ptr.To(true)
		}
		if o.Computed(path+".seccompProfile") && c.SeccompProfile == nil {
			c.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
		}
		if o.Unknown(path + ".allowPrivilegeEscalation") {
			c.AllowPrivilegeEscalation = ptr.To(false)
		}
		if o.Unknown(path + ".capabilities.drop") {
			if c.Capabilities == nil {
				c.Capabilities = &corev1.Capabilities{}
			}
			c.Capabilities.Drop = append(c.Capabilities.Drop, "ALL")
		}
		return c
	}
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		c.SecurityContext = assume(engine.JoinIndex(w.SpecPath+".initContainers", i), c.SecurityContext)
	}
	for i := range spec.Containers {
		c := &spec.Containers[i]
		c.SecurityContext = assume(engine.JoinIndex(w.SpecPath+".containers", i), c.SecurityContext)
	}
	for i := range spec.EphemeralContainers {
		c := &spec.EphemeralContainers[i]
		c.SecurityContext = assume(engine.JoinIndex(w.SpecPath+".ephemeralContainers", i), c.SecurityContext)
	}
	return spec
}

// asAdmitted applies to a pod spec, in place, and to a copy of its metadata what the API server does
// to them before Pod Security sees them, and returns the metadata: a volume with no source defaults
// to an emptyDir (unless its source is not known yet), and a Pod being created has each container's AppArmor profile copied between its
// older annotation and its field, whichever is missing (the version skew of AppArmor's move to a
// field; pod templates are stored as written).
func asAdmitted(o *engine.Object, specPath string, spec *corev1.PodSpec, meta *metav1.ObjectMeta) *metav1.ObjectMeta {
	for i := range spec.Volumes {
		if spec.Volumes[i].VolumeSource == (corev1.VolumeSource{}) && !o.UnknownWithin(engine.JoinIndex(specPath+".volumes", i)) {
			spec.Volumes[i].EmptyDir = &corev1.EmptyDirVolumeSource{}
		}
	}
	if o.Kind != "Pod" || o.Patch || spec.OS != nil && spec.OS.Name == corev1.Windows {
		return meta
	}
	meta = meta.DeepCopy()
	var podProfile *corev1.AppArmorProfile
	if spec.SecurityContext != nil {
		podProfile = spec.SecurityContext.AppArmorProfile
	}
	sync := func(name string, sc **corev1.SecurityContext) {
		key := corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix + name
		annotation, annotated := meta.Annotations[key]
		var profile *corev1.AppArmorProfile
		if *sc != nil {
			profile = (*sc).AppArmorProfile
		}
		switch {
		case !annotated:
			if profile == nil {
				profile = podProfile
			}
			if value := appArmorAnnotation(profile); value != "" {
				if meta.Annotations == nil {
					meta.Annotations = map[string]string{}
				}
				meta.Annotations[key] = value
			}
		case profile == nil:
			// Copied only when valid and not the pod's own profile.
			if field := appArmorField(annotation); field != nil && !sameAppArmorProfile(field, podProfile) {
				if *sc == nil {
					*sc = &corev1.SecurityContext{}
				}
				(*sc).AppArmorProfile = field
			}
		}
	}
	for i := range spec.InitContainers {
		sync(spec.InitContainers[i].Name, &spec.InitContainers[i].SecurityContext)
	}
	for i := range spec.Containers {
		sync(spec.Containers[i].Name, &spec.Containers[i].SecurityContext)
	}
	for i := range spec.EphemeralContainers {
		sync(spec.EphemeralContainers[i].Name, &spec.EphemeralContainers[i].SecurityContext)
	}
	return meta
}

// appArmorAnnotation is the older annotation's value for an AppArmor profile ("" for none).
func appArmorAnnotation(p *corev1.AppArmorProfile) string {
	switch {
	case p == nil:
		return ""
	case p.Type == corev1.AppArmorProfileTypeRuntimeDefault:
		return corev1.DeprecatedAppArmorBetaProfileRuntimeDefault
	case p.Type == corev1.AppArmorProfileTypeUnconfined:
		return corev1.DeprecatedAppArmorBetaProfileNameUnconfined
	case p.Type == corev1.AppArmorProfileTypeLocalhost && p.LocalhostProfile != nil:
		return corev1.DeprecatedAppArmorBetaProfileNamePrefix + *p.LocalhostProfile
	}
	return ""
}

// appArmorField is the AppArmor profile an older annotation's value names, nil when it names none
// validly.
func appArmorField(annotation string) *corev1.AppArmorProfile {
	switch {
	case annotation == corev1.DeprecatedAppArmorBetaProfileRuntimeDefault:
		return &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault}
	case annotation == corev1.DeprecatedAppArmorBetaProfileNameUnconfined:
		return &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
	case strings.HasPrefix(annotation, corev1.DeprecatedAppArmorBetaProfileNamePrefix):
		if name := strings.TrimPrefix(annotation, corev1.DeprecatedAppArmorBetaProfileNamePrefix); strings.TrimSpace(name) != "" {
			return &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: &name}
		}
	}
	return nil
}

// sameAppArmorProfile reports whether two AppArmor profiles, either nil, are the same.
func sameAppArmorProfile(a, b *corev1.AppArmorProfile) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Type == b.Type && ptr.Deref(a.LocalhostProfile, "") == ptr.Deref(b.LocalhostProfile, "")
}
