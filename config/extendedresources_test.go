package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExtendedResourcesAreCheckedWithKubernetesRules(t *testing.T) {
	const key = "workloads.celeryWorker.resources.extended."
	for _, tc := range []struct {
		name, extended string
		want           []string
	}{
		{"a fractional GPU is refused", `{"nvidia.com/gpu": "0.5"}`,
			[]string{key + `nvidia.com/gpu = "0.5": must be a whole number greater than zero: an extended resource such as a GPU is not shared, so it cannot be split`}},
		{"a milli GPU is refused", `{"amd.com/gpu": "500m"}`,
			[]string{key + `amd.com/gpu = "500m": must be a whole number greater than zero: an extended resource such as a GPU is not shared, so it cannot be split`}},
		{"zero GPUs are refused", `{"nvidia.com/gpu": "0"}`,
			[]string{key + `nvidia.com/gpu = "0": must be a whole number greater than zero: an extended resource such as a GPU is not shared, so it cannot be split`}},
		{"an unprefixed name is not an extended resource", `{"gpu": "1"}`,
			[]string{key + `gpu = "1": must be named a domain-prefixed extended resource outside kubernetes.io/ (nvidia.com/gpu, amd.com/gpu) or hugepages-<page size> (hugepages-2Mi)`}},
		{"cpu cannot be overridden here", `{"cpu": "1"}`,
			[]string{key + `cpu = "1": must be named a domain-prefixed extended resource outside kubernetes.io/ (nvidia.com/gpu, amd.com/gpu) or hugepages-<page size> (hugepages-2Mi)`}},
		{"kubernetes.io/ names are native, not extended", `{"example.kubernetes.io/gpu": "1"}`,
			[]string{key + `example.kubernetes.io/gpu = "1": must be named a domain-prefixed extended resource outside kubernetes.io/ (nvidia.com/gpu, amd.com/gpu) or hugepages-<page size> (hugepages-2Mi)`}},
		{"hugepages must be a multiple of the page size", `{"hugepages-2Mi": "3Mi"}`,
			[]string{key + `hugepages-2Mi = "3Mi": must be a positive multiple of the page size 2Mi`}},
		{"a hugepages size must be a quantity", `{"hugepages-big": "2Mi"}`,
			[]string{key + `hugepages-big = "2Mi": must be named a domain-prefixed extended resource outside kubernetes.io/ (nvidia.com/gpu, amd.com/gpu) or hugepages-<page size> (hugepages-2Mi)`}},
		{"a value that is no quantity", `{"nvidia.com/gpu": "one"}`,
			[]string{key + `nvidia.com/gpu = "one": must be a Kubernetes quantity such as 1 (a GPU) or 1Gi (hugepages)`}},
		{"a bare number says to quote it", `{"nvidia.com/gpu": 1}`,
			[]string{key + `nvidia.com/gpu = 1: must be a string (in YAML, quote it: "1")`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := loadDev(map[string]string{"workloads": `{"celeryWorker": {"resources": {"extended": ` + tc.extended + `}}}`})
			assert.EqualError(t, err, refused(tc.want...))
		})
	}
}

func TestExtendedResourcesKubernetesAcceptsPass(t *testing.T) {
	err := loadDev(map[string]string{"workloads": `{"celeryWorker": {"resources": {"extended": {"nvidia.com/gpu": "1", "amd.com/gpu": "2", "hugepages-2Mi": "4Mi", "hugepages-1Gi": "1Gi"}}}}`})
	require.NoError(t, err)
}
