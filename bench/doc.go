// Command bench measures what platform teams wait for, each figure against a baseline measured in the same
// run on the same machine, and prints a table (also written to bench/results.md):
//
//  1. the policy pack's checks over rendered manifests (cmd/guardrails) against kube-score, at 100, 1,000
//     and 10,000 objects, both as whole processes;
//  2. a preview of dev with the policy pack against the same preview without it;
//  3. building the whole program under mocks, per stack, against an empty program;
//  4. time to Ready on a fresh local control plane: `up` of dev until Pulumi's readiness waits end,
//     against `kubectl apply` of the rendered dev stack and `kubectl wait` for the same workloads.
//
// Run it with `make bench` (it needs the toolchain and kube-score, which make bench builds). With -short it
// measures every figure once, at 100 and 1,000 objects, without the baselines (kube-score, kubectl) and
// without writing results.md: what `make test` runs (bench_test.go), so a broken benchmark fails CI.
package main
