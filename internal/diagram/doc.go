// Package diagram is the platform's network as the architecture review drew it: the parties around a
// stack's namespace, the ports they use and the flows that must be allowed (every other one is denied),
// and a stack's own pods and NetworkPolicies read from its rendered objects. The computed test
// (platform/reachability_test.go) and the packet test on the real node (tests/netpol_test.go) both judge
// the rendered policies against it.
package diagram
