// Command docs regenerates the documents derived from the code (make docs): docs/configuration.md,
// docs/stack-config.schema.json, Pulumi.yaml's config declarations and policy/README.md's policy
// table. Run it from the repository's root, or pass the root with -root.
package main
