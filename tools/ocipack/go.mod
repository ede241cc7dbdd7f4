// ocipack packs root filesystem trees into OCI image-layout tarballs (reproducible gzip layers, one
// shared Debian base layer, thin per-image layers from tools/images recipes), for `ctr images import`.
module github.com/jdjones/jd-jones-rag-infra/tools/ocipack

go 1.26.6

require (
	github.com/opencontainers/go-digest v1.0.0
	github.com/opencontainers/image-spec v1.1.1
)
