package components

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/config"
	"github.com/jdjones/jd-jones-rag-infra/internal/objectid"
)

// The extraObjects of a stack are registered the way pulumi-kubernetes's yaml package registers a
// parsed object (yaml.ParseYamlObjects, which a ConfigGroup with Objs calls without any Invoke): the
// manifest as UntypedArgs under the type token of its GVK, kubernetes:core/v1:<Kind> for apiVersion v1
// and kubernetes:<apiVersion>:<Kind> otherwise, so a built-in kind is its typed resource
// (kubernetes:core/v1:ConfigMap) that the policy pack decodes, and nothing needs the provider to parse.
// The yaml package itself is not called because it names a resource <namespace>/<name>; here each is
// named after the component, like every other child.
//
// An extra object must never replace one the platform registers: validation cannot know those, so
// CheckExtraObjects renders the platform once, without extraObjects, under the Pulumi SDK's mock monitor
// (its own Context from pulumi.NewContext, not pulumi.RunErr: that would read the environment and set
// up and shut down the process's global tracer) and refuses a clash before anything is registered.

// ExtraObjects holds the stack's extra manifests, each registered as its typed Kubernetes resource.
type ExtraObjects struct {
	pulumi.ResourceState

	// Objects are the registered objects' kind/name, in the order of extraObjects.
	Objects pulumi.StringArrayOutput `pulumi:"objects"`
}

// ExtraObjectsArgs configures ExtraObjects.
type ExtraObjectsArgs struct {
	// Config is the validated stack configuration; its ExtraObjects are registered.
	Config *config.Config
	// Foundation gives the namespace every object is placed in.
	Foundation *Foundation
}

// NewExtraObjects registers every manifest of extraObjects in the stack's namespace, with the platform's
// instance, part-of and managed-by labels where the manifest does not set them.
func NewExtraObjects(ctx *pulumi.Context, name string, args *ExtraObjectsArgs, opts ...pulumi.ResourceOption) (*ExtraObjects, error) {
	x := &ExtraObjects{}
	b, err := register(ctx, "ExtraObjects", name, x, args.Foundation.scope, opts...)
	if err != nil {
		return nil, err
	}
	var objects []string
	for i, manifest := range args.Config.ExtraObjects {
		obj, err := deepCopy(manifest)
		if err != nil {
			return nil, fmt.Errorf("extraObjects[%d]: %w", i, err)
		}
		apiVersion, _ := obj["apiVersion"].(string)
		kind, _ := obj["kind"].(string)
		meta, _ := obj["metadata"].(map[string]any)
		objName, _ := meta["name"].(string)
		meta["namespace"] = b.scope.namespace
		labels, _ := meta["labels"].(map[string]any)
		if labels == nil {
			labels = map[string]any{}
		}
		for key, value := range b.scope.labels(objName, "extra-objects") {
			if key == nameLabel || key == componentLabel {
				continue // what the object is, only its author says
			}
			if _, set := labels[key]; !set {
				labels[key] = value
			}
		}
		meta["labels"] = labels
		var res apiextensions.CustomResource
		child := b.child(strings.ToLower(kind) + "-" + objName)
		if err := ctx.RegisterResource(typeToken(apiVersion, kind), child, kubernetes.UntypedArgs(obj), &res, b.opts(nil)...); err != nil {
			return nil, fmt.Errorf("extraObjects[%d] %s %s: %w", i, kind, objName, err)
		}
		objects = append(objects, kind+"/"+objName)
	}
	x.Objects = pulumi.ToStringArray(objects).ToStringArrayOutput()
	return x, b.done(pulumi.Map{"objects": x.Objects})
}

// typeToken is pulumi-kubernetes's type token of a GVK, as its yaml package spells it.
func typeToken(apiVersion, kind string) string {
	if !strings.Contains(apiVersion, "/") {
		apiVersion = "core/" + apiVersion
	}
	return "kubernetes:" + apiVersion + ":" + kind
}

// deepCopy copies a manifest, so registering it never changes the stack's configuration.
func deepCopy(manifest map[string]any) (map[string]any, error) {
	b, err := json.Marshal(manifest)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(b, &out)
}

