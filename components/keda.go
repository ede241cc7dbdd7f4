package components

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// kedaAPIVersion is KEDA's API of ScaledObjects and TriggerAuthentications.
const kedaAPIVersion = "keda.sh/v1alpha1"

// kedaTarget is what a ScaledObject needs to measure the Celery queues: Redis's address, whether it
// speaks TLS, and where its password and CA bundle live.
type kedaTarget struct {
	scaling  config.KEDAScaling
	bounds   config.Autoscaled
	address  string
	tls      bool
	password credential
	// ca and caConfigMap are the Redis CA bundle's key in a Secret or a ConfigMap (secret names the
	// ConfigMap then); both nil for the system's trust store.
	ca, caConfigMap *credential
}

// kedaTargetOf is the KEDA scaling of an autoscaled size in keda mode, nil otherwise: KEDA's operator runs
// in its own namespace, so an in-cluster Redis is addressed by its Service's namespaced name.
func kedaTargetOf(c *config.Config, f *Foundation, size config.WorkloadSizing) *kedaTarget {
	if size.Autoscale == nil || !size.Autoscale.IsKEDA() {
		return nil
	}
	t := &kedaTarget{scaling: size.Autoscale.Autoscaling.KEDA, bounds: *size.Autoscale, password: f.credentials.redis}
	host := fmt.Sprintf("%s.%s.svc", RedisName, c.Namespace)
	if c.Redis.IsExternal() {
		host, t.tls = c.Redis.Host, c.Redis.TLS.Enabled
		if ca := c.Redis.TLS.CA; t.tls && ca.IsSet() {
			key := ca.Key
			if key == "" {
				key = "ca.crt"
			}
			if ca.Secret != "" {
				t.ca = &credential{secret: ca.Secret, key: key}
			} else {
				t.caConfigMap = &credential{secret: ca.ConfigMap, key: key}
			}
		}
	}
	t.address = host + ":" + strconv.Itoa(c.Redis.Port)
	return t
}

// kedaScaledObjectSpec scales the Deployment name between the size's bounds on the length of each Celery
// queue's Redis list, authenticated by the TriggerAuthentication of the same name.
func kedaScaledObjectSpec(name string, t kedaTarget) map[string]any {
	triggers := make([]any, 0, len(t.scaling.Queues))
	for _, q := range t.scaling.Queues {
		metadata := map[string]any{
			"address":    t.address,
			"listName":   q,
			"listLength": strconv.Itoa(t.scaling.ListLength),
		}
		if t.tls {
			metadata["enableTLS"] = "true"
		}
		triggers = append(triggers, map[string]any{
			"type":              "redis",
			"metadata":          metadata,
			"authenticationRef": map[string]any{"name": name},
		})
	}
	return map[string]any{
		"scaleTargetRef":  map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
		"minReplicaCount": t.bounds.MinReplicas,
		"maxReplicaCount": t.bounds.MaxReplicas,
		"triggers":        triggers,
	}
}

// kedaTriggerAuthenticationSpec gives the triggers Redis's password (and CA bundle) from the Secrets
// (or ConfigMap) that already hold them: KEDA reads them, the stack copies nothing.
func kedaTriggerAuthenticationSpec(t kedaTarget) map[string]any {
	secrets := []any{map[string]any{"parameter": "password", "name": t.password.secret, "key": t.password.key}}
	spec := map[string]any{}
	if t.ca != nil {
		secrets = append(secrets, map[string]any{"parameter": "ca", "name": t.ca.secret, "key": t.ca.key})
	}
	if t.caConfigMap != nil {
		spec["configMapTargetRef"] = []any{map[string]any{"parameter": "ca", "name": t.caConfigMap.secret, "key": t.caConfigMap.key}}
	}
	spec["secretTargetRef"] = secrets
	return spec
}

// kedaScaler registers the TriggerAuthentication and the ScaledObject that scale the Deployment on its
// queues instead of an HPA (KEDA's operator creates and owns the HPA).
func (b *builder) kedaScaler(name, component string, t kedaTarget, target *appsv1.Deployment) error {
	auth, err := apiextensions.NewCustomResource(b.ctx, b.child(name+"-triggerauthentication"), &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String(kedaAPIVersion),
		Kind:        pulumi.String("TriggerAuthentication"),
		Metadata:    b.scope.meta(name, component),
		OtherFields: map[string]any{"spec": kedaTriggerAuthenticationSpec(t)},
	}, b.opts(nil)...)
	if err != nil {
		return fmt.Errorf("trigger authentication %s: %w", name, err)
	}
	if _, err := apiextensions.NewCustomResource(b.ctx, b.child(name+"-scaledobject"), &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String(kedaAPIVersion),
		Kind:        pulumi.String("ScaledObject"),
		Metadata:    b.scope.meta(name, component),
		OtherFields: map[string]any{"spec": kedaScaledObjectSpec(name, t)},
	}, b.opts([]pulumi.ResourceOption{pulumi.DependsOn([]pulumi.Resource{auth, target})})...); err != nil {
		return fmt.Errorf("scaled object %s: %w", name, err)
	}
	return nil
}

// kedaOperatorReach is the flow KEDA's operator needs: its pods, in their own namespace, to an in-cluster
// Redis's port and nothing else. An external Redis needs no in-namespace allow (the operator's own
// namespace's policies govern its egress).
func kedaOperatorReach(c *config.Config) (reach, bool) {
	w := c.Workloads.CeleryWorker
	if !w.IsKEDA() || c.Redis.IsExternal() {
		return reach{}, false
	}
	k := w.Autoscaling.KEDA
	return reach{namespace: k.OperatorNamespace, podLabels: k.OperatorPods(), ports: tcp(c.Redis.Port)}, true
}
