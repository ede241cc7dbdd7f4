package config

import (
	"fmt"
	"regexp"
)

// Autoscaling modes.
const (
	// AutoscaleHPA scales on the pods' CPU and memory utilization through a HorizontalPodAutoscaler.
	AutoscaleHPA = "hpa"
	// AutoscaleKEDA scales the Celery workers on the length of their queues through a KEDA ScaledObject
	// (which owns an HPA of its own).
	AutoscaleKEDA = "keda"
)

// Autoscaling is what an autoscaled workload's size follows.
type Autoscaling struct {
	// Mode is what scales the workload: hpa (CPU and memory utilization) or keda (the Celery queues' length, through a KEDA
	// ScaledObject with the same minReplicas and maxReplicas; only for celeryWorker, and KEDA must run in
	// the cluster).
	Mode string `json:"mode" enum:"hpa,keda"`
	// KEDA configures keda mode.
	KEDA KEDAScaling `json:"keda"`
}

// KEDAScaling is how KEDA scales the Celery workers on the Redis lists of their queues.
type KEDAScaling struct {
	// Queues are the Celery queues the workers consume, each a Redis list KEDA measures (celery is
	// Celery's default queue).
	Queues []string `json:"queues"`
	// ListLength is the number of waiting tasks per worker pod KEDA scales to keep, at least 1.
	ListLength int `json:"listLength"`
	// OperatorNamespace is the namespace of KEDA's operator, which reads Redis: the NetworkPolicies
	// admit its pods to Redis's port and nothing else.
	OperatorNamespace string `json:"operatorNamespace"`
	// OperatorPodLabels are the labels of KEDA's operator pods in operatorNamespace; unset, the kedacore
	// chart's app.kubernetes.io/name: keda-operator (a map set here replaces it).
	OperatorPodLabels map[string]string `json:"operatorPodLabels"`
}

// defaultAutoscaling scales on CPU and memory; keda mode's defaults measure Celery's default queue.
func defaultAutoscaling() Autoscaling {
	return Autoscaling{Mode: AutoscaleHPA, KEDA: KEDAScaling{
		Queues:            []string{"celery"},
		ListLength:        5,
		OperatorNamespace: "keda",
	}}
}

// OperatorPods are the labels of KEDA's operator pods: operatorPodLabels, or the kedacore chart's
// label when unset (a default map would merge with the stack's instead of giving way to it).
func (k KEDAScaling) OperatorPods() map[string]string {
	if len(k.OperatorPodLabels) > 0 {
		return k.OperatorPodLabels
	}
	return map[string]string{"app.kubernetes.io/name": "keda-operator"}
}

// NarrowedEnums are the keys whose shared type's enum tag allows values the key itself refuses: the
// API shares Autoscaled with the Celery workers but only the workers scale on a queue. The generated
// reference and schema list these values for these keys.
var NarrowedEnums = map[string][]string{"workloads.api.autoscaling.mode": {AutoscaleHPA}}

// celeryQueue is a Celery queue name that is also a plain Redis key (no spaces or glob characters).
var celeryQueue = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$`)

// validateAutoscaling checks each autoscaled workload's mode: keda only for the Celery workers, with
// queues to measure, a positive list length and the operator's namespace and pods.
func (c *Config) validateAutoscaling(v *validator) {
	for _, a := range sortedFieldsOf[Autoscaled](&c.Workloads) {
		s := &a.value.Autoscaling
		switch s.Mode {
		case AutoscaleHPA:
			continue
		case AutoscaleKEDA:
		default:
			v.refuse(&s.Mode, "must be one of %s, %s", AutoscaleHPA, AutoscaleKEDA)
			continue
		}
		if a.value != &c.Workloads.CeleryWorker {
			v.refuse(&s.Mode, "must be %s: only celeryWorker scales on a queue's length (%s)", AutoscaleHPA, c.keyOf(&c.Workloads.CeleryWorker))
			continue
		}
		k := &s.KEDA
		if len(k.Queues) == 0 {
			v.refuse(&k.Queues, "must name at least one Celery queue (celery is Celery's default) in keda mode")
		}
		for i, q := range k.Queues {
			if !celeryQueue.MatchString(q) {
				v.fail(fmt.Sprintf("%s[%d]", c.keyOf(&k.Queues), i), q, "must be a Celery queue name: letters, digits, _ . : - (at most 200)")
			}
		}
		if k.ListLength < 1 {
			v.refuse(&k.ListLength, "must be at least 1 waiting task per worker pod")
		}
		v.dnsLabel(c.keyOf(&k.OperatorNamespace), k.OperatorNamespace)
		v.labelMap(c.keyOf(&k.OperatorPodLabels), k.OperatorPodLabels, nil)
	}
}

// IsKEDA reports whether the workload's size follows a KEDA ScaledObject.
func (a Autoscaled) IsKEDA() bool { return a.Autoscaling.Mode == AutoscaleKEDA }
