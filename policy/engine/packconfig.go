package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// PolicyConfig is one policy's entry in a policy pack config: a level override and parameters.
type PolicyConfig struct {
	// Level overrides the default enforcement level; "" keeps it.
	Level Level
	// Properties are the policy's parameters.
	Properties map[string]any
}

// Exception is one entry of a v2 config's "exceptions": it excepts the violations of the listed
// policies on the listed URNs, with a reason.
type Exception struct {
	ID     string
	Reason string
	Match  []ExceptionMatch
}

// ExceptionMatch lists policies and the URNs (targets) they are excepted on.
type ExceptionMatch struct {
	Policies []string `json:"policies"`
	Targets  []string `json:"targets"`
}

// PackConfig is a parsed `--policy-pack-config` file.
type PackConfig struct {
	Policies   map[string]PolicyConfig
	Exceptions []Exception
}

// Options returns Evaluate options for this config.
func (c PackConfig) Options(production bool) Options {
	return Options{Production: production, Policies: c.Policies, Exceptions: c.Exceptions}
}

// ParsePackConfig reads a policy pack config file the way the Pulumi CLI does: either the
// unversioned form (policy name -> level string or object with "enforcementLevel") or version 2
// ({"version": 2, "policies": {...}, "exceptions": {...}}). Exceptions need a reason and at least
// one match with policies and targets, as the CLI requires. Parameters of pack's policies are
// decoded and validated; a bad value is an error that names the policy and the key.
func ParsePackConfig(data []byte, pack Pack) (PackConfig, error) {
	var raw map[string]json.RawMessage
	if len(strings.TrimSpace(string(data))) == 0 {
		return PackConfig{Policies: map[string]PolicyConfig{}}, nil
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return PackConfig{}, err
	}
	policies := raw
	var out PackConfig
	var version float64
	if v, ok := raw["version"]; ok && json.Unmarshal(v, &version) == nil {
		if version != 2 {
			return PackConfig{}, errors.New(`"version" must be 2`)
		}
		policies = map[string]json.RawMessage{}
		if p, ok := raw["policies"]; ok {
			if err := json.Unmarshal(p, &policies); err != nil {
				return PackConfig{}, fmt.Errorf(`"policies": %w`, err)
			}
		}
		if e, ok := raw["exceptions"]; ok {
			excs, err := parseExceptions(e)
			if err != nil {
				return PackConfig{}, err
			}
			out.Exceptions = excs
		}
	} else {
		delete(policies, "environments")
	}
	out.Policies = map[string]PolicyConfig{}
	for name, v := range policies {
		pc, err := parsePolicyConfig(v)
		if err != nil {
			return PackConfig{}, fmt.Errorf("policy %q: %w", name, err)
		}
		if p, known := pack.Lookup(name); known {
			if _, err := p.DecodeParams(pc.Properties); err != nil {
				return PackConfig{}, err
			}
		}
		out.Policies[name] = pc
	}
	return out, nil
}

func parseLevel(s string) (Level, error) {
	switch l := Level(s); l {
	case Advisory, Mandatory, Disabled:
		return l, nil
	case "remediate":
		return Mandatory, nil // these policies do not remediate; the engine treats it as mandatory
	}
	return "", fmt.Errorf("%q is not a valid enforcement level", s)
}

func parsePolicyConfig(v json.RawMessage) (PolicyConfig, error) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		l, err := parseLevel(s)
		return PolicyConfig{Level: l}, err
	}
	var props map[string]any
	if err := json.Unmarshal(v, &props); err != nil {
		return PolicyConfig{}, errors.New("must be a level string or an object")
	}
	var pc PolicyConfig
	if el, ok := props["enforcementLevel"]; ok {
		s, isStr := el.(string)
		if !isStr {
			return PolicyConfig{}, errors.New("enforcementLevel must be a string")
		}
		l, err := parseLevel(s)
		if err != nil {
			return PolicyConfig{}, err
		}
		pc.Level = l
		delete(props, "enforcementLevel")
	}
	if len(props) > 0 {
		pc.Properties = props
	}
	return pc, nil
}

func parseExceptions(raw json.RawMessage) ([]Exception, error) {
	var entries map[string]struct {
		Reason string           `json:"reason"`
		Match  []ExceptionMatch `json:"match"`
	}
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, errors.New(`"exceptions" must be an object that maps exception IDs to exceptions`)
	}
	ids := make([]string, 0, len(entries))
	for id := range entries {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []Exception
	for _, id := range ids {
		e := entries[id]
		if strings.TrimSpace(e.Reason) == "" {
			return nil, fmt.Errorf("policy exception %q: \"reason\" is required", id)
		}
		if len(e.Match) == 0 {
			return nil, fmt.Errorf("policy exception %q: \"match\" must list at least one {\"policies\", \"targets\"} entry", id)
		}
		for i, m := range e.Match {
			if len(m.Policies) == 0 || len(m.Targets) == 0 {
				return nil, fmt.Errorf("policy exception %q: match[%d] needs policies and targets", id, i)
			}
			for _, p := range m.Policies {
				if p == "all" || p == "" {
					return nil, fmt.Errorf("policy exception %q: match[%d] must name policies", id, i)
				}
			}
			for _, t := range m.Targets {
				if !strings.HasPrefix(t, "urn:pulumi:") {
					return nil, fmt.Errorf("policy exception %q: target %q is not a URN", id, t)
				}
			}
		}
		out = append(out, Exception{ID: id, Reason: e.Reason, Match: e.Match})
	}
	return out, nil
}
