package components

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// Types (after tokenPrefix) of the components that register applications. The API layer's Go name is
// APILayer; its token keeps the spelling it was first registered under, so no URN moves.
const (
	apiLayerType      = "ApiLayer"
	workerLayerType   = "WorkerLayer"
	frontendLayerType = "FrontendLayer"
)

// builder is what building any component (layer or not) needs: the context, the component itself as every
// child's parent, its type, the component's name to derive child names from, and the stack's scope.
type builder struct {
	ctx   *pulumi.Context
	self  pulumi.Resource
	typ   string
	name  string
	scope scope
}

// register registers component under its type token and returns the builder of its children.
func register(ctx *pulumi.Context, typ, name string, component pulumi.ComponentResource, s scope, opts ...pulumi.ResourceOption) (*builder, error) {
	if err := ctx.RegisterComponentResource(tokenPrefix+typ, name, component, opts...); err != nil {
		return nil, fmt.Errorf("registering %s %q: %w", typ, name, err)
	}
	return &builder{ctx: ctx, self: component, typ: typ, name: name, scope: s}, nil
}

// child derives a child's Pulumi name from the component's name.
func (b *builder) child(object string) string { return b.name + "-" + object }

// opts parents a child to the component, after any options of its own.
func (b *builder) opts(extra []pulumi.ResourceOption) []pulumi.ResourceOption {
	return append(append([]pulumi.ResourceOption{}, extra...), pulumi.Parent(b.self))
}

// done registers the component's outputs; it must be the last call of a constructor.
func (b *builder) done(outputs pulumi.Map) error {
	if err := b.ctx.RegisterResourceOutputs(b.self, outputs); err != nil {
		return fmt.Errorf("registering outputs of %q: %w", b.name, err)
	}
	return nil
}

// dataProtection protects objects whose deletion loses data, when the stack asks for it.
func dataProtection(c *config.Config) []pulumi.ResourceOption {
	if !c.ProtectData {
		return nil
	}
	return []pulumi.ResourceOption{pulumi.Protect(true), pulumi.RetainOnDelete(true)}
}

// configMap registers the ConfigMap object (Pulumi name derived from child) and returns the pod
// template annotation, checksum/<object>, that rolls the pods reading it when data changes.
func (b *builder) configMap(child, object, component string, data map[string]string) (pulumi.StringMap, error) {
	if _, err := corev1.NewConfigMap(b.ctx, b.child(child), &corev1.ConfigMapArgs{
		Metadata: b.scope.meta(object, component),
		Data:     pulumi.ToStringMap(data),
	}, b.opts(nil)...); err != nil {
		return nil, fmt.Errorf("config map %s: %w", object, err)
	}
	return pulumi.StringMap{"checksum/" + object: pulumi.String(checksum(data))}, nil
}
