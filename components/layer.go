package components

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// layer is what building any component needs: the context, the component itself as every child's parent,
// the component's name to derive child names from, and the stack's scope.
type layer struct {
	ctx   *pulumi.Context
	self  pulumi.Resource
	name  string
	scope scope
}

// register registers component under its type token and returns the layer to build its children with.
func register(ctx *pulumi.Context, typ, name string, component pulumi.ComponentResource, s scope, opts ...pulumi.ResourceOption) (*layer, error) {
	if err := ctx.RegisterComponentResource(tokenPrefix+typ, name, component, opts...); err != nil {
		return nil, fmt.Errorf("registering %s %q: %w", typ, name, err)
	}
	return &layer{ctx: ctx, self: component, name: name, scope: s}, nil
}

// child derives a child's Pulumi name from the component's name.
func (l *layer) child(object string) string { return l.name + "-" + object }

// opts parents a child to the component, after any options of its own.
func (l *layer) opts(extra []pulumi.ResourceOption) []pulumi.ResourceOption {
	return append(append([]pulumi.ResourceOption{}, extra...), pulumi.Parent(l.self))
}

// done registers the component's outputs; it must be the last call of a constructor.
func (l *layer) done(outputs pulumi.Map) error {
	if err := l.ctx.RegisterResourceOutputs(l.self, outputs); err != nil {
		return fmt.Errorf("registering outputs of %q: %w", l.name, err)
	}
	return nil
}
