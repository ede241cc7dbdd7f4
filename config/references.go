package config

import (
	"k8s.io/apimachinery/pkg/util/validation"
)

// SecretRef points at a key of a Secret managed outside this stack (for example by External Secrets).
type SecretRef struct {
	// Name is the Secret's name in the namespace.
	Name string `json:"name"`
	// Key is the key of the Secret that holds the value.
	Key string `json:"key"`
}

// IsSet reports whether the reference names a Secret.
func (r SecretRef) IsSet() bool { return r.Name != "" || r.Key != "" }

// CARef points at a CA bundle in a ConfigMap or a Secret of the namespace, managed outside the stack.
type CARef struct {
	// ConfigMap and Secret name the object holding the bundle: one of them, not both.
	ConfigMap string `json:"configMap"`
	Secret    string `json:"secret"`
	// Key is the bundle's key in that object (ca.crt when unset).
	Key string `json:"key"`
}

// IsSet reports whether the reference names an object.
func (r CARef) IsSet() bool { return r.ConfigMap != "" || r.Secret != "" }

// secretRef checks that a reference names a Secret and one of its keys.
func (v *validator) secretRef(ref *SecretRef) {
	if msgs := validation.IsDNS1123Subdomain(ref.Name); len(msgs) > 0 {
		v.refuse(&ref.Name, "must be a Secret name")
	}
	if msgs := validation.IsConfigMapKey(ref.Key); len(msgs) > 0 {
		v.refuse(&ref.Key, "must be a key of that Secret")
	}
}

// caRef checks that a CA bundle reference names one ConfigMap or Secret and a key.
func (v *validator) caRef(ref *CARef) {
	switch {
	case ref.ConfigMap != "" && ref.Secret != "":
		v.refuse(&ref.Secret, "set either %s or %s, not both", v.config.keyOf(&ref.ConfigMap), v.config.keyOf(&ref.Secret))
	case ref.ConfigMap != "":
		if msgs := validation.IsDNS1123Subdomain(ref.ConfigMap); len(msgs) > 0 {
			v.refuse(&ref.ConfigMap, "must be a ConfigMap name")
		}
	case ref.Secret != "":
		if msgs := validation.IsDNS1123Subdomain(ref.Secret); len(msgs) > 0 {
			v.refuse(&ref.Secret, "must be a Secret name")
		}
	case ref.Key != "":
		v.refuse(&ref.Key, "needs %s or %s to name the object that holds it", v.config.keyOf(&ref.ConfigMap), v.config.keyOf(&ref.Secret))
	}
	if ref.Key != "" {
		if msgs := validation.IsConfigMapKey(ref.Key); len(msgs) > 0 {
			v.refuse(&ref.Key, "must be a key of that object")
		}
	}
}
