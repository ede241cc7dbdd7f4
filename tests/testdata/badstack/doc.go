// Package badstack is a deliberately bad Pulumi program for the end-to-end tests: every resource is
// compliant except for the one risk its name announces, so each expected policy fires on exactly the
// expected resource and nothing else does.
package badstack