// CheckExtraObjects refuses, before anything is registered, every entry of extraObjects that names an
// object the platform registers itself (same API group, aliases folded, kind case-insensitively,
// namespace and name): registering it twice would have two resources fight over one object. platform is
// the name the program registers the Platform under.
func CheckExtraObjects(ctx *pulumi.Context, platform string, c *config.Config) error {
	if len(c.ExtraObjects) == 0 {
		return nil
	}
	owned, err := platformObjects(ctx.Project(), ctx.Stack(), platform, c)
	if err != nil {
		return fmt.Errorf("rendering the platform to compare extraObjects with its objects: %w", err)
	}
	var errs config.ValidationError
	for i := range c.ExtraObjects {
		id, kind, name := c.ExtraObject(i)
		clusterWide := id
		clusterWide.Namespace = ""
		if owned[id] || owned[clusterWide] {
			errs = append(errs, &config.FieldError{Key: fmt.Sprintf("%s[%d]", config.ExtraObjectsKey, i), Value: kind + "/" + name,
				Allowed: fmt.Sprintf("is an object the stack already registers (%s %q in namespace %q): an extra object must not replace one of the platform's; change it through its config key, or give the extra object another name", kind, name, c.Namespace)})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// shadowPlaceholder stands for every secret config value and referenced output in the shadow render:
// object names and namespaces never depend on them, and no secret reaches it.
const shadowPlaceholder = "shadow.render.invalid"

// platformObjects renders the platform with c's configuration but no extraObjects under the mock
// monitor and returns the identity of every Kubernetes object it registers (a Patch resource counts as
// the object it patches).
func platformObjects(project, stack, platform string, c *config.Config) (map[objectid.ID]bool, error) {
	shadow := *c
	shadow.ExtraObjects = nil
	secrets := map[string]string{}
	var secretKeys []string
	for _, key := range config.SecretKeys {
		secrets[config.Project+":"+key] = shadowPlaceholder
		secretKeys = append(secretKeys, config.Project+":"+key)
	}
	mocks := &shadowMonitor{owned: map[objectid.ID]bool{}, references: c.StackReference}
	ctx, err := pulumi.NewContext(context.Background(), pulumi.RunInfo{
		Project: project, Stack: stack, Config: secrets, ConfigSecretKeys: secretKeys, Mocks: mocks,
	})
	if err != nil {
		return nil, err
	}
	defer func() { _ = ctx.Close() }()
	if err := pulumi.RunWithContext(ctx, func(ctx *pulumi.Context) error {
		_, err := NewPlatform(ctx, platform, &PlatformArgs{Config: &shadow})
		return err
	}); err != nil {
		return nil, err
	}
	return mocks.owned, nil
}

// shadowMonitor records the identity of every Kubernetes object registered and answers like a provider
// that accepts its inputs.
type shadowMonitor struct {
	mu         sync.Mutex
	owned      map[objectid.ID]bool
	references config.StackReference
}

func (m *shadowMonitor) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if id, ok := objectIdentity(args.TypeToken, args.Inputs); ok {
		m.mu.Lock()
		m.owned[id] = true
		m.mu.Unlock()
	}
	outputs := args.Inputs.Copy()
	switch args.TypeToken {
	case "random:index/randomPassword:RandomPassword":
		outputs["result"] = resource.MakeSecret(resource.NewProperty(shadowPlaceholder))
	case "pulumi:pulumi:StackReference":
		hosts := resource.PropertyMap{}
		for _, output := range []string{m.references.PostgresHost, m.references.RedisHost} {
			if output != "" {
				hosts[resource.PropertyKey(output)] = resource.NewProperty(shadowPlaceholder)
			}
		}
		outputs["outputs"] = resource.NewProperty(hosts)
	}
	return args.Name + "-id", outputs, nil
}

func (m *shadowMonitor) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// objectIdentity is the Kubernetes object a resource of type token typ with inputs manages or patches;
// ok is false for other resources (components, providers, other packages).
func objectIdentity(typ string, inputs resource.PropertyMap) (id objectid.ID, ok bool) {
	parts := strings.Split(typ, ":")
	if len(parts) != 3 || parts[0] != "kubernetes" {
		return id, false
	}
	slash := strings.LastIndex(parts[1], "/")
	if slash < 0 {
		return id, false // kubernetes:yaml:ConfigGroup and other components
	}
	group := parts[1][:slash]
	if group == "core" {
		group = ""
	}
	kind := strings.TrimSuffix(parts[2], "Patch")
	meta := inputs["metadata"]
	if !meta.IsObject() {
		return id, false
	}
	name, namespace := meta.ObjectValue()["name"], meta.ObjectValue()["namespace"]
	if !name.IsString() {
		return id, false
	}
	ns := ""
	if namespace.IsString() {
		ns = namespace.StringValue()
	}
	return objectid.New(group, kind, ns, name.StringValue()), true
}
