package checks

import (
	"fmt"
	"regexp"
	"sync"
)

// Level is an enforcement level, spelled as Pulumi spells it in policy config.
type Level string

// The enforcement levels a policy can have.
const (
	Advisory  Level = "advisory"
	Mandatory Level = "mandatory"
	Disabled  Level = "disabled"
)

// Policy is one check as data plus one pure function: the stable name users configure and except,
// the text they read, its parameters with defaults, and either a per-resource or a whole-stack check.
type Policy struct {
	// Name is the stable kebab-case name used in config and exceptions.
	Name string
	// Description is the one-line summary Pulumi prints above every message.
	Description string
	// Remediation is the fix a message gives when the check has no more specific one.
	Remediation string
	// Why names the review finding or the linters that motivate the check (for the README).
	Why string
	// Level is the default enforcement level.
	Level Level
	// Params are the policy's configuration parameters with their defaults.
	Params []Param
	// Resource checks one decoded object; nil for stack policies.
	Resource func(o *Object, c *Config) []Result
	// Stack checks all decoded objects at once; nil for resource policies.
	Stack func(s *Stack, c *Config) []Result
}

// Param is a configuration parameter of a policy.
type Param struct {
	// Name is the config key.
	Name string
	// Type is the JSON Schema type: "string", "boolean", "integer" or "array" (of strings).
	Type string
	// Default is the value used when the config does not set it ([]string for arrays).
	Default any
	// Description says what the parameter does.
	Description string
	// Regex marks strings (or array items) that are regular expressions.
	Regex bool
}

// Schema returns the policy's config schema as JSON Schema properties, with defaults, in the shapes
// protobuf's structpb accepts ([]any rather than []string).
func (p *Policy) Schema() map[string]map[string]any {
	if len(p.Params) == 0 {
		return nil
	}
	props := map[string]map[string]any{}
	for _, prm := range p.Params {
		s := map[string]any{"type": prm.Type, "description": prm.Description}
		switch def := prm.Default.(type) {
		case []string:
			items := make([]any, len(def))
			for i, v := range def {
				items[i] = v
			}
			s["default"] = items
			item := map[string]any{"type": "string"}
			if prm.Regex {
				item["format"] = "regex"
			}
			s["items"] = item
		case int:
			s["default"] = float64(def)
		default:
			s["default"] = def
			if prm.Regex {
				s["format"] = "regex"
			}
		}
		props[prm.Name] = s
	}
	return props
}

// Config is a policy's effective configuration: its parameters over their defaults, plus whether
// the stack is production.
type Config struct {
	props  map[string]any
	params []Param
	// Production is true for production stacks (see DetectProduction) or when the policy's own
	// config sets "production": true.
	Production bool
}

// NewConfig builds a policy's config from raw properties (as Pulumi passes them; nil for stack
// policies, which Pulumi gives no config) and the stack-level production flag.
func NewConfig(p *Policy, props map[string]any, production bool) *Config {
	c := &Config{props: props, params: p.Params, Production: production}
	if b, ok := props["production"].(bool); ok && b {
		c.Production = true
	}
	return c
}

func (c *Config) def(name string) any {
	for _, p := range c.params {
		if p.Name == name {
			return p.Default
		}
	}
	return nil
}

// Strings returns an array parameter; values of the wrong shape fall back to the default.
func (c *Config) Strings(name string) []string {
	switch v := c.props[name].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return asStrings(c.def(name))
			}
			out = append(out, s)
		}
		return out
	}
	return asStrings(c.def(name))
}

func asStrings(v any) []string {
	s, _ := v.([]string)
	return s
}

// String returns a string parameter, or its default.
func (c *Config) String(name string) string {
	if s, ok := c.props[name].(string); ok {
		return s
	}
	s, _ := c.def(name).(string)
	return s
}

// Int returns an integer parameter, or its default.
func (c *Config) Int(name string) int {
	switch v := c.props[name].(type) {
	case float64:
		return int(v)
	case int:
		return v
	}
	i, _ := c.def(name).(int)
	return i
}

// Bool returns a boolean parameter, or its default.
func (c *Config) Bool(name string) bool {
	if b, ok := c.props[name].(bool); ok {
		return b
	}
	b, _ := c.def(name).(bool)
	return b
}

// Regexps compiles an array parameter of regular expressions; a pattern that does not compile is
// skipped (the engine's schema validation rejects it before the pack runs).
func (c *Config) Regexps(name string) []*regexp.Regexp {
	pats := c.Strings(name)
	out := make([]*regexp.Regexp, 0, len(pats))
	for _, p := range pats {
		if re := compileCached(p); re != nil {
			out = append(out, re)
		}
	}
	return out
}

// Regexp compiles a string parameter, falling back to the default when it does not compile.
func (c *Config) Regexp(name string) *regexp.Regexp {
	if re := compileCached(c.String(name)); re != nil {
		return re
	}
	s, _ := c.def(name).(string)
	return compileCached(s)
}

var regexCache sync.Map // pattern -> *regexp.Regexp (nil when it does not compile)

func compileCached(p string) *regexp.Regexp {
	if v, ok := regexCache.Load(p); ok {
		re, _ := v.(*regexp.Regexp)
		return re
	}
	re, err := regexp.Compile(p)
	if err != nil {
		re = nil
	}
	regexCache.Store(p, re)
	return re
}

// Result is one thing a check found: a violation, or a note that it cannot decide yet.
type Result struct {
	// Object is the resource the result is reported against.
	Object *Object
	// Subject names what is wrong, e.g. `Deployment "api" container "api"`.
	Subject string
	// Problem says what is wrong (or, for undecided results, which value is not known yet).
	Problem string
	// Fix says how to fix it; empty means the policy's Remediation.
	Fix string
	// Undecided marks a result the check could not decide because a value was unknown.
	Undecided bool
}

// Violation is a Result for a problem, with the fix spelled out.
func Violation(o *Object, subject, problem, fix string) Result {
	return Result{Object: o, Subject: subject, Problem: problem, Fix: fix}
}

// Undecided is a Result saying the check cannot decide because the value at path is unknown.
func Undecided(o *Object, subject, path string) Result {
	return Result{Object: o, Subject: subject, Problem: path, Undecided: true}
}

// Message renders a result the way users read it.
func (r Result) Message(p *Policy) string {
	if r.Undecided {
		return fmt.Sprintf("%s: %s cannot decide during preview: %s is not known yet; it is checked again when the value is known",
			r.Subject, p.Name, r.Problem)
	}
	fix := r.Fix
	if fix == "" {
		fix = p.Remediation
	}
	return r.Subject + ": " + r.Problem + "; " + fix
}
