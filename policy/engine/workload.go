package engine

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	kjson "sigs.k8s.io/json"
)

// Workload is the pod-running view of an object of one of the podBearingKinds.
type Workload struct {
	// Spec is the pod spec and SpecPath its field path ("spec.template.spec" for a Deployment).
	Spec     *corev1.PodSpec
	SpecPath string
	// Labels are the pod (template) labels; LabelsPath their field path.
	Labels     map[string]string
	LabelsPath string
	// Annotations are the pod (template) annotations (Pod Security reads AppArmor's older ones);
	// AnnotationsPath their field path.
	Annotations     map[string]string
	AnnotationsPath string
	// Replicas is spec.replicas for Deployments, StatefulSets, ReplicaSets and ReplicationControllers
	// (nil when unset).
	Replicas     *int32
	ReplicasPath string
	// Scalable is true for kinds with spec.replicas.
	Scalable bool
	// LongRunning is false for pods that run to completion: Jobs, CronJobs and custom kinds whose
	// template is a job's.
	LongRunning bool
}

// Workload returns the object's pod-running view, or false for other kinds.
func (o *Object) Workload() (Workload, bool) {
	return o.workload, o.isWorkload
}

// Views returns the object once per pod template it carries, each view's Workload being that
// template, so every check judges every template of a custom kind that holds an array of them; for
// any other object, the object itself.
func (o *Object) Views() []*Object {
	out := []*Object{o}
	for _, w := range o.moreWorkloads {
		view := *o
		view.workload, view.moreWorkloads = w, nil
		out = append(out, &view)
	}
	return out
}

// podBearingKind is a kind that runs pods: whether it has spec.replicas, and how to find its pod
// template in the typed object.
type podBearingKind struct {
	kind     string
	scalable bool
	view     func(typed any) (Workload, bool)
}

// podBearingKinds is the one list of kinds that run pods: Object.Workload, Stack.Workloads, the
// policies whose Kinds hold PodBearing and the checks of scaled workloads all read it, so a new
// pod-bearing kind is one entry here.
var podBearingKinds = []podBearingKind{
	{"Deployment", true, viewOf(func(t *appsv1.Deployment) Workload {
		return templateWorkload(&t.Spec.Template, "spec.template", t.Spec.Replicas)
	})},
	{"StatefulSet", true, viewOf(func(t *appsv1.StatefulSet) Workload {
		return templateWorkload(&t.Spec.Template, "spec.template", t.Spec.Replicas)
	})},
	{"DaemonSet", false, viewOf(func(t *appsv1.DaemonSet) Workload {
		return templateWorkload(&t.Spec.Template, "spec.template", nil)
	})},
	{"ReplicaSet", true, viewOf(func(t *appsv1.ReplicaSet) Workload {
		return templateWorkload(&t.Spec.Template, "spec.template", t.Spec.Replicas)
	})},
	{"ReplicationController", true, viewOf(func(t *corev1.ReplicationController) Workload {
		if t.Spec.Template == nil {
			t.Spec.Template = &corev1.PodTemplateSpec{}
		}
		return templateWorkload(t.Spec.Template, "spec.template", t.Spec.Replicas)
	})},
	{"Job", false, viewOf(func(t *batchv1.Job) Workload {
		return runToCompletion(templateWorkload(&t.Spec.Template, "spec.template", nil))
	})},
	{"CronJob", false, viewOf(func(t *batchv1.CronJob) Workload {
		return runToCompletion(templateWorkload(&t.Spec.JobTemplate.Spec.Template, "spec.jobTemplate.spec.template", nil))
	})},
	{"Pod", false, viewOf(func(t *corev1.Pod) Workload {
		return Workload{Spec: &t.Spec, SpecPath: "spec", Labels: t.Labels, LabelsPath: "metadata.labels",
			Annotations: t.Annotations, AnnotationsPath: "metadata.annotations", LongRunning: true}
	})},
}

// PodBearingKindNames returns the names of podBearingKinds, in their order; scalableOnly keeps
// those with spec.replicas.
func PodBearingKindNames(scalableOnly bool) []string {
	var names []string
	for _, k := range podBearingKinds {
		if k.scalable || !scalableOnly {
			names = append(names, k.kind)
		}
	}
	return names
}

// viewOf adapts a typed pod-template reader to the typed objects of any kind.
func viewOf[T any](view func(T) Workload) func(typed any) (Workload, bool) {
	return func(typed any) (Workload, bool) {
		t, ok := typed.(T)
		if !ok {
			return Workload{}, false
		}
		return view(t), true
	}
}

