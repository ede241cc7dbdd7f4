// Package runner drives the program through the Automation API as an inline program, with the
// toolchain `make tools` builds, against a local file backend kept in an ignored folder. It is what
// `cmd/stack` and the end-to-end tests use, so both find the toolchain the same way.
package runner
