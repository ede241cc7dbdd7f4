# Entry points of the project. Each target is one line of a recipe; add new ones below.

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
TOOLS_DIR := $(ROOT)/tools
# Sourced by recipes that need the toolchain: PATH, PULUMI_HOME and Pulumi's offline switches.
TOOLS_ENV := . $(TOOLS_DIR)/env.sh

.PHONY: tools tools-test

## tools: build or reuse the pulumi CLI and plugins (.tools/bin, .tools/pulumi-home)
tools:
	bash $(TOOLS_DIR)/build.sh

## tools-test: unit tests of the stand-in random provider
tools-test:
	cd $(TOOLS_DIR)/random-standin && CGO_ENABLED=0 go vet ./... && CGO_ENABLED=0 go test ./...
