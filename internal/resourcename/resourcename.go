package resourcename

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Allowed says which names are extended resources, for messages.
const Allowed = "a domain-prefixed extended resource outside kubernetes.io/ (nvidia.com/gpu, amd.com/gpu) or hugepages-<page size> (hugepages-2Mi)"

// IsExtended reports whether name is an extended resource: a domain-prefixed name outside the
// kubernetes.io/ namespace that is a qualified name once quota's "requests." prefix is added.
func IsExtended(name string) bool {
	if isNative(name) || strings.HasPrefix(name, corev1.DefaultResourceRequestsPrefix) {
		return false
	}
	return len(validation.IsQualifiedName(corev1.DefaultResourceRequestsPrefix+name)) == 0
}

// isNative reports whether name is in the kubernetes.io/ namespace; an unprefixed name is implicitly.
func isNative(name string) bool {
	return !strings.Contains(name, "/") || strings.Contains(name, corev1.ResourceDefaultNamespacePrefix)
}

// IsHugePages reports whether name has the hugepages- prefix.
func IsHugePages(name string) bool {
	return strings.HasPrefix(name, corev1.ResourceHugePagesPrefix)
}

// IsStrict reports whether name is a resource the API server does not let a container overcommit
// (an extended resource or hugepages): its request, when set, must equal its limit.
func IsStrict(name string) bool {
	return IsExtended(name) || IsHugePages(name)
}

// Problem says what is wrong with a quantity of the extended resource or hugepages name, or "" when
// the API server accepts it; a name that is neither is a problem too.
func Problem(name string, q resource.Quantity) string {
	switch {
	case IsHugePages(name):
		size, err := resource.ParseQuantity(strings.TrimPrefix(name, corev1.ResourceHugePagesPrefix))
		if err != nil || size.Sign() <= 0 {
			return "must be named " + Allowed
		}
		if q.Sign() <= 0 || q.Value()%size.Value() != 0 {
			return fmt.Sprintf("must be a positive multiple of the page size %s", size.String())
		}
	case IsExtended(name):
		if q.Sign() <= 0 || q.MilliValue()%1000 != 0 {
			return "must be a whole number greater than zero: an extended resource such as a GPU is not shared, so it cannot be split"
		}
	default:
		return "must be named " + Allowed
	}
	return ""
}
