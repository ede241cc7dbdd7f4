package engine

import (
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KEDAGroup is the API group of KEDA's ScaledObjects.
const KEDAGroup = "keda.sh"

// kedaDefaultMaxReplicas is the ceiling KEDA gives a ScaledObject without maxReplicaCount.
const kedaDefaultMaxReplicas = 100

// ScaledObject is a KEDA keda.sh/v1alpha1 ScaledObject: an autoscaler that owns an HPA of its own for
// the workload its scaleTargetRef names. Only what the checks read is typed; triggers and the rest
// are kept as they are.
type ScaledObject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ScaledObjectSpec `json:"spec"`
	Status            map[string]any   `json:"status,omitempty"`
}

// ScaledObjectSpec is a ScaledObject's spec as KEDA v2's CRD defines it.
type ScaledObjectSpec struct {
	ScaleTargetRef        ScaleTarget      `json:"scaleTargetRef"`
	PollingInterval       *int32           `json:"pollingInterval,omitempty"`
	InitialCooldownPeriod *int32           `json:"initialCooldownPeriod,omitempty"`
	CooldownPeriod        *int32           `json:"cooldownPeriod,omitempty"`
	IdleReplicaCount      *int32           `json:"idleReplicaCount,omitempty"`
	MinReplicaCount       *int32           `json:"minReplicaCount,omitempty"`
	MaxReplicaCount       *int32           `json:"maxReplicaCount,omitempty"`
	Advanced              map[string]any   `json:"advanced,omitempty"`
	Fallback              map[string]any   `json:"fallback,omitempty"`
	Triggers              []map[string]any `json:"triggers"`
}

// ScaleTarget is the workload a ScaledObject scales (a Deployment when kind is unset).
type ScaleTarget struct {
	APIVersion             string `json:"apiVersion,omitempty"`
	Kind                   string `json:"kind,omitempty"`
	Name                   string `json:"name"`
	EnvSourceContainerName string `json:"envSourceContainerName,omitempty"`
}

// hpa is the ScaledObject as the HPA KEDA derives from it: minReplicaCount defaults to 0 (scale to
// zero), maxReplicaCount to 100, and the target to an apps/v1 Deployment.
func (s *ScaledObject) hpa() HPA {
	ref := autoscalingv2.CrossVersionObjectReference{APIVersion: s.Spec.ScaleTargetRef.APIVersion, Kind: s.Spec.ScaleTargetRef.Kind, Name: s.Spec.ScaleTargetRef.Name}
	if ref.Kind == "" && ref.APIVersion == "" {
		ref.APIVersion, ref.Kind = "apps/v1", "Deployment"
	}
	minReplicas := int32(0)
	if s.Spec.MinReplicaCount != nil {
		minReplicas = *s.Spec.MinReplicaCount
	}
	maxReplicas := int32(kedaDefaultMaxReplicas)
	if s.Spec.MaxReplicaCount != nil {
		maxReplicas = *s.Spec.MaxReplicaCount
	}
	return HPA{ref, &minReplicas, maxReplicas}
}

// AutoscalerKinds are the kinds that scale a workload: HorizontalPodAutoscalers and KEDA's ScaledObjects.
var AutoscalerKinds = []string{"HorizontalPodAutoscaler", "ScaledObject"}

// IsAutoscaler reports whether the object is an HPA or a KEDA ScaledObject (not another group's kind of
// that name).
func (o *Object) IsAutoscaler() bool {
	return o.Kind == "HorizontalPodAutoscaler" || (o.Kind == "ScaledObject" && o.Group == KEDAGroup)
}

// ReplicaRangePaths are the paths of the autoscaler's floor and ceiling.
func (o *Object) ReplicaRangePaths() (minPath, maxPath string) {
	if o.Kind == "ScaledObject" {
		return "spec.minReplicaCount", "spec.maxReplicaCount"
	}
	return "spec.minReplicas", "spec.maxReplicas"
}
