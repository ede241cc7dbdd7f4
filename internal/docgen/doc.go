// Package docgen generates the documents that describe the code from the code itself, so they cannot
// drift: the configuration reference (docs/configuration.md), the JSON Schema of a stack file
// (docs/stack-config.schema.json), the config block of Pulumi.yaml and the policy table of
// policy/README.md. Field documentation is the Go doc comment of each config struct field, read from
// the config package's source; types, defaults and secrets come from the config package's values.
// cmd/docs writes the files (make docs); this package's test fails when a checked-in file is stale.
package docgen
