// Package platform is the Pulumi program: it loads the stack's configuration, builds the platform and
// exports its outputs (among them Release, the release that applied the stack). main.go runs it; the
// Automation API runs it inline.
//
// Its tests run the whole program under mocks (internal/stacktest) with the committed stack files and
// judge what it registers: the inventory, pods, secrets, network reachability (cyclonus), the generated
// Prometheus and Alertmanager configurations (promtool, amtool), the real Redis and nginx on their
// rendered configurations, the policy pack's checks, and every resource's URN (urns_test.go, against
// testdata/urns-<stack>.txt: a renaming that would move a resource fails it).
package platform
