package checks

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// Workload is the pod-running view of an object of one of the podBearingKinds.
type Workload struct {
	// Spec is the pod spec and SpecPath its field path ("spec.template.spec" for a Deployment).
	Spec     *corev1.PodSpec
	SpecPath string
	// Labels are the pod (template) labels; LabelsPath their field path.
	Labels     map[string]string
	LabelsPath string
	// Replicas is spec.replicas for Deployments, StatefulSets and ReplicaSets (nil when unset).
	Replicas     *int32
	ReplicasPath string
	// Scalable is true for kinds with spec.replicas.
	Scalable bool
	// LongRunning is true for Deployments, StatefulSets, DaemonSets, ReplicaSets and bare Pods.
	LongRunning bool
}

// Workload returns the object's pod-running view, or false for other kinds.
func (o *Object) Workload() (Workload, bool) {
	return o.workload, o.isWorkload
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
	{"Job", false, viewOf(func(t *batchv1.Job) Workload {
		return runToCompletion(templateWorkload(&t.Spec.Template, "spec.template", nil))
	})},
	{"CronJob", false, viewOf(func(t *batchv1.CronJob) Workload {
		return runToCompletion(templateWorkload(&t.Spec.JobTemplate.Spec.Template, "spec.jobTemplate.spec.template", nil))
	})},
	{"Pod", false, viewOf(func(t *corev1.Pod) Workload {
		return Workload{Spec: &t.Spec, SpecPath: "spec", Labels: t.Labels, LabelsPath: "metadata.labels", LongRunning: true}
	})},
}

// podBearingKindNames returns the names of podBearingKinds, in their order; scalableOnly keeps
// those with spec.replicas.
func podBearingKindNames(scalableOnly bool) []string {
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
		Replicas: replicas, LongRunning: true,
	}
}

// ContainerRef is one container of a workload with its field path.
type ContainerRef struct {
	C    *corev1.Container
	Path string
	Init bool
}

// Containers lists the workload's containers (init containers first when includeInit).
func (w Workload) Containers(includeInit bool) []ContainerRef {
	var out []ContainerRef
	if includeInit {
		for i := range w.Spec.InitContainers {
			out = append(out, ContainerRef{&w.Spec.InitContainers[i], JoinIndex(w.SpecPath+".initContainers", i), true})
		}
	}
	for i := range w.Spec.Containers {
		out = append(out, ContainerRef{&w.Spec.Containers[i], JoinIndex(w.SpecPath+".containers", i), false})
	}
	return out
}

// containerSubject names a container in messages: `Deployment "api" container "api"` (or
// `init container "migrate"`).
func containerSubject(o *Object, c ContainerRef) string {
	what := "container"
	if c.Init {
		what = "init container"
	}
	name := c.C.Name
	if name == "" {
		name = c.Path[strings.LastIndex(c.Path, ".")+1:]
	}
	return fmt.Sprintf("%s %s %q", o.Subject(), what, name)
}

// forContainers runs fn on every container that is known, and reports a "cannot decide" result for
// container lists or entries that were unknown during preview.
func forContainers(o *Object, w Workload, includeInit bool, fn func(c ContainerRef) []Result) []Result {
	var out []Result
	lists := []string{w.SpecPath + ".containers"}
	if includeInit {
		lists = append(lists, w.SpecPath+".initContainers")
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

// Image is a parsed container image reference.
type Image struct {
	// Repository is everything before the tag or digest, e.g. "ghcr.io/org/api".
	Repository string
	// Tag and Digest are empty when absent.
	Tag, Digest string
}

// ParseImage splits an image reference such as "registry:5000/org/app:1.2@sha256:..." into parts.
func ParseImage(ref string) Image {
	var img Image
	if at := strings.Index(ref, "@"); at >= 0 {
		img.Digest = ref[at+1:]
		ref = ref[:at]
	}
	lastSlash := strings.LastIndex(ref, "/")
	if colon := strings.LastIndex(ref, ":"); colon > lastSlash {
		img.Tag = ref[colon+1:]
		ref = ref[:colon]
	}
	img.Repository = ref
	return img
}

// Name is the last path segment of the repository: "bitnami/postgresql" -> "postgresql".
func (i Image) Name() string {
	return i.Repository[strings.LastIndex(i.Repository, "/")+1:]
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
	}
	return HPA{}, false
}