// runToCompletion marks a workload whose pods run to completion (Jobs, CronJobs).
func runToCompletion(w Workload) Workload {
	w.LongRunning = false
	return w
}

// computeWorkload builds the pod-running view once, when the object is decoded.
func (o *Object) computeWorkload() (Workload, bool) {
	for _, k := range podBearingKinds {
		if k.kind != o.Kind {
			continue
		}
		w, ok := k.view(o.Typed)
		if ok && k.scalable {
			w.Scalable, w.ReplicasPath = true, "spec.replicas"
		}
		return w, ok
	}
	return Workload{}, false
}

func templateWorkload(tpl *corev1.PodTemplateSpec, path string, replicas *int32) Workload {
	return Workload{
		Spec: &tpl.Spec, SpecPath: path + ".spec",
		Labels: tpl.Labels, LabelsPath: path + ".metadata.labels",
		Annotations: tpl.Annotations, AnnotationsPath: path + ".metadata.annotations",
		Replicas: replicas, LongRunning: true,
	}
}

// ContainerRef is one container of a workload with its field path.
type ContainerRef struct {
	C    *corev1.Container
	Path string
	// Init marks an entry of initContainers; Sidecar one of those that keeps running beside the app
	// (restartPolicy: Always, a native sidecar).
	Init, Sidecar bool
	// Ephemeral marks an ephemeral (debug) container, which may set no ports, probes or resources.
	Ephemeral bool
}

// Containers lists the workload's containers. Without includeInit: the long-running ones, native
// sidecars first, then the app containers. With includeInit: every container, in the order the
// kubelet starts them: init containers (sidecars among them), app containers, ephemeral containers.
func (w Workload) Containers(includeInit bool) []ContainerRef {
	var out []ContainerRef
	for i := range w.Spec.InitContainers {
		c := &w.Spec.InitContainers[i]
		sidecar := c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		if includeInit || sidecar {
			out = append(out, ContainerRef{C: c, Path: JoinIndex(w.SpecPath+".initContainers", i), Init: true, Sidecar: sidecar})
		}
	}
	for i := range w.Spec.Containers {
		out = append(out, ContainerRef{C: &w.Spec.Containers[i], Path: JoinIndex(w.SpecPath+".containers", i)})
	}
	if includeInit {
		for i := range w.Spec.EphemeralContainers {
			c := corev1.Container(w.Spec.EphemeralContainers[i].EphemeralContainerCommon)
			out = append(out, ContainerRef{C: &c, Path: JoinIndex(w.SpecPath+".ephemeralContainers", i), Ephemeral: true})
		}
	}
	return out
}

// ContainerSubject names a container in messages: `Deployment "api" container "api"` (or
// `init container "migrate"`, `sidecar container "proxy"`, `ephemeral container "debug"`).
func ContainerSubject(o *Object, c ContainerRef) string {
	what := "container"
	switch {
	case c.Sidecar:
		what = "sidecar container"
	case c.Init:
		what = "init container"
	case c.Ephemeral:
		what = "ephemeral container"
	}
	name := c.C.Name
	if name == "" {
		name = c.Path[strings.LastIndex(c.Path, ".")+1:]
	}
	return fmt.Sprintf("%s %s %q", o.Subject(), what, name)
}

// ForContainers runs fn on every container that is known, and reports a "cannot decide" result for
// container lists or entries that were unknown during preview.
func ForContainers(o *Object, w Workload, includeInit bool, fn func(c ContainerRef) []Result) []Result {
	var out []Result
	lists := []string{w.SpecPath + ".containers", w.SpecPath + ".initContainers"}
	if includeInit {
		lists = append(lists, w.SpecPath+".ephemeralContainers")
	}
	for _, l := range lists {
		if o.Unknown(l) {
			out = append(out, Undecided(o, o.Subject(), l))
		}
	}
	for _, c := range w.Containers(includeInit) {
		if o.Unknown(c.Path) {
			out = append(out, Undecided(o, o.Subject(), c.Path))
			continue
		}
		out = append(out, fn(c)...)
	}
	return out
}

// defaultPodTemplatePaths are where custom resources usually carry a pod template (Argo Rollouts,
// OpenKruise CloneSets, …; a job's template for CronJob-like kinds).
var defaultPodTemplatePaths = []string{"spec.template", "spec.jobTemplate.spec.template"}

