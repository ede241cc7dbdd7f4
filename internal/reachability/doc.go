// Package reachability computes who may open a connection to whom under a set of NetworkPolicies, with
// the matcher of github.com/mattfenwick/cyclonus: an implementation of the NetworkPolicy specification
// written to test CNIs against it, so the answer does not come from this project's reading of the spec.
package reachability
