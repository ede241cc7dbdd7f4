#!/usr/bin/env bash
# Builds, or reuses from a cache outside the checkout, the offline toolchain:
# the pulumi CLI, the Kubernetes provider plugin, the stand-in random provider, actionlint, amtool,
# promtool, the local control plane of the cluster tests (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok) and its real node (containerd, ctr, containerd-shim-runc-v2, runc, the CNI plugins,
# kubelet, kube-proxy, coredns, kube-router). Then links them into .tools/bin (the CNI plugins into .tools/cni-bin) and
# installs the plugins into the project-local Pulumi home .tools/pulumi-home, laid out the way
# `pulumi plugin install` does. Debian's redis-server and nginx, which the server tests run, and the node's
# iptables, conntrack and ipset come from apt-get instead (debian-packages). Last, the node's container
# images as OCI tarballs, linked as .tools/images (images; see tool_images and tools/images/README.md).
#
# Usage: tools/build.sh [tool...]   (tools: pulumi kubernetes-provider random-standin actionlint amtool promtool etcd
#        kube kwok containerd runc cni coredns kube-router crds versitygw debian-packages images; default all of these;
#        on request only: kube-score for `make bench`, golangci-lint for `make lint`)
# Cache: ${JDJ_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jd-jones-rag-infra/tools}/<tool>-<key>/,
# where <key> hashes the tool's files (go.mod, go.sum, sources; tests excluded), the Go version
# and the build flags, so a pinned-version change rebuilds and a fresh clone reuses what is there.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_SRC=$ROOT/tools
CACHE=${JDJ_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jd-jones-rag-infra/tools}
BIN=$ROOT/.tools/bin
PULUMI_HOME_DIR=$ROOT/.tools/pulumi-home
PLUGINS=$PULUMI_HOME_DIR/plugins
# A file of this name in a plugin directory says we put the plugin there (a stand-in).
STANDIN_MARKER=JDJ-STANDIN

# Static binaries, independent of the host's libc; releases of both are built this way too. runc alone
# needs cgo (tool_runc).
export CGO_ENABLED=0

log() { printf '==> %s\n' "$*"; }
now() { date +%s; }
# took START WHAT: prints how long WHAT took since START.
took() { printf '    %s took %ss\n' "$2" "$(($(now) - $1))"; }

# cache_key TOOL [RECIPE...]: a short hash of everything that determines TOOL's binary.
cache_key() {
	local tool=$1
	shift
	{
		printf 'recipe %s\n' "$*"
		go env GOVERSION GOOS GOARCH CGO_ENABLED
		(cd "$TOOLS_SRC/$tool" &&
			find . -type f ! -name '*_test.go' -print0 |
			LC_ALL=C sort -z | xargs -0 sha256sum)
	} | sha256sum | cut -c1-16
}

# version_const FILE NAME: the value of `const NAME = "..."` in FILE (the single source of a version).
version_const() {
	local v
	v=$(sed -n "s/^const $2 = \"\\(.*\\)\"\$/\\1/p" "$1")
	[[ -n $v ]] || { echo "build.sh: no 'const $2 = \"...\"' in $1" >&2; exit 1; }
	printf '%s' "$v"
}

