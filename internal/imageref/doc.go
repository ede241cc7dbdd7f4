// Package imageref parses container image references ("registry:5000/org/app:1.2@sha256:…") once, for
// the program's configuration, its labels and the policy pack. Parse is strict (the grammar of
// github.com/distribution/reference, which containerd and Kubernetes use); Split is lenient, for code
// that must still describe a reference Parse refuses.
package imageref
