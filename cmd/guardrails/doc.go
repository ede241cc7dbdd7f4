// Command guardrails runs the policy pack's checks over plain Kubernetes YAML manifests — rendered stacks,
// `helm template` output, kustomize builds — without Pulumi:
//
//	guardrails rendered/prod
//	helm template my-chart | guardrails -production -
//
// It prints one line per finding and exits 1 when a mandatory violation is not excepted.
package main
