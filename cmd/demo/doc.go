// Command demo runs the dev stack for real on the local cluster with its real node, for a newcomer to
// look at and poke, and removes it all again:
//
//	make demo         builds this command into .demo/bin and runs `demo start`
//	make demo-down    runs `demo stop`
//
//	demo start        starts a holder process (`demo hold`) that owns the cluster, waits until the dev
//	                  stack is up on it and prints how to reach it; a second start prints the same
//	demo stop         stops the holder, which stops every process of the cluster and removes what it
//	                  made; then removes .demo
//	demo password     prints Grafana's admin password from the stack's output
//
// It needs root (containers, mounts, the bridge) and the toolchain `make tools` built. While it runs,
// the tests that start a real node wait for it (one node at a time): run `make demo-down` first.
package main
