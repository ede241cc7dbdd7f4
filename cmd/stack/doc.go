// Command stack runs the platform program for one stack through the Automation API, with the offline
// toolchain from `make tools`, a local file backend in .pulumi-local/, and the policy pack on:
//
//	go run ./cmd/stack preview -s dev
//	go run ./cmd/stack up -s dev
//	go run ./cmd/stack render -s prod -out rendered/prod
//	go run ./cmd/stack refresh -s dev
//	go run ./cmd/stack destroy -s dev
package main
