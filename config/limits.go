package config

// Limits are the ceilings a workload's size may not exceed: what one node can hold and what the cluster
// can afford, so a typo (20 CPUs, 512Gi, 500 replicas) is refused instead of leaving pods Pending.
type Limits struct {
	// CPU and Memory are the largest request or limit of one container (Kubernetes quantities).
	CPU    string `json:"cpu"`
	Memory string `json:"memory"`
	// Replicas is the largest replica count or HPA maximum of one workload, at least 2.
	Replicas int `json:"replicas"`
}

// validateLimits checks the ceilings themselves.
func (c *Config) validateLimits(v *validator) {
	l := &c.Limits
	v.quantity(&l.CPU)
	v.quantity(&l.Memory)
	if l.Replicas < 2 {
		v.refuse(&l.Replicas, "must be at least 2")
	}
}
