package docgen

import (
	"fmt"
	"strings"

	"github.com/jdjones/jd-jones-rag-infra/policy/checks"
)

// PolicyTable renders the table of policy/README.md from the pack's policies, in pack order: name,
// scope and the kinds judged, what it checks and why, default level, and each parameter with its type,
// default and meaning.
func PolicyTable(policies []*checks.Policy) []byte {
	var b strings.Builder
	b.WriteString("| Policy | Scope | Judges | What it checks, and why | Level | Parameters |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, p := range policies {
		scope := "resource"
		if p.IsStack() {
			scope = "stack"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s *Why:* %s | %s | %s |\n",
			p.Name, scope, kinds(p), cell(p.Description), cell(p.Why), p.Level, parameters(p))
	}
	return []byte(b.String())
}

// kinds names the kinds a policy judges in words.
func kinds(p *checks.Policy) string {
	if p.IsStack() {
		return "the whole stack"
	}
	if len(p.Kinds) == 0 {
		return "every resource"
	}
	names := make([]string, len(p.Kinds))
	for i, k := range p.Kinds {
		switch k {
		case checks.PodBearing:
			names[i] = "every pod-bearing kind"
		case checks.EveryKind:
			names[i] = "every kind"
		default:
			names[i] = k
		}
	}
	return strings.Join(names, ", ")
}

// parameters renders a policy's parameters, "—" for none.
func parameters(p *checks.Policy) string {
	params := p.Parameters()
	if len(params) == 0 {
		return "—"
	}
	var out []string
	for _, prm := range params {
		typ := prm.Type
		switch {
		case prm.Type == "array" && prm.Regex:
			typ = "list of regular expressions"
		case prm.Type == "array":
			typ = "list of strings"
		case prm.Regex:
			typ = "regular expression"
		}
		var bounds string
		if prm.Minimum != nil {
			bounds = fmt.Sprintf(", at least %d", *prm.Minimum)
		}
		if len(prm.Enum) > 0 {
			bounds = ", one of " + codeList(prm.Enum)
		}
		out = append(out, fmt.Sprintf("`%s` (%s%s; default %s): %s", prm.Name, typ, bounds, defaultValue(prm.Default), cell(prm.Description)))
	}
	return strings.Join(out, "<br>")
}

// defaultValue renders a parameter's default as code.
func defaultValue(v any) string {
	switch v := v.(type) {
	case []any:
		if len(v) == 0 {
			return "none"
		}
		items := make([]string, len(v))
		for i, item := range v {
			items[i] = "`" + cell(fmt.Sprint(item)) + "`"
		}
		return strings.Join(items, ", ")
	case string:
		if v == "" {
			return "none"
		}
		return "`" + cell(v) + "`"
	}
	return "`" + fmt.Sprint(v) + "`"
}
