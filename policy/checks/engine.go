package checks

import (
	"io"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// The engine's API that the pack's callers use, re-exported so that running the pack takes one
// import; each name is documented in package engine.
type (
	// Policy is engine.Policy.
	Policy = engine.Policy
	// Level is engine.Level.
	Level = engine.Level
	// Resource is engine.Resource.
	Resource = engine.Resource
	// Object is engine.Object.
	Object = engine.Object
	// Result is engine.Result.
	Result = engine.Result
	// Finding is engine.Finding.
	Finding = engine.Finding
	// Options is engine.Options.
	Options = engine.Options
	// Pack is engine.Pack.
	Pack = engine.Pack
	// PolicyConfig is engine.PolicyConfig.
	PolicyConfig = engine.PolicyConfig
	// PackConfig is engine.PackConfig.
	PackConfig = engine.PackConfig
	// Exception is engine.Exception.
	Exception = engine.Exception
	// Session is engine.Session.
	Session = engine.Session
	// Stack is engine.Stack.
	Stack = engine.Stack
	// Config is engine.Config.
	Config = engine.Config
)

// Enforcement levels and kind selectors, as in package engine.
const (
	Advisory   = engine.Advisory
	Mandatory  = engine.Mandatory
	Disabled   = engine.Disabled
	PodBearing = engine.PodBearing
	EveryKind  = engine.EveryKind
	PackName   = engine.PackName
)

// The notes and failure policies every Pack runs (see engine.NewPack).
var (
	PolicyCouldNotDecide      = engine.PolicyCouldNotDecide
	PolicyCouldNotDecideStack = engine.PolicyCouldNotDecideStack
	PolicyCouldNotJudge       = engine.PolicyCouldNotJudge
	PolicyCouldNotJudgeStack  = engine.PolicyCouldNotJudgeStack
)

// Evaluate is engine.Evaluate, running DefaultPack when opts.Pack is the zero Pack.
func Evaluate(resources []Resource, opts Options) []Finding {
	if opts.Pack.Policies() == nil {
		opts.Pack = DefaultPack()
	}
	return engine.Evaluate(resources, opts)
}

// Blocking is engine.Blocking.
func Blocking(fs []Finding) []Finding { return engine.Blocking(fs) }

// NewPack is engine.NewPack.
func NewPack(policies ...*Policy) Pack { return engine.NewPack(policies...) }

// NewSession is engine.NewSession.
func NewSession(production bool) *Session { return engine.NewSession(production) }

// ParseManifests is engine.ParseManifests.
func ParseManifests(r io.Reader) ([]Resource, error) { return engine.ParseManifests(r) }

// ResourceFromInputs is engine.ResourceFromInputs.
func ResourceFromInputs(typ, name string, inputs resource.PropertyMap) Resource {
	return engine.ResourceFromInputs(typ, name, inputs)
}

// ResourceFromManifest is engine.ResourceFromManifest.
func ResourceFromManifest(obj map[string]any) (Resource, error) {
	return engine.ResourceFromManifest(obj)
}

// DetectProduction is engine.DetectProduction.
func DetectProduction(project, stack string, getConfig func(key string) (string, bool)) (bool, string) {
	return engine.DetectProduction(project, stack, getConfig)
}

// Violation is engine.Violation.
func Violation(o *Object, subject, problem, fix string) Result {
	return engine.Violation(o, subject, problem, fix)
}

// Undecided is engine.Undecided.
func Undecided(o *Object, subject, path string) Result { return engine.Undecided(o, subject, path) }
