// Command coredns is CoreDNS v1.15.0 with only the plugins a cluster DNS needs, the cluster DNS of the
// tests' real node (run as a host process). The stock binary compiles in every plugin of plugin.cfg,
// cloud back ends (route53, azure, clouddns) included; this follows CoreDNS's documented way of choosing
// the set at compile time: set dnsserver.Directives and blank-import the plugins, then coremain.Run.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
)

// directives are the chosen plugins in the order of the module's plugin.cfg, which is the order a
// query passes through them whatever their order in the Corefile.
var directives = []string{
	"reload",
	"bind",
	"ready",
	"health",
	"errors",
	"log",
	"loadbalance",
	"cache",
	"kubernetes",
	"loop",
	"forward",
}

func main() {
	dnsserver.Directives = directives
	coremain.Run()
}
