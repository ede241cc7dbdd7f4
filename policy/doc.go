// Command policy is the k8s-guardrails CrossGuard policy pack. It is thin policyx wiring: every
// policy, its text, levels, parameters and checks live in ./checks (one file per policy), and the
// engine that decodes resources and runs the policies lives in ./engine; neither knows policyx.
//
// Run it with `pulumi preview --policy-pack policy` (with a Go language host), or build it with
// `go build -o pack ./policy` and pass the binary: `pulumi preview --policy-pack ./pack`.
package main
