// Command pulumi-resource-kubernetes is the Kubernetes resource provider plugin,
// built from the pinned github.com/pulumi/pulumi-kubernetes/provider/v4 module.
//
// The module's own main embeds schema-embed.json, which is generated at release
// time and not shipped; tools/build.sh copies the module's schema.json and
// terraform-mapping.json next to this file in a staging directory before building.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
)

// providerVersion is the release this build stands for; plugins are installed
// under resource-kubernetes-v<providerVersion>.
const providerVersion = "4.32.0"

//go:embed schema.json
var schema []byte

//go:embed terraform-mapping.json
var mapping []byte

func main() {
	provider.Serve("kubernetes", providerVersion, schema, mapping)
}
