package config

// PodOptions are the per-workload options every chart offers, applied through the one workload
// builder; the zero value changes nothing.
type PodOptions struct {
	// Env and EnvFrom add to the containers' environment (literal values only: credentials come from
	// Secrets through envFrom).
	Env     map[string]string `json:"env"`
	EnvFrom []EnvFromRef      `json:"envFrom"`
	// NodeSelector, Tolerations and Affinity place the pods (Kubernetes's own shapes).
	NodeSelector map[string]string `json:"nodeSelector"`
	Tolerations  []map[string]any  `json:"tolerations"`
	Affinity     map[string]any    `json:"affinity"`
	// TopologySpread replaces the default spread over nodes and zones (Kubernetes's own shape).
	TopologySpread []map[string]any `json:"topologySpread"`
	// PriorityClassName and ImagePullSecrets are the pod's.
	PriorityClassName string   `json:"priorityClassName"`
	ImagePullSecrets  []string `json:"imagePullSecrets"`
	// Annotations and Labels go on the pod template (never the selector labels).
	Annotations map[string]string `json:"annotations"`
	Labels      map[string]string `json:"labels"`
	// ServiceAccountAnnotations go on the workload's own ServiceAccount (cloud workload identity).
	ServiceAccountAnnotations map[string]string `json:"serviceAccountAnnotations"`
}

// EnvFromRef adds every key of a ConfigMap or a Secret to the environment.
type EnvFromRef struct {
	ConfigMap string `json:"configMap"`
	Secret    string `json:"secret"`
}