// findPodTemplate makes a custom resource that carries pod templates a workload: at the path
// configured for its group/Kind ("group/Kind=path" entries; "[]" after a key makes it an array of
// templates, or of objects holding one, each a workload of its own), else at a default path holding
// an object with spec.containers. A template is read case-sensitively; its other fields are the
// custom resource's business (its schema, not the pod's, decides what it accepts).
func (o *Object) findPodTemplate(props property.Map, configured []string) {
	paths, explicit := defaultPodTemplatePaths, false
	for _, entry := range configured {
		if gk, path, _ := strings.Cut(entry, "="); gk == o.Group+"/"+o.Kind {
			paths, explicit = []string{path}, true
			break
		}
	}
	for _, path := range paths {
		var found []Workload
		for _, t := range valuesAt(props, path) {
			if !explicit && !looksLikePodTemplate(t.value) {
				continue
			}
			tpl := &corev1.PodTemplateSpec{}
			if !t.value.IsComputed() {
				d := decoder{}
				d.writeValue(t.value)
				if o.readError(tpl, kjson.UnmarshalCaseSensitivePreserveInts(d.buf, tpl)) == nil {
					o.Problem = t.path + ": " + o.Problem
					return
				}
			}
			w := templateWorkload(tpl, t.path, nil)
			if strings.Contains(path, "jobTemplate") || strings.HasSuffix(o.Kind, "Job") {
				w = runToCompletion(w)
			}
			found = append(found, w)
		}
		if len(found) > 0 {
			o.workload, o.isWorkload, o.moreWorkloads = found[0], true, found[1:]
			return
		}
	}
}

// templateAt is a value found at a template path, with its concrete path ("[]" made an index).
type templateAt struct {
	path  string
	value property.Value
}

// valuesAt returns the values at a dotted path of map keys, where a key followed by "[]" is an array
// whose every element continues the path. An array not known yet stands for one element, whose
// values are then not known either.
func valuesAt(m property.Map, path string) []templateAt {
	found := []templateAt{{"", property.New(m)}}
	for _, key := range strings.Split(path, ".") {
		key, each := strings.CutSuffix(key, "[]")
		var next []templateAt
		for _, f := range found {
			at := key
			if f.path != "" {
				at = f.path + "." + key
			}
			if f.value.IsComputed() {
				next = append(next, templateAt{at, f.value})
				continue
			}
			if !f.value.IsMap() {
				continue
			}
			v, ok := f.value.AsMap().GetOk(key)
			switch {
			case !ok:
			case !each:
				next = append(next, templateAt{at, v})
			case v.IsComputed():
				next = append(next, templateAt{JoinIndex(at, 0), v})
			case v.IsArray():
				for i, e := range v.AsArray().AsSlice() {
					next = append(next, templateAt{JoinIndex(at, i), e})
				}
			}
		}
		found = next
	}
	return found
}

// looksLikePodTemplate reports whether v is an object whose spec has containers.
func looksLikePodTemplate(v property.Value) bool {
	if !v.IsMap() {
		return false
	}
	spec := v.AsMap().Get("spec")
	if !spec.IsMap() {
		return false
	}
	_, ok := spec.AsMap().GetOk("containers")
	return ok
}

// HPA is the version-neutral view of an autoscaling/v1 or autoscaling/v2 HorizontalPodAutoscaler.
type HPA struct {
	Target      autoscalingv2.CrossVersionObjectReference
	MinReplicas *int32
	MaxReplicas int32
}

// HPA returns the object's autoscaler view, or false for other kinds.
func (o *Object) HPA() (HPA, bool) {
	switch t := o.Typed.(type) {
	case *autoscalingv2.HorizontalPodAutoscaler:
		return HPA{t.Spec.ScaleTargetRef, t.Spec.MinReplicas, t.Spec.MaxReplicas}, true
	case *autoscalingv1.HorizontalPodAutoscaler:
		ref := autoscalingv2.CrossVersionObjectReference{
			Kind: t.Spec.ScaleTargetRef.Kind, Name: t.Spec.ScaleTargetRef.Name, APIVersion: t.Spec.ScaleTargetRef.APIVersion,
		}
		return HPA{ref, t.Spec.MinReplicas, t.Spec.MaxReplicas}, true
	case *ScaledObject:
		h := t.hpa()
		if o.Unknown("spec.minReplicaCount") {
			h.MinReplicas = nil
		}
		return h, true
	}
	return HPA{}, false
}
