// Command pulumi-resource-random is a STAND-IN for the real pulumi-random resource provider
// plugin. It exists only because the real plugin cannot be downloaded on this project's
// offline machines (its provider module is not served by the Go module registry here).
//
// It implements exactly one resource, random:index/randomPassword:RandomPassword, with the
// real schema's inputs and outputs, passwords drawn from crypto/rand the way the real
// provider draws them, and reports version 4.21.2, so programs built on
// github.com/pulumi/pulumi-random/sdk/v4 v4.21.2 use it unchanged. Any other random resource
// fails. A user with network access should install the real plugin instead:
//
//	pulumi plugin install resource random 4.21.2
//
// tools/build.sh never replaces a real plugin installed that way.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func main() {
	err := provider.Main("random", func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return newRandomProvider(), nil
	})
	if err != nil {
		cmdutil.ExitError(err.Error())
	}
}
