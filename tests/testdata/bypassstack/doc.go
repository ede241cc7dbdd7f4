// Package bypassstack is a Pulumi program for the end-to-end tests that tries every way past the
// policy pack that Pulumi can carry: patches, the less common pod-bearing kinds, a custom resource
// with a pod template and a native sidecar. Every resource is compliant except for the one risk its
// name announces, so each expected policy fires on exactly the expected resource and nothing else does.
package bypassstack
