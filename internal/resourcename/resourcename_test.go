package resourcename_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/jdjones/jd-jones-rag-infra/internal/resourcename"
)

// The cases follow k8s.io/kubernetes pkg/apis/core/v1/helper's TestIsExtendedResourceName.
func TestExtendedResourceNamesFollowKubernetes(t *testing.T) {
	for name, want := range map[string]bool{
		"nvidia.com/gpu": true, "amd.com/gpu": true, "foo.com/bar": true, "example.com/dongle": true,
		"gpu": false, "cpu": false, "memory": false, "kubernetes.io/gpu": false, "foo.kubernetes.io/bar": false,
		"requests.foo.com/bar": false, "a/b/c": false, "hugepages-2Mi": false, "foo.com/": false,
	} {
		assert.Equal(t, want, resourcename.IsExtended(name), name)
	}
	assert.True(t, resourcename.IsHugePages("hugepages-1Gi"))
	assert.True(t, resourcename.IsStrict("hugepages-1Gi"))
	assert.False(t, resourcename.IsStrict("memory"))
}

func TestQuantitiesTheAPIServerAccepts(t *testing.T) {
	for _, tc := range []struct {
		name, quantity string
		ok             bool
	}{
		{"nvidia.com/gpu", "1", true}, {"nvidia.com/gpu", "8", true}, {"nvidia.com/gpu", "1000m", true},
		{"nvidia.com/gpu", "0.5", false}, {"nvidia.com/gpu", "1500m", false}, {"nvidia.com/gpu", "0", false},
		{"hugepages-2Mi", "4Mi", true}, {"hugepages-1Gi", "2Gi", true},
		{"hugepages-2Mi", "3Mi", false}, {"hugepages-2Mi", "0", false}, {"hugepages-x", "2Mi", false},
		{"cpu", "1", false},
	} {
		problem := resourcename.Problem(tc.name, resource.MustParse(tc.quantity))
		assert.Equal(t, tc.ok, problem == "", "%s: %s: %q", tc.name, tc.quantity, problem)
	}
}
