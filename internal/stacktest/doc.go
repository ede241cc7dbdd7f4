// Package stacktest runs the program under pulumi.WithMocks with a stack's real configuration (Pulumi.yaml
// defaults merged under Pulumi.<stack>.yaml, as the CLI merges them) and records every registered resource.
package stacktest
