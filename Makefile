# Entry points of the project. Each target is one line of a recipe; add new ones below.

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
TOOLS_DIR := $(ROOT)/tools
# Sourced by recipes that need the toolchain: PATH, PULUMI_HOME and Pulumi's offline switches.
TOOLS_ENV := . $(TOOLS_DIR)/env.sh

.PHONY: tools tools-preview tools-test

# What a preview, up, refresh, destroy or render runs: the CLI and the two resource plugins.
PREVIEW_TOOLS := pulumi kubernetes-provider random-standin

## tools: build or reuse the whole toolchain: the preview tools, actionlint and the local control plane
tools:
	bash $(TOOLS_DIR)/build.sh

## tools-preview: build or reuse only what the runner needs (.tools/bin, .tools/pulumi-home)
tools-preview:
	bash $(TOOLS_DIR)/build.sh $(PREVIEW_TOOLS)

## tools-test: unit tests of the toolchain's own programs: the stand-in random provider, the OCI image
## packer and the pause binary of the node's images
tools-test:
	for t in random-standin ocipack pause; do (cd $(TOOLS_DIR)/$$t && CGO_ENABLED=0 go vet ./... && CGO_ENABLED=0 go test ./...) || exit 1; done

STACK ?= dev
OUT ?= rendered/$(STACK)
GO_DIRS := $(shell cd $(ROOT) && go list -f '{{.Dir}}' ./...)

.PHONY: preview up refresh destroy render test lint bench demo demo-down standins-test docs

## preview: the main job, a preview of STACK (default dev) with the policy pack
preview: tools-preview
	cd $(ROOT) && go run ./cmd/stack preview -s $(STACK)

## up, refresh, destroy: the same runner against the cluster in $KUBECONFIG
up refresh destroy: tools-preview
	cd $(ROOT) && go run ./cmd/stack $@ -s $(STACK)

## render: every object of STACK as YAML under OUT (plaintext Secrets: keep OUT out of git)
render: tools-preview
	cd $(ROOT) && go run ./cmd/stack render -s $(STACK) -out $(OUT)

## demo: the dev stack running for real on the local cluster's real node (root), held by a background
## process; prints the kubeconfig, the Services and their port-forwards, and how to read Grafana's password
demo: tools
	cd $(ROOT) && go build -o .demo/bin/demo ./cmd/demo && .demo/bin/demo start

## demo-down: stops the demo's cluster (every process, mount and network it made) and removes .demo
demo-down:
	cd $(ROOT) && go run ./cmd/demo stop

## docs: regenerate what is derived from the code: docs/configuration.md, docs/stack-config.schema.json,
## Pulumi.yaml's config declarations and policy/README.md's policy table (a test fails when one is stale)
docs:
	cd $(ROOT) && go run ./cmd/docs

# The toolchain's own programs golangci-lint checks too (tools/.golangci.yml); the other tools/ modules are
# mains around pinned upstream code.
LINTED_TOOLS := ocipack pause random-standin

## lint: gofmt, go vet and golangci-lint (staticcheck, revive, gosec, errcheck, ineffassign; .golangci.yml)
## over the product module, then golangci-lint over LINTED_TOOLS; any finding fails. Builds golangci-lint
## first (tools/build.sh golangci-lint)
lint:
	@out=$$(gofmt -l $(GO_DIRS)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	cd $(ROOT) && go vet ./...
	bash $(TOOLS_DIR)/build.sh golangci-lint
	cd $(ROOT) && .tools/bin/golangci-lint run ./...
	for t in $(LINTED_TOOLS); do (cd $(TOOLS_DIR)/$$t && $(ROOT)/.tools/bin/golangci-lint run ./...) || exit 1; done

## standins-test: the stand-in images' programs (tools/images/standins/test_standins.py) against real
## Postgres, Redis and nginx, each stand-in chrooted in the images' Debian base as its UID on a read-only
## root (root only; about 2 minutes)
standins-test: tools
	d=$$(mktemp -d /var/tmp/jdj-standins-root-XXXXXX) && tar -xzf $(ROOT)/.tools/images-base.tar.gz -C $$d && \
		(cd $(TOOLS_DIR)/images/standins && STANDINS_ROOT=$$d python3 -m unittest); rc=$$?; rm -rf $$d; exit $$rc

## test: every test (what .ci/run runs); 45 minutes a package, as tests/ (end-to-end, cluster, real-node
## and packet tests: 19 min warm on a 2-core machine) would near a tighter limit on a loaded one
test: tools lint tools-test standins-test
	cd $(ROOT) && go test -count=1 -timeout 45m ./...

## bench: every benchmark against its baseline (policy checks vs kube-score, preview overhead,
## program construction); prints the table and writes bench/results.md
bench: tools
	bash $(TOOLS_DIR)/build.sh kube-score
	cd $(ROOT) && go run ./bench
