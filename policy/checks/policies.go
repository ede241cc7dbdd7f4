package checks

import (
	"slices"

	"github.com/jdjones/jd-jones-rag-infra/policy/engine"
)

// ResourcePolicies returns the pack's resource policies in pack order. A new resource policy is one
// entry here.
func ResourcePolicies() []*engine.Policy {
	return []*engine.Policy{
		engine.KubernetesObjectReadable,
		WorkloadProbes,
		NoLiteralCredentials,
		NoLeakedCredentials,
		SecretDataIsPulumiSecret,
		DatabaseRunsAsStatefulSet,
		ServingDeploymentReplicas,
		DatabaseHAInProduction,
		RWXStorageClass,
		NoHostPathPersistentVolume,
		ContainerResources,
		ImageTagNotLatest,
		ImagePinnedByDigest,
		ImagePullPolicyAlways,
		ReadOnlyRootFilesystem,
		NamespacePodSecurity,
		PodSecurityStandards,
		IngressTLS,
		IngressNoSnippets,
		GatewayTLS,
		DeprecatedAPIVersions,
		NoDuplicateEnv,
		SelectorMatchesLabels,
		ServiceNotExposed,
		NetworkPolicyEgressMetadata,
		RBACLeastPrivilege,
		RBACBindings,
	}
}

// StackPolicies returns the pack's stack policies in pack order. A new stack policy is one entry here.
func StackPolicies() []*engine.Policy {
	return []*engine.Policy{
		PDBCoverage,
		NetworkPolicyCoverage,
		NetworkPolicyEgressCoverage,
		ServiceSelectsPods,
		IngressBackendExists,
		GatewayBackendExists,
		HPATargets,
		ServingReplicasUnset,
		ReplicatedPodsSpread,
		ServiceAccountTokenUnused,
		PodSecurityNamespaceLevel,
		ObjectsManagedOnce,
		UnjudgedKinds,
	}
}

// DefaultPack is the k8s-guardrails pack: ResourcePolicies and StackPolicies with their notes.
func DefaultPack() engine.Pack {
	return engine.NewPack(slices.Concat(ResourcePolicies(), StackPolicies())...)
}

// All returns every policy of the default pack in pack order: resource policies, their notes, stack
// policies, their notes.
func All() []*engine.Policy { return DefaultPack().Policies() }

// Lookup returns the policy of the default pack with the given name.
func Lookup(name string) (*engine.Policy, bool) { return DefaultPack().Lookup(name) }

// ParsePackConfig reads a policy pack config file for the default pack (see [PackConfig]).
func ParsePackConfig(data []byte) (engine.PackConfig, error) {
	return engine.ParsePackConfig(data, DefaultPack())
}
