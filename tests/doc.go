// Package tests holds the end-to-end tests: they drive the real pulumi CLI, the real Kubernetes provider
// plugin and the real policy pack binary, through the same runner as `make preview`.
//
// Beside the previews (e2e_test.go, review_test.go, bypass_test.go, podsecurity_test.go, render_test.go,
// runner_test.go, gate_test.go, workflows_test.go) it brings the stacks up for real on the local cluster
// of internal/cluster: on kwok's fake node (cluster_test.go, with the upgrade from the previous release in
// upgrade_test.go, operator_test.go, externalsecrets_test.go) and on a real node (node_test.go,
// external_test.go, and netpol_test.go, which measures the NetworkPolicies with real packets). What each
// proves: docs/testing.md. They run as root, start real control planes, and fail rather than skip when
// the toolchain is missing (go test -short skips them).
package tests
