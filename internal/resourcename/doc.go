// Package resourcename holds Kubernetes's rules for a container's extended resources (GPUs and other
// device-plugin resources, hugepages): which names are valid and which quantities the API server
// accepts. The stack's validation and the policy pack both judge with these, so they agree.
//
// The rules are those of k8s.io/kubernetes v1.34 (pkg/apis/core/v1/helper: IsExtendedResourceName,
// IsNativeResource, IsHugePageResourceName; pkg/apis/core/validation: ValidateResourceQuantityValue,
// validateResourceQuantityHugePageValue, validateResourceRequirements), reimplemented here because
// k8s.io/kubernetes is not a library this module depends on.
package resourcename
