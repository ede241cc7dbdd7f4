package components

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// ExternalSecrets are the External Secrets Operator's ExternalSecret objects that write the Secrets the
// stack reads but does not create (jd-jones-managed-data, jd-jones-llm) from a secret store.
type ExternalSecrets struct {
	pulumi.ResourceState

	// Secrets are the names of the Secrets the ExternalSecrets write.
	Secrets pulumi.StringArrayOutput `pulumi:"secrets"`

	// objects are the ExternalSecrets, which the readers of their Secrets wait for. Waiting for them,
	// not for the component: the SDK expands a component into the children it has registered so far,
	// which races with their registration.
	objects []pulumi.Resource
}

// ExternalSecretsArgs configures the ExternalSecrets.
type ExternalSecretsArgs struct {
	// Config is the validated stack configuration; its externalSecrets key must be enabled.
	Config *config.Config
	// Foundation supplies the namespace.
	Foundation *Foundation
}

// externalSecretAwait makes the Kubernetes provider wait, on create and update, until the operator
// reports the ExternalSecret Ready (the Secret written from the store): without it the provider treats
// a custom resource as ready as soon as the API server accepts it. The wait ends after the provider's
// default 10 minutes, or pulumi.com/timeoutSeconds, and fails the update.
var externalSecretAwait = pulumi.StringMap{"pulumi.com/waitFor": pulumi.String("condition=Ready")}

// NewExternalSecrets registers one ExternalSecret per Secret of externalSecrets.keys.
func NewExternalSecrets(ctx *pulumi.Context, name string, args *ExternalSecretsArgs, opts ...pulumi.ResourceOption) (*ExternalSecrets, error) {
	e := &ExternalSecrets{}
	c := args.Config
	b, err := register(ctx, "ExternalSecrets", name, e, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, secret := range slices.Sorted(maps.Keys(c.ExternalSecrets.Keys)) {
		meta := b.scope.meta(secret, "config")
		meta.Annotations = externalSecretAwait
		object, err := apiextensions.NewCustomResource(ctx, b.child(secret), &apiextensions.CustomResourceArgs{
			ApiVersion:  pulumi.String("external-secrets.io/v1"),
			Kind:        pulumi.String("ExternalSecret"),
			Metadata:    meta,
			OtherFields: kubernetes.UntypedArgs{"spec": externalSecretSpec(c.ExternalSecrets, secret)},
		}, b.opts(nil)...)
		if err != nil {
			return nil, fmt.Errorf("external secret %s: %w", secret, err)
		}
		e.objects = append(e.objects, object)
		names = append(names, secret)
	}
	e.Secrets = pulumi.ToStringArray(names).ToStringArrayOutput()
	return e, b.done(pulumi.Map{"secrets": e.Secrets})
}

// externalSecretSpec is the spec of the ExternalSecret that writes secret: every mapped key from the
// store, into a Secret the ExternalSecret owns (deleted with it).
func externalSecretSpec(e config.ExternalSecrets, secret string) pulumi.Map {
	data := pulumi.Array{}
	for _, key := range slices.Sorted(maps.Keys(e.Keys[secret])) {
		data = append(data, pulumi.Map{
			"secretKey": pulumi.String(key),
			"remoteRef": pulumi.Map{"key": pulumi.String(e.Keys[secret][key])},
		})
	}
	return pulumi.Map{
		"refreshInterval": pulumi.String(e.RefreshInterval),
		"secretStoreRef":  pulumi.Map{"kind": pulumi.String(e.Store.Kind), "name": pulumi.String(e.Store.Name)},
		"target":          pulumi.Map{"name": pulumi.String(secret), "creationPolicy": pulumi.String("Owner")},
		"data":            data,
	}
}

// syncedSecrets registers the ExternalSecrets when the stack configures a store, and returns what the
// workloads reading those Secrets must wait for (nothing when it does not).
func syncedSecrets(ctx *pulumi.Context, name string, c *config.Config, f *Foundation, opts ...pulumi.ResourceOption) ([]pulumi.Resource, error) {
	if !c.ExternalSecrets.Enabled() {
		return nil, nil
	}
	e, err := NewExternalSecrets(ctx, name, &ExternalSecretsArgs{Config: c, Foundation: f}, opts...)
	if err != nil {
		return nil, err
	}
	return e.objects, nil
}

// sharedConfigMap registers jd-jones-config and returns its checksum annotation. With a stack reference,
// the external endpoints' hosts are that stack's outputs, so the data and its checksum are outputs too.
func (f *Foundation) sharedConfigMap(b *builder, c *config.Config) (pulumi.StringMap, error) {
	settings := sharedSettings(c)
	if !c.StackReference.Enabled() {
		return b.configMap("config", ConfigMapName, "config", settings)
	}
	hosts, err := referencedHosts(b, c.StackReference)
	if err != nil {
		return nil, err
	}
	data := pulumi.ToStringMap(settings)
	inputs := []any{}
	keys := slices.Sorted(maps.Keys(hosts))
	for _, k := range keys {
		data[k] = hosts[k]
		inputs = append(inputs, hosts[k])
	}
	if _, err := corev1.NewConfigMap(b.ctx, b.child("config"), &corev1.ConfigMapArgs{
		Metadata: b.scope.meta(ConfigMapName, "config"),
		Data:     data,
	}, b.opts(nil)...); err != nil {
		return nil, fmt.Errorf("config map %s: %w", ConfigMapName, err)
	}
	sum := pulumi.All(inputs...).ApplyT(func(values []any) string {
		resolved := maps.Clone(settings)
		for i, k := range keys {
			resolved[k] = values[i].(string)
		}
		return checksum(resolved)
	}).(pulumi.StringOutput)
	return pulumi.StringMap{"checksum/" + ConfigMapName: sum}, nil
}

// referencedHosts reads the external endpoints' hosts from the referenced stack's outputs, by the
// jd-jones-config keys they replace; a missing output or one that is not a host fails the update.
func referencedHosts(b *builder, s config.StackReference) (map[string]pulumi.StringOutput, error) {
	ref, err := pulumi.NewStackReference(b.ctx, s.Name, &pulumi.StackReferenceArgs{Name: pulumi.String(s.Name)}, b.opts(nil)...)
	if err != nil {
		return nil, fmt.Errorf("stack reference %s: %w", s.Name, err)
	}
	hosts := map[string]pulumi.StringOutput{}
	for key, output := range map[string]string{"POSTGRES_HOST": s.PostgresHost, "REDIS_HOST": s.RedisHost} {
		if output == "" {
			continue
		}
		hosts[key] = ref.GetOutput(pulumi.String(output)).ApplyT(func(v any) (string, error) {
			host, ok := v.(string)
			if !ok || len(validation.IsDNS1123Subdomain(host)) > 0 {
				return "", fmt.Errorf("output %s of stack %s must be a host name, got %v", output, s.Name, v)
			}
			return host, nil
		}).(pulumi.StringOutput)
	}
	return hosts, nil
}