# build_cached TOOL BINARY PREPARE LDFLAGS PKG [FLAGS]: sets BUILT to the cached binary of TOOL,
# building it first if the cache has no entry for the current key. PREPARE is a function
# run in the staging copy of the module before `go build` (or "true"). FLAGS are more `go build`
# flags, split on spaces (e.g. -tags=a,b); they enter the key only when given.
build_cached() {
	local tool=$1 binary=$2 prepare=$3 ldflags=$4 pkg=$5 flags=${6:-}
	local key dest start tmp extra=()
	[[ -n $flags ]] && read -ra extra <<<"$flags"
	key=$(cache_key "$tool" "$ldflags" "$pkg" ${flags:+"$flags"})
	dest=$CACHE/$tool-$key
	if [[ -x $dest/$binary ]]; then
		log "$tool: reusing $dest"
		BUILT=$dest/$binary
		return
	fi
	log "$tool: building (cache key $key)"
	start=$(now)
	mkdir -p "$CACHE"
	# Build in a temporary directory next to the final one and rename it into place, so an
	# interrupted build never leaves a half-written cache entry.
	tmp=$(mktemp -d "$CACHE/.tmp-$tool-$key-XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now: it is local to this call.
	trap "rm -rf '$tmp'" EXIT
	cp -R "$TOOLS_SRC/$tool" "$tmp/src"
	mkdir "$tmp/out"
	(cd "$tmp/src" && "$prepare" && go build "${extra[@]}" -ldflags "$ldflags" -o "$tmp/out/$binary" "$pkg")
	printf 'tool=%s\nkey=%s\ngo=%s\ncgo=%s\nflags=%s\nldflags=%s\nbuilt=%s\n' "$tool" "$key" "$(go env GOVERSION)" \
		"$CGO_ENABLED" "$flags" "$ldflags" "$(date -u +%FT%TZ)" >"$tmp/out/BUILDINFO"
	if ! mv -T "$tmp/out" "$dest" 2>/dev/null; then
		# Another build of the same key finished first; its result is as good as ours.
		log "$tool: $dest appeared meanwhile, keeping it"
	fi
	rm -rf "$tmp"
	trap - EXIT
	took "$start" "$tool build"
	BUILT=$dest/$binary
}

# link_bin TARGET [DIR]: DIR/<basename> -> TARGET; DIR defaults to .tools/bin.
link_bin() {
	local dir=${2:-$BIN}
	mkdir -p "$dir"
	ln -sfn "$1" "$dir/$(basename "$1")"
}

# install_plugin NAME VERSION BINARY: installs a resource plugin into the project-local Pulumi
# home as `pulumi plugin install` lays it out: plugins/resource-NAME-vVERSION/pulumi-resource-NAME
# plus the installer's lock file, and no .partial file (which would mean "install unfinished").
install_plugin() {
	local name=$1 version=$2 binary=$3
	local dir=$PLUGINS/resource-$name-v$version
	log "$name plugin: installing v$version into $dir"
	mkdir -p "$dir"
	ln -sfn "$binary" "$dir/pulumi-resource-$name"
	[[ -e $dir.lock ]] || : >"$dir.lock"
	rm -f "$dir.partial"
}

# stage_kubernetes_schema: copies the schema and Terraform mapping that the provider embeds
# from the pinned module into the staging copy (5+ MB generated inputs, not kept in git).
# shellcheck disable=SC2317 # called indirectly, as build_cached's PREPARE.
stage_kubernetes_schema() {
	local mod=github.com/pulumi/pulumi-kubernetes/provider/v4 dir
	go mod download "$mod"
	dir=$(go list -m -f '{{.Dir}}' "$mod")
	cp "$dir/cmd/pulumi-resource-kubernetes/schema.json" "$dir/cmd/pulumi-resource-kubernetes/terraform-mapping.json" .
	chmod u+w schema.json terraform-mapping.json
}

tool_pulumi() {
	local version
	version=$(cd "$TOOLS_SRC/pulumi" && go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)
	build_cached pulumi pulumi true \
		"-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
		github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
	link_bin "$BUILT"
}

tool_kubernetes_provider() {
	local version
	version=$(version_const "$TOOLS_SRC/kubernetes-provider/main.go" providerVersion)
	build_cached kubernetes-provider pulumi-resource-kubernetes stage_kubernetes_schema \
		"-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$version" .
	link_bin "$BUILT"
	install_plugin kubernetes "$version" "$BUILT"
}

tool_random_standin() {
	local version dir
	version=$(version_const "$TOOLS_SRC/random-standin/provider.go" Version)
	build_cached random-standin pulumi-resource-random true "" .
	link_bin "$BUILT"
	dir=$PLUGINS/resource-random-v$version
	if [[ -e $dir/pulumi-resource-random && ! -e $dir/$STANDIN_MARKER ]]; then
		log "random-standin: $dir holds a real plugin; leaving it alone"
		return
	fi
	install_plugin random "$version" "$BUILT"
	printf 'Stand-in built by tools/build.sh, not the real pulumi-random plugin.\n' >"$dir/$STANDIN_MARKER"
}

tool_actionlint() {
	local version
	version=$(cd "$TOOLS_SRC/actionlint" && go list -m -f '{{.Version}}' github.com/rhysd/actionlint)
	build_cached actionlint actionlint true \
		"-X github.com/rhysd/actionlint.version=$version" github.com/rhysd/actionlint/cmd/actionlint
	link_bin "$BUILT"
}

# amtool checks the Alertmanager configuration the program generates (platform/amtool_test.go).
tool_amtool() {
	build_alertmanager_cmd amtool
	link_bin "$BUILT"
}

# build_alertmanager_cmd CMD: builds CMD (amtool, or the alertmanager server of the node's image) of the
# module tools/amtool pins; sets BUILT. One cache entry per command, one module and Go build cache.
build_alertmanager_cmd() {
	local version
	version=$(cd "$TOOLS_SRC/amtool" && go list -m -f '{{.Version}}' github.com/prometheus/alertmanager)
	build_cached amtool "$1" true \
		"-X github.com/prometheus/common/version.Version=${version#v}" "github.com/prometheus/alertmanager/cmd/$1"
}

# promtool checks and unit-tests the Prometheus rules and configuration the program generates
# (components/alerts_test.go, platform/promtool_test.go). Module v0.MMm.p is Prometheus M.m.p.
tool_promtool() {
	build_prometheus_cmd promtool
	link_bin "$BUILT"
}

# build_prometheus_cmd CMD: builds CMD (promtool, or the prometheus server of the node's image) of the
# module tools/promtool pins; sets BUILT. The server is built without the builtinassets tag: it serves
# its API, /metrics and /-/healthy, /-/ready, but no web UI pages (it looks for them on disk, under
# web/ui/static of its working folder; without them / redirects to /query, which answers 500).
build_prometheus_cmd() {
	local version release
	version=$(cd "$TOOLS_SRC/promtool" && go list -m -f '{{.Version}}' github.com/prometheus/prometheus)
	release=${version#v0.}
	release="$((${release%%.*} / 100)).$((${release%%.*} % 100)).${release#*.}"
	build_cached promtool "$1" true \
		"-X github.com/prometheus/common/version.Version=$release" "github.com/prometheus/prometheus/cmd/$1"
}

# tool_etcd, tool_kube, tool_kwok: the local control plane that tests/cluster_test.go starts
# through internal/cluster (loopback only; see there); tool_kube also builds the node's kubelet and kube-proxy.
# etcd and kwok carry their version in their sources; the kube commands need it linked in.
tool_etcd() {
	build_cached etcd etcd true "" .
	link_bin "$BUILT"
}

# The commands share one module (and Go's build cache) but are cached one entry each.
tool_kube() {
	local version minor cmd ldflags pkg
	version=$(cd "$TOOLS_SRC/kube" && go list -m -f '{{.Version}}' k8s.io/kubernetes)
	minor=${version#v*.}
	minor=${minor%%.*}
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		ldflags+="-X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean "
	done
	for cmd in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
		build_cached kube "$cmd" true "${ldflags% }" "k8s.io/kubernetes/cmd/$cmd"
		link_bin "$BUILT"
	done
}

tool_kwok() {
	build_cached kwok kwok true "" sigs.k8s.io/kwok/cmd/kwok
	link_bin "$BUILT"
}

# tool_containerd, tool_runc, tool_cni, tool_coredns (and kubelet, kube-proxy in tool_kube): the real node
# of the cluster tests, run as host processes.
# containerd with the CRI plugin and the overlayfs snapshotter; the tags are its Makefile's
# (urfave_cli_no_docs, and no_grpc for the shim) plus no_devmapper and no_zfs, snapshotters we do not use
# (btrfs needs cgo and drops out by itself). One cache entry per binary, like tool_kube.
tool_containerd() {
	local version ldflags cmd tags=urfave_cli_no_docs,no_devmapper,no_zfs
	version=$(cd "$TOOLS_SRC/containerd" && go list -m -f '{{.Version}}' github.com/containerd/containerd/v2)
	ldflags="-X github.com/containerd/containerd/v2/version.Version=$version"
	for cmd in containerd ctr containerd-shim-runc-v2; do
		[[ $cmd == containerd-shim-runc-v2 ]] && tags+=,no_grpc
		build_cached containerd "$cmd" true "$ldflags" "github.com/containerd/containerd/v2/cmd/$cmd" "-tags=$tags"
		link_bin "$BUILT"
	done
}

# RUNC_BUILD_PACKAGES: what runc's cgo build needs from Debian (libseccomp-golang finds libseccomp through
# pkg-config); runc then links libseccomp dynamically (libseccomp2, which libseccomp-dev depends on).
RUNC_BUILD_PACKAGES=(gcc libc6-dev pkg-config libseccomp-dev)

# runc needs cgo (libcontainer/nsenter is C) and, with the seccomp tag, libseccomp; its version comes from
# the module's VERSION file (go:embed). Tags are its Makefile's but libpathrs (a Rust library Debian lacks).
tool_runc() {
	local -x CGO_ENABLED=1
	install_debian_packages "${RUNC_BUILD_PACKAGES[@]}"
	build_cached runc runc true "" github.com/opencontainers/runc -tags=seccomp,urfave_cli_no_docs
	link_bin "$BUILT"
}

# CNI_PLUGINS: the plugins (module path under github.com/containernetworking/plugins/plugins) the node's
# bridge network uses. One cache entry each, all linked into one CNI bin dir, .tools/cni-bin.
CNI_PLUGINS=(main/bridge ipam/host-local main/loopback meta/portmap)

tool_cni() {
	local version mod=github.com/containernetworking/plugins plugin
	version=$(cd "$TOOLS_SRC/cni" && go list -m -f '{{.Version}}' "$mod")
	for plugin in "${CNI_PLUGINS[@]}"; do
		build_cached cni "${plugin#*/}" true "-X $mod/pkg/utils/buildversion.BuildVersion=$version" "$mod/plugins/$plugin"
		link_bin "$BUILT" "$ROOT/.tools/cni-bin"
	done
}

# coredns: tools/coredns/main.go, CoreDNS with the cluster DNS plugins only; its version is a constant of the module.
tool_coredns() {
	build_cached coredns coredns true "" .
	link_bin "$BUILT"
}

# kube-router: the real node's NetworkPolicy implementation in the packet tests (only its netpol
# controller runs; internal/cluster starts it when RealNode.NetworkPolicies is set). Version linked in.
tool_kube_router() {
	local version
	version=$(cd "$TOOLS_SRC/kube-router" && go list -m -f '{{.Version}}' github.com/cloudnativelabs/kube-router/v2)
	build_cached kube-router kube-router true "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$version" \
		github.com/cloudnativelabs/kube-router/v2/cmd/kube-router
	link_bin "$BUILT"
}

# DEBIAN_PACKAGES are the real servers platform/servers_test.go runs against the configurations the
# program renders: Redis (bookworm's 7.0, with redis-cli) and nginx; what the real node needs on the host:
# iptables (iptables, ip6tables, iptables-restore/-save for kube-proxy's iptables mode), conntrack and
# ipset; and what runc's build needs (RUNC_BUILD_PACKAGES, which tool_runc installs itself too).
DEBIAN_PACKAGES=(redis-server nginx iptables conntrack ipset "${RUNC_BUILD_PACKAGES[@]}" mmdebstrap)

tool_debian_packages() {
	install_debian_packages "${DEBIAN_PACKAGES[@]}"
}

# install_debian_packages PKG...: installs the missing PKGs with apt-get, as the current user, without
# starting their services; packages already installed cost nothing.
install_debian_packages() {
	local pkg missing=() guard=/usr/sbin/policy-rc.d added_guard=
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
	done
	if ((${#missing[@]} == 0)); then
		log "debian-packages: $* already installed"
		return
	fi
	command -v apt-get >/dev/null || {
		echo "build.sh: apt-get not found: install Debian's ${missing[*]} by hand" >&2
		exit 1
	}
	log "debian-packages: installing ${missing[*]} with apt-get as $(id -un)"
	# Debian starts a package's service on install unless policy-rc.d refuses (exit 101); the tests
	# start their own servers on free ports.
	if [[ ! -e $guard ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$guard" && chmod +x "$guard" && added_guard=1 || {
			echo "build.sh: cannot write $guard (apt-get needs root): install Debian's ${missing[*]} by hand" >&2
			exit 1
		}
	fi
	# Another build (a second checkout's `make tools`) may hold dpkg's lock: wait for it instead of failing.
	local ok=1 wait=(-o DPkg::Lock::Timeout=600)
	apt-get "${wait[@]}" update -q && DEBIAN_FRONTEND=noninteractive apt-get "${wait[@]}" install -y -q --no-install-recommends "${missing[@]}" || ok=
	[[ -n $added_guard ]] && rm -f "$guard"
	if [[ -z $ok ]]; then
		echo "build.sh: apt-get could not install ${missing[*]}" >&2
		exit 1
	fi
}

# tool_crds: copies the CustomResourceDefinitions that tools/crds/crds.txt lists, from the modules its
# go.mod pins, into the cache, and links .tools/crds to them; the local control plane installs them all.
tool_crds() {
	local key dest tmp module file dir start
	key=$(cache_key crds)
	dest=$CACHE/crds-$key
	if [[ -d $dest ]]; then
		log "crds: reusing $dest"
	else
		log "crds: copying (cache key $key)"
		start=$(now)
		mkdir -p "$CACHE"
		tmp=$(mktemp -d "$CACHE/.tmp-crds-$key-XXXXXX")
		while read -r module file; do
			[[ -z $module || $module == \#* ]] && continue
			dir=$(cd "$TOOLS_SRC/crds" && go mod download "$module" && go list -m -f '{{.Dir}}' "$module")
			cp "$dir/$file" "$tmp/"
		done <"$TOOLS_SRC/crds/crds.txt"
		chmod u+w "$tmp"/*.yaml
		mv -T "$tmp" "$dest" 2>/dev/null || rm -rf "$tmp"
		took "$start" "crds copy"
	fi
	mkdir -p "$ROOT/.tools"
	ln -sfn "$dest" "$ROOT/.tools/crds"
}

# tool_images: the local node's container images as OCI image-layout tarballs, which the cluster tests
# import with `ctr -n k8s.io images import` (tools/images/README.md: the recipes and their format). One
# Debian root filesystem built by mmdebstrap with every recipe's packages is the shared bottom layer;
# tools/ocipack adds each recipe's thin layer. Cached in parts, each built in a temporary folder renamed
# into place: the base (image-base-<key>: the Debian settings and hooks, the package list, ocipack's
# LayerFormat and the Go version), each
# image (image-<name>-<key>: its recipe, the base, ocipack, its binaries) and the set (images-<key>:
# images.json and links to the tarballs), linked as .tools/images. So a recipe change rebuilds one image,
# a package change the base and every Debian-based image. The key does not see the Debian archive: a
# point release can change package versions under the same key, and a cached base keeps the versions it
# was built with (image-base-<key>/packages.txt lists them). To rebuild from the mirror's current
# packages, set JDJ_IMAGES_REFRESH to a new value (it enters the base's key), or delete the
# image-base-* entries. Needs root: mmdebstrap builds the base in its root mode.
IMAGES_SRC=$TOOLS_SRC/images

# tree_hash DIR: a hash of DIR's paths, types, modes, file contents and symlink targets.
tree_hash() {
	(cd "$1" && find . -mindepth 1 -print0 | LC_ALL=C sort -z | while IFS= read -r -d '' f; do
		if [[ -L $f ]]; then
			printf 'link %s %s\n' "$f" "$(readlink "$f")"
		elif [[ -d $f ]]; then
			printf 'dir %s\n' "$f"
		else
			printf 'file %s %s %s\n' "$f" "$(stat -c %a "$f")" "$(sha256sum <"$f" | cut -c1-64)"
		fi
	done) | sha256sum | cut -c1-16
}

# image_binary NAME: builds (or reuses) the binary a recipe names in "binaries"; sets BUILT.
image_binary() {
	case $1 in
	pause) build_cached pause pause true "-s -w" . ;;
	prometheus | promtool) build_prometheus_cmd "$1" ;;
	alertmanager | amtool) build_alertmanager_cmd "$1" ;;
	*)
		echo "build.sh: images: no recipe for binary '$1' (image_binary knows pause prometheus promtool alertmanager amtool)" >&2
		exit 1
		;;
	esac
}

# images_base OCIPACK PACKAGE...: builds (or reuses) the shared Debian layer; sets BASE_LAYER.
images_base() {
	local ocipack=$1
	shift
	local key dest tmp start DEBIAN_SUITE DEBIAN_MIRROR DEBIAN_VARIANT DEBIAN_BASE_PACKAGES include
	# shellcheck source=/dev/null # tools/images/base/debian.conf
	. "$IMAGES_SRC/base/debian.conf"
	# shellcheck disable=SC2086 # one package per word
	include=$(printf '%s\n' $DEBIAN_BASE_PACKAGES "$@" | LC_ALL=C sort -u | paste -sd, -)
	key=$({
		# ocipack enters by its layer format (and Go's gzip by the Go version), not by its sources: an
		# ocipack change that keeps the packed bytes does not cost a new mmdebstrap run.
		printf 'base %s refresh=%s layer-format=%s go=%s\n' "$include" "${JDJ_IMAGES_REFRESH:-}" \
			"$(version_const "$TOOLS_SRC/ocipack/layer.go" LayerFormat)" "$(go env GOVERSION)"
		tree_hash "$IMAGES_SRC/base"
	} | sha256sum | cut -c1-16)
	dest=$CACHE/image-base-$key
	BASE_LAYER=$dest/layer.tar.gz
	if [[ -s $BASE_LAYER ]]; then
		log "images: reusing the Debian base $dest"
		return
	fi
	log "images: building the Debian $DEBIAN_SUITE base with mmdebstrap (cache key $key): $include"
	start=$(now)
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/.tmp-image-base-$key-XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now: it is local to this call.
	trap "rm -rf '$tmp'" EXIT
	mkdir "$tmp/out"
	# shellcheck disable=SC2016 # $1 is mmdebstrap's: the root filesystem.
	mmdebstrap --mode=root --format=directory --variant="$DEBIAN_VARIANT" --include="$include" \
		--essential-hook="sh '$IMAGES_SRC/base/essential-hook.sh' \"\$1\"" \
		--customize-hook="sh '$IMAGES_SRC/base/customize-hook.sh' \"\$1\" '$tmp/out/packages.txt'" \
		"$DEBIAN_SUITE" "$tmp/rootfs" "$DEBIAN_MIRROR"
	took "$start" "images: mmdebstrap"
	"$ocipack" layer -o "$tmp/out" "$tmp/rootfs" >"$tmp/out/layer.json"
	mv "$tmp/out"/layer-*.tar.gz "$tmp/out/layer.tar.gz"
	printf 'suite=%s\nmirror=%s\nvariant=%s\npackages=%s\nrootfs=%s\nbuilt=%s\n' "$DEBIAN_SUITE" "$DEBIAN_MIRROR" \
		"$DEBIAN_VARIANT" "$include" "$(du -sh "$tmp/rootfs" | cut -f1)" "$(date -u +%FT%TZ)" >"$tmp/out/BUILDINFO"
	rm -rf "$tmp/rootfs"
	mv -T "$tmp/out" "$dest" 2>/dev/null || log "images: $dest appeared meanwhile, keeping it"
	rm -rf "$tmp"
	trap - EXIT
	took "$start" "images: Debian base"
}

tool_images() {
	local ocipack recipes name dir base bins bin key dest tmp start set_key lines=() binargs
	[[ $(id -u) == 0 ]] || {
		echo "build.sh: images: mmdebstrap builds the Debian base as root (--mode=root); run this step as root" >&2
		exit 1
	}
	install_debian_packages mmdebstrap
	build_cached ocipack ocipack true "" .
	ocipack=$BUILT
	recipes=$("$ocipack" list "$IMAGES_SRC")
	BASE_LAYER=
	if grep -q $'\tdebian\t' <<<"$recipes"; then
		# shellcheck disable=SC2046 # one package per word
		images_base "$ocipack" $("$ocipack" packages "$IMAGES_SRC")
	fi
	while IFS=$'\t' read -r name dir base bins; do
		[[ $name == base ]] && { echo "build.sh: images: a recipe may not be named 'base' ($dir)" >&2; exit 1; }
		binargs=()
		for bin in ${bins//,/ }; do
			image_binary "$bin"
			binargs+=(-bin "$bin=$BUILT")
		done
		key=$({
			printf 'image %s ocipack=%s binaries=%s\n' "$name" "$ocipack" "${binargs[*]}"
			[[ $base == debian ]] && printf 'base=%s\n' "$BASE_LAYER"
			tree_hash "$dir"
		} | sha256sum | cut -c1-16)
		dest=$CACHE/image-$name-$key
		lines+=("$name image-$name-$key")
		if [[ -s $dest/$name.tar ]]; then
			log "images: $name: reusing $dest"
			continue
		fi
		log "images: $name: packing (cache key $key)"
		start=$(now)
		tmp=$(mktemp -d "$CACHE/.tmp-image-$name-$key-XXXXXX")
		# shellcheck disable=SC2064 # expand $tmp now: it is local to this iteration.
		trap "rm -rf '$tmp'" EXIT
		mkdir "$tmp/out"
		"$ocipack" recipe ${BASE_LAYER:+-base "$BASE_LAYER"} "${binargs[@]}" -o "$tmp/out/$name.tar" "$dir" >/dev/null
		mv -T "$tmp/out" "$dest" 2>/dev/null || log "images: $dest appeared meanwhile, keeping it"
		rm -rf "$tmp"
		trap - EXIT
		took "$start" "images: $name"
	done <<<"$recipes"
	# The set: images.json and a link to each tarball, beside it.
	set_key=$(printf '%s\n' "${lines[@]}" | sha256sum | cut -c1-16)
	dest=$CACHE/images-$set_key
	if [[ ! -s $dest/images.json ]]; then
		tmp=$(mktemp -d "$CACHE/.tmp-images-$set_key-XXXXXX")
		# shellcheck disable=SC2064
		trap "rm -rf '$tmp'" EXIT
		local jsons=() line
		for line in "${lines[@]}"; do
			name=${line%% *}
			ln -s "../${line#* }/$name.tar" "$tmp/$name.tar"
			jsons+=("$CACHE/${line#* }/$name.json")
		done
		"$ocipack" index -o "$tmp/images.json" "${jsons[@]}"
		chmod 755 "$tmp"
		mv -T "$tmp" "$dest" 2>/dev/null || rm -rf "$tmp"
		trap - EXIT
	fi
	mkdir -p "$ROOT/.tools"
	ln -sfn "$dest" "$ROOT/.tools/images"
	# The stand-ins' own tests (make standins-test) run them chrooted in this base, as their images do.
	if [[ -n $BASE_LAYER ]]; then
		ln -sfn "$BASE_LAYER" "$ROOT/.tools/images-base.tar.gz"
	fi
	log "images: $(wc -l <<<"$recipes") images in .tools/images (images.json: name -> reference, digest, tar)"
}

# kube-score is built only for the benchmarks (`make bench`), not by default.
tool_kube_score() {
	build_cached kube-score kube-score true "" github.com/zegl/kube-score/cmd/kube-score
	link_bin "$BUILT"
}

# golangci-lint is built only for `make lint` (and so `make test`), not by default nor for a preview. Its
# version and release date are linked in, so `golangci-lint version` names the pinned release.
tool_golangci_lint() {
	local mod=github.com/golangci/golangci-lint/v2 version date
	version=$(cd "$TOOLS_SRC/golangci-lint" && go list -m -f '{{.Version}}' "$mod")
	date=$(cd "$TOOLS_SRC/golangci-lint" && go list -m -f '{{.Time.Format "2006-01-02T15:04:05Z"}}' "$mod")
	build_cached golangci-lint golangci-lint true "-X main.version=${version#v} -X main.date=$date" "$mod/cmd/golangci-lint"
	link_bin "$BUILT"
}

# versitygw, an S3 gateway over a POSIX folder: the real S3 server the uploads-on-object-storage tests
# put and get through with the settings the program renders. Its version is linked in, so
# `versitygw --version` names the pinned release.
tool_versitygw() {
	local mod=github.com/versity/versitygw version
	version=$(cd "$TOOLS_SRC/versitygw" && go list -m -f '{{.Version}}' "$mod")
	build_cached versitygw versitygw true "-X main.Version=$version" "$mod/cmd/versitygw"
	link_bin "$BUILT"
}

main() {
	local all_start start tool
	all_start=$(now)
	local tools=("$@")
	((${#tools[@]})) || tools=(pulumi kubernetes-provider random-standin actionlint amtool promtool etcd kube kwok containerd runc cni coredns kube-router crds versitygw debian-packages images)
	log "toolchain cache: $CACHE"
	# Staging directories of builds killed hard enough to skip their cleanup.
	[[ -d $CACHE ]] && find "$CACHE" -maxdepth 1 -name '.tmp-*' -mmin +1440 -exec rm -rf {} +
	log "building: ${tools[*]}; cold, on 2 cores, the CLI and the Kubernetes provider take ~17 minutes together (54 beside other builds), the control plane (etcd, kube-*, kwok) ~16 more, the real node (containerd, runc, cni, coredns, kubelet, kube-proxy) ~10-20 more; later runs reuse the cache in seconds"
	for tool in "${tools[@]}"; do
		start=$(now)
		case $tool in
		pulumi) tool_pulumi ;;
		kubernetes-provider) tool_kubernetes_provider ;;
		random-standin) tool_random_standin ;;
		actionlint) tool_actionlint ;;
		amtool) tool_amtool ;;
		promtool) tool_promtool ;;
		etcd) tool_etcd ;;
		kube) tool_kube ;;
		kwok) tool_kwok ;;
		containerd) tool_containerd ;;
		runc) tool_runc ;;
		cni) tool_cni ;;
		coredns) tool_coredns ;;
		kube-router) tool_kube_router ;;
		kube-score) tool_kube_score ;;
		golangci-lint) tool_golangci_lint ;;
		crds) tool_crds ;;
		versitygw) tool_versitygw ;;
		debian-packages) tool_debian_packages ;;
		images) tool_images ;;
		*)
			echo "build.sh: unknown tool '$tool' (known: pulumi kubernetes-provider random-standin actionlint amtool promtool etcd kube kwok containerd runc cni coredns kube-router crds versitygw debian-packages images kube-score golangci-lint)" >&2
			exit 2
			;;
		esac
		took "$start" "$tool step"
	done
	mkdir -p "$PULUMI_HOME_DIR"
	took "$all_start" "make tools"
	log "ready: source tools/env.sh (puts .tools/bin first on PATH and sets PULUMI_HOME=.tools/pulumi-home)"
}

# exit on the same line: bash reads a script as it runs, so an edit made meanwhile cannot run.
main "$@"; exit
