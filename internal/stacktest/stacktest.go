package stacktest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	appconfig "github.com/jdjones/jd-jones-rag-infra/config"
)

// Resource is one registered resource: what the program asked for, with the options that matter here.
type Resource struct {
	Type, Name     string
	URN            string
	Inputs         resource.PropertyMap
	Protect        bool
	RetainOnDelete bool
	IgnoreChanges  []string
	Dependencies   []string
	// CreateTimeout and UpdateTimeout are the customTimeouts the program set ("" for the provider's).
	CreateTimeout, UpdateTimeout string
	// Provider is the provider reference the resource is created with ("" for the default provider).
	Provider string
}

// Record is every resource one program run registered, in registration order.
type Record struct {
	mu        sync.Mutex
	Resources []Resource
}

// OfType returns the resources of a type token, e.g. kubernetes:apps/v1:Deployment.
func (r *Record) OfType(typ string) []Resource {
	var out []Resource
	for _, res := range r.Resources {
		if res.Type == typ {
			out = append(out, res)
		}
	}
	return out
}

// ByURN returns the resource with urn.
func (r *Record) ByURN(urn string) (Resource, bool) {
	for _, res := range r.Resources {
		if res.URN == urn {
			return res, true
		}
	}
	return Resource{}, false
}

// Object returns the Kubernetes object of a type with metadata.name name.
func (r *Record) Object(typ, name string) (Resource, bool) {
	for _, res := range r.OfType(typ) {
		if res.ObjectName() == name {
			return res, true
		}
	}
	return Resource{}, false
}

// ObjectName is the Kubernetes metadata.name the program set, or "" when Pulumi generates it.
func (r Resource) ObjectName() string {
	meta, ok := r.Inputs["metadata"]
	if !ok || !meta.IsObject() {
		return ""
	}
	name := meta.ObjectValue()["name"]
	if name.IsString() {
		return name.StringValue()
	}
	return ""
}

// Plain returns the inputs as plain Go values (secrets unwrapped, unknowns as nil), for JSON decoding.
func (r Resource) Plain() map[string]any {
	return r.Inputs.MapRepl(nil, func(v resource.PropertyValue) (any, bool) {
		switch {
		case v.IsSecret():
			return plainValue(v.SecretValue().Element), true
		case v.IsComputed() || v.IsOutput():
			return nil, true
		}
		return nil, false
	})
}

func plainValue(v resource.PropertyValue) any {
	return resource.PropertyMap{"v": v}.Mappable()["v"]
}

