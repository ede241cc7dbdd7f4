// Package platform is the Pulumi program: it loads the stack's configuration, builds the platform and
// exports its outputs (among them Release, the release that applied the stack). main.go runs it; the
// Automation API runs it inline.
//
// Its tests judge the whole program, run under mocks (internal/stacktest) with the committed stack files:
// what holds across every workload (inventory, claims, probes, secrets, rollouts, providers), the knobs,
// the configuration's errors and wiring, the examples, network reachability against docs/network.md
// (cyclonus), the policy pack over both stacks, the release, every rendered object (objects_test.go) and
// every resource's URN (urns_test.go, against testdata/urns-<stack>.txt: a renaming that would move a
// resource fails it). A single component's tests sit beside it in components/.
package platform
