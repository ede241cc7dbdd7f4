package docgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// ProjectConfig renders the declarations of Pulumi.yaml's config: block for every plain key: a type
// (Pulumi's project schema types an object's fields no further), a description naming an object's
// fields, and the default the CLI applies (every key has one, or the CLI would require it of a stack). The secret keys are listed in a comment instead: the CLI
// validates a declared key's default like a stack value, and an optional secret has no default it
// would not refuse as plaintext.
func ProjectConfig(keys []*Key) []byte {
	var b strings.Builder
	for _, k := range keys {
		if k.Secret {
			continue
		}
		fmt.Fprintf(&b, "  %s:\n    type: %s\n", k.Path, pulumiType(k))
		if pulumiType(k) == "array" {
			// Pulumi's project schema requires an array's item type.
			fmt.Fprintf(&b, "    items:\n      type: %s\n", pulumiType(&Key{Type: k.Type.Elem()}))
		}
		desc := describe(k)
		if k.IsObject() {
			desc += fmt.Sprintf(" Fields: %s (docs/configuration.md#%s).", fieldNames(k), anchor(k.Path))
		}
		fmt.Fprintf(&b, "    description: %s\n", yamlString(desc))
		// Every plain key is optional: the CLI refuses a stack that lacks a declared key without a default.
		switch {
		case k.IsObject():
			b.WriteString("    default: {}\n")
		case k.Dev != "":
			fmt.Fprintf(&b, "    default: %s\n", k.Dev)
		case pulumiType(k) == "array":
			b.WriteString("    default: []\n")
		}
	}
	b.WriteString("  # The secret keys, each optional, set with `pulumi config set --secret <key> <value>`:\n")
	for _, k := range keys {
		if k.Secret {
			fmt.Fprintf(&b, "  #   %s (without it: %s)\n", k.Path, k.Dev)
		}
	}
	b.WriteString("  # They are not declared: the CLI validates a declared key's default like a stack value, and an\n")
	b.WriteString("  # optional secret has no value it could default to without being refused as plaintext.\n")
	return []byte(b.String())
}

// pulumiType is the key's type in Pulumi's project config schema.
func pulumiType(k *Key) string {
	switch name := config.TypeName(k.Type); {
	case k.IsObject() || strings.HasPrefix(name, "map of"):
		return "object"
	case strings.HasPrefix(name, "list of"):
		return "array"
	default:
		return name
	}
}

// fieldNames lists an object's field keys.
func fieldNames(k *Key) string {
	names := make([]string, len(k.Fields))
	for i, f := range k.Fields {
		names[i] = f.Path[len(k.Path)+1:]
	}
	return strings.Join(names, ", ")
}

// yamlString quotes s as a YAML double-quoted scalar (JSON's string syntax is a subset of it).
func yamlString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err) // a string always encodes
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
