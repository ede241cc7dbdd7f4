// Pins the upstream modules whose CustomResourceDefinitions the local control plane of the cluster tests
// installs (tools/build.sh crds copies the files crds.txt lists); nothing here is built.
module github.com/jdjones/jd-jones-rag-infra/tools/crds

go 1.26.6

require (
	github.com/external-secrets/external-secrets v1.3.2
	github.com/kubernetes-csi/external-snapshotter/client/v8 v8.7.0
	github.com/kedacore/keda/v2 v2.20.0
	github.com/prometheus-operator/prometheus-operator v0.85.0
	sigs.k8s.io/gateway-api v1.6.3
)