// Decode unmarshals the inputs into a typed object, such as a k8s.io/api Deployment.
func (r Resource) Decode(into any) error {
	b, err := json.Marshal(r.Plain())
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

// mocks records registrations and answers them like a provider that accepts its inputs.
type mocks struct {
	record *Record
	stack  string
}

// urn is the URN the mock monitor gives a resource, so dependencies can be matched against it.
func (m mocks) urn(parent, typ, name string) resource.URN {
	var parentType tokens.Type
	if parent != "" {
		parentType = resource.URN(parent).QualifiedType()
	}
	return resource.NewURN(tokens.QName(m.stack), tokens.PackageName(appconfig.Project), parentType, tokens.Type(typ), name)
}

func (m mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	res := Resource{Type: args.TypeToken, Name: args.Name, Inputs: args.Inputs, Provider: args.Provider}
	if rpc := args.RegisterRPC; rpc != nil {
		res.Protect = rpc.GetProtect()
		res.RetainOnDelete = rpc.GetRetainOnDelete()
		res.IgnoreChanges = rpc.GetIgnoreChanges()
		res.Dependencies = rpc.GetDependencies()
		res.CreateTimeout = rpc.GetCustomTimeouts().GetCreate()
		res.UpdateTimeout = rpc.GetCustomTimeouts().GetUpdate()
		res.URN = string(m.urn(rpc.GetParent(), args.TypeToken, args.Name))
	}
	m.record.mu.Lock()
	m.record.Resources = append(m.record.Resources, res)
	m.record.mu.Unlock()

	outputs := args.Inputs.Copy()
	switch {
	case args.TypeToken == "random:index/randomPassword:RandomPassword":
		outputs["result"] = resource.MakeSecret(resource.NewProperty(randomHex(16)))
	case args.TypeToken == "pulumi:pulumi:StackReference":
		outputs["outputs"] = resource.NewProperty(resource.NewPropertyMapFromMap(stackOutputs(args.Name)))
	case outputs["metadata"].IsObject():
		meta := outputs["metadata"].ObjectValue().Copy()
		if _, named := meta["name"]; !named {
			meta["name"] = resource.NewProperty(args.Name + "-" + randomHex(4))
		}
		outputs["metadata"] = resource.NewProperty(meta)
	}
	return args.Name + "-id", outputs, nil
}

// referenced holds the outputs of the stacks a program may reference, by fully qualified name.
var referenced sync.Map

// SetStackOutputs makes a StackReference to stack read outputs under mocks.
func SetStackOutputs(stack string, outputs map[string]any) { referenced.Store(stack, outputs) }

func stackOutputs(stack string) map[string]any {
	if out, ok := referenced.Load(stack); ok {
		return out.(map[string]any)
	}
	return map[string]any{}
}

func (mocks) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Run runs program under mocks with cfg (full "project:key" keys) and returns what it registered. The
// program's secret keys are passed as secrets, as `pulumi config set --secret` stores them.
func Run(stack string, cfg map[string]string, program pulumi.RunFunc) (*Record, error) {
	return RunWithSecretKeys(stack, cfg, secretKeysOf(cfg), program)
}

// secretKeysOf are the full keys of cfg that the program declares secret.
func secretKeysOf(cfg map[string]string) []string {
	var secret []string
	for _, key := range appconfig.SecretKeys {
		if _, ok := cfg[appconfig.Project+":"+key]; ok {
			secret = append(secret, appconfig.Project+":"+key)
		}
	}
	return secret
}

// RunWithSecretKeys is Run with exactly the keys of secret (full keys) passed as secrets.
func RunWithSecretKeys(stack string, cfg map[string]string, secret []string, program pulumi.RunFunc) (*Record, error) {
	record := &Record{}
	return record, runMocked(stack, cfg, secret, program, mocks{record: record, stack: stack})
}

// runMocked runs program under m with cfg, the keys of secret passed as secrets.
func runMocked(stack string, cfg map[string]string, secret []string, program pulumi.RunFunc, m pulumi.MockResourceMonitor) error {
	withConfig := func(info *pulumi.RunInfo) {
		info.Config = cfg
		info.ConfigSecretKeys = secret
	}
	return pulumi.RunErr(program, pulumi.WithMocks(appconfig.Project, stack, m), withConfig)
}

// RepoRoot is the repository's root directory, where Pulumi.yaml lives.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// DeclaredConfig is Pulumi.yaml's config block, loaded and schema-checked by the SDK's own loader.
func DeclaredConfig() (map[string]workspace.ProjectConfigType, error) {
	project, err := workspace.LoadProject(filepath.Join(RepoRoot(), "Pulumi.yaml"))
	if err != nil {
		return nil, err
	}
	return project.Config, nil
}

// StackConfig is the configuration the CLI would hand the program for stack: Pulumi.<stack>.yaml's values
// over Pulumi.yaml's declared defaults, objects as JSON.
func StackConfig(stack string) (map[string]string, error) {
	return StackFileConfig(filepath.Join(RepoRoot(), "Pulumi."+stack+".yaml"))
}

// StackFileConfig is StackConfig of the stack file at stackFile, wherever it lives (an example).
func StackFileConfig(stackFile string) (map[string]string, error) {
	project, err := workspace.LoadProject(filepath.Join(RepoRoot(), "Pulumi.yaml"))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(stackFile); err != nil {
		return nil, err
	}
	ps, err := workspace.LoadProjectStack(nil, project, stackFile)
	if err != nil {
		return nil, err
	}
	values, err := ps.Config.Decrypt(config.NopDecrypter)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range values {
		out[k.String()] = v
	}
	for key, decl := range project.Config {
		full := string(project.Name) + ":" + key
		if _, set := out[full]; set || decl.Default == nil {
			continue
		}
		out[full], err = configString(decl.Default)
		if err != nil {
			return nil, fmt.Errorf("default of %s: %w", key, err)
		}
	}
	return out, nil
}

// configString renders a default the way the CLI passes it: strings as is, anything else as JSON.
func configString(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// Awaited is a resolved output: its value and whether it is known and secret.
type Awaited struct {
	Value         any
	Known, Secret bool
}

// AwaitAll resolves outputs inside a running program.
func AwaitAll(ctx *pulumi.Context, outputs map[string]pulumi.Output) (map[string]Awaited, error) {
	got := map[string]Awaited{}
	for name, o := range outputs {
		r, err := internals.UnsafeAwaitOutput(ctx.Context(), o)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		}
		got[name] = Awaited{Value: r.Value, Known: r.Known, Secret: r.Secret}
	}
	return got, nil
}

// StorageClasses are the classes a stack's claims use (ReadWriteOnce, then ReadWriteMany), read through
// the program's own config loader, so a cluster for the stack can serve them.
func StorageClasses(stack string) ([]string, error) {
	cfg, err := StackConfig(stack)
	if err != nil {
		return nil, err
	}
	src := appconfig.MapSource{Values: map[string]string{}}
	for k, v := range cfg {
		src.Values[strings.TrimPrefix(k, appconfig.Project+":")] = v
	}
	c, err := appconfig.LoadFrom(src)
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", stack, err)
	}
	return []string{c.Storage.ClassName, c.Storage.RWXClassName}, nil
}
