#!/usr/bin/env bash
# Builds, or reuses from a cache outside the checkout, the offline toolchain:
# the pulumi CLI, the Kubernetes provider plugin, the stand-in random provider, actionlint, amtool,
# promtool, and the local control plane of the cluster tests (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok). Then links them into .tools/bin and installs the plugins into the project-local
# Pulumi home .tools/pulumi-home, laid out the way `pulumi plugin install` does. Debian's redis-server and
# nginx, which the server tests run, come from apt-get instead (debian-packages).
#
# Usage: tools/build.sh [tool...]   (tools: pulumi kubernetes-provider random-standin actionlint amtool promtool etcd
#        kube kwok crds debian-packages; default all of these)
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

# Static binaries, independent of the host's libc; releases of both are built this way too.
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

# build_cached TOOL BINARY PREPARE LDFLAGS PKG: sets BUILT to the cached binary of TOOL,
# building it first if the cache has no entry for the current key. PREPARE is a function
# run in the staging copy of the module before `go build` (or "true").
build_cached() {
	local tool=$1 binary=$2 prepare=$3 ldflags=$4 pkg=$5
	local key dest start tmp
	key=$(cache_key "$tool" "$ldflags" "$pkg")
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
	(cd "$tmp/src" && "$prepare" && go build -ldflags "$ldflags" -o "$tmp/out/$binary" "$pkg")
	printf 'tool=%s\nkey=%s\ngo=%s\nldflags=%s\nbuilt=%s\n' "$tool" "$key" "$(go env GOVERSION)" \
		"$ldflags" "$(date -u +%FT%TZ)" >"$tmp/out/BUILDINFO"
	if ! mv -T "$tmp/out" "$dest" 2>/dev/null; then
		# Another build of the same key finished first; its result is as good as ours.
		log "$tool: $dest appeared meanwhile, keeping it"
	fi
	rm -rf "$tmp"
	trap - EXIT
	took "$start" "$tool build"
	BUILT=$dest/$binary
}

# link_bin TARGET: .tools/bin/<basename> -> TARGET.
link_bin() {
	mkdir -p "$BIN"
	ln -sfn "$1" "$BIN/$(basename "$1")"
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
	local version
	version=$(cd "$TOOLS_SRC/amtool" && go list -m -f '{{.Version}}' github.com/prometheus/alertmanager)
	build_cached amtool amtool true \
		"-X github.com/prometheus/common/version.Version=${version#v}" github.com/prometheus/alertmanager/cmd/amtool
	link_bin "$BUILT"
}

# promtool checks and unit-tests the Prometheus rules and configuration the program generates
# (components/alerts_test.go, platform/promtool_test.go). Module v0.MMm.p is Prometheus M.m.p.
tool_promtool() {
	local version release
	version=$(cd "$TOOLS_SRC/promtool" && go list -m -f '{{.Version}}' github.com/prometheus/prometheus)
	release=${version#v0.}
	release="$((${release%%.*} / 100)).$((${release%%.*} % 100)).${release#*.}"
	build_cached promtool promtool true \
		"-X github.com/prometheus/common/version.Version=$release" github.com/prometheus/prometheus/cmd/promtool
	link_bin "$BUILT"
}

# tool_etcd, tool_kube, tool_kwok: the local control plane that tests/cluster_test.go starts
# through internal/cluster (loopback only; see there).
# etcd and kwok carry their version in their sources; the kube commands need it linked in.
tool_etcd() {
	build_cached etcd etcd true "" .
	link_bin "$BUILT"
}

# The three commands share one module (and Go's build cache) but are cached one entry each.
tool_kube() {
	local version minor cmd ldflags pkg
	version=$(cd "$TOOLS_SRC/kube" && go list -m -f '{{.Version}}' k8s.io/kubernetes)
	minor=${version#v*.}
	minor=${minor%%.*}
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		ldflags+="-X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean "
	done
	for cmd in kube-apiserver kube-controller-manager kube-scheduler; do
		build_cached kube "$cmd" true "${ldflags% }" "k8s.io/kubernetes/cmd/$cmd"
		link_bin "$BUILT"
	done
}

tool_kwok() {
	build_cached kwok kwok true "" sigs.k8s.io/kwok/cmd/kwok
	link_bin "$BUILT"
}

# DEBIAN_PACKAGES are the real servers platform/servers_test.go runs against the configurations the
# program renders: Redis (bookworm's 7.0, with redis-cli) and nginx.
DEBIAN_PACKAGES=(redis-server nginx)

# tool_debian_packages: installs the missing DEBIAN_PACKAGES with apt-get, as the current user, without
# starting their services; packages already installed cost nothing.
tool_debian_packages() {
	local pkg missing=() guard=/usr/sbin/policy-rc.d added_guard=
	for pkg in "${DEBIAN_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
	done
	if ((${#missing[@]} == 0)); then
		log "debian-packages: ${DEBIAN_PACKAGES[*]} already installed"
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
	local ok=1
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" || ok=
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

# kube-score is built only for the benchmarks (`make bench`), not by default.
tool_kube_score() {
	build_cached kube-score kube-score true "" github.com/zegl/kube-score/cmd/kube-score
	link_bin "$BUILT"
}

main() {
	local all_start start tool
	all_start=$(now)
	local tools=("$@")
	((${#tools[@]})) || tools=(pulumi kubernetes-provider random-standin actionlint amtool promtool etcd kube kwok crds debian-packages)
	log "toolchain cache: $CACHE"
	# Staging directories of builds killed hard enough to skip their cleanup.
	[[ -d $CACHE ]] && find "$CACHE" -maxdepth 1 -name '.tmp-*' -mmin +1440 -exec rm -rf {} +
	log "building: ${tools[*]}; cold, on 2 cores, the CLI and the Kubernetes provider take ~17 minutes together (54 beside other builds), the control plane (etcd, kube-*, kwok) ~16 more; later runs reuse the cache in seconds"
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
		kube-score) tool_kube_score ;;
		crds) tool_crds ;;
		debian-packages) tool_debian_packages ;;
		*)
			echo "build.sh: unknown tool '$tool' (known: pulumi kubernetes-provider random-standin actionlint amtool promtool etcd kube kwok crds debian-packages kube-score)" >&2
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
