// Package objectid tells Kubernetes objects apart as the API server does: by API group (the old groups
// that still serve an object folded into its group), kind (case-insensitively), namespace and name,
// whatever the version. The program's extraObjects check and the policy pack's objects-managed-once
// use this one definition.
package objectid
