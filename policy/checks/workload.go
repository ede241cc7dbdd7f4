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

// Workload is the pod-running view of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
// CronJob or bare Pod.
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

// computeWorkload builds the pod-running view once, when the object is decoded.
func (o *Object) computeWorkload() (Workload, bool) {
	switch t := o.Typed.(type) {
	case *appsv1.Deployment:
		return templateWorkload(&t.Spec.Template, "spec.template", t.Spec.Replicas, true), true
	case *appsv1.StatefulSet:
		return templateWorkload(&t.Spec.Template, "spec.template", t.Spec.Replicas, true), true
	case *appsv1.ReplicaSet:
		return templateWorkload(&t.Spec.Template, "spec.template", t.Spec.Replicas, true), true
	case *appsv1.DaemonSet:
		return templateWorkload(&t.Spec.Template, "spec.template", nil, false), true
	case *batchv1.Job:
		w := templateWorkload(&t.Spec.Template, "spec.template", nil, false)
		w.LongRunning = false
		return w, true
	case *batchv1.CronJob:
		w := templateWorkload(&t.Spec.JobTemplate.Spec.Template, "spec.jobTemplate.spec.template", nil, false)
		w.LongRunning = false
		return w, true
	case *corev1.Pod:
		return Workload{
			Spec: &t.Spec, SpecPath: "spec",
			Labels: t.Labels, LabelsPath: "metadata.labels",
			LongRunning: true,
		}, true
	}
	return Workload{}, false
}

func templateWorkload(tpl *corev1.PodTemplateSpec, path string, replicas *int32, scalable bool) Workload {
	w := Workload{
		Spec: &tpl.Spec, SpecPath: path + ".spec",
		Labels: tpl.Labels, LabelsPath: path + ".metadata.labels",
		LongRunning: true, Scalable: scalable,
	}
	if scalable {
		w.Replicas, w.ReplicasPath = replicas, "spec.replicas"
	}
	return w
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
