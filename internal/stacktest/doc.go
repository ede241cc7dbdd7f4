// Package stacktest runs the program under pulumi.WithMocks with a stack's real configuration (Pulumi.yaml
// defaults merged under Pulumi.<stack>.yaml, as the CLI merges them) and records every registered resource.
// It also holds what the tests of components/ and platform/ share: the type tokens they read (kinds.go),
// running a stack with overrides and decoding workloads (testing.go), reading ConfigMaps and Secrets
// (objects.go, alertmanager.go), the policy pack's verdict on a record (policy.go), and finding the
// checkers and servers `make tools` provides (tools.go).
package stacktest
