# ovn-evpn: the two entry points a new user needs are `make demo` and `make test`.
# Everything they need is installed by the targets below, cached under .cache/
# (keyed by version), so a second run starts in seconds.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
NODE_BIN := $(CURDIR)/.cache/node-v24.21.0/bin
export PATH := $(NODE_BIN):$(PATH)

.PHONY: all setup setup-apt setup-node setup-npm setup-k8s setup-deploy setup-root images test test-static test-unit test-integration test-images test-uml test-e2e test-uml-current test-e2e-current demo bench gen-crds clean

all: test

setup: setup-apt setup-node setup-npm setup-k8s setup-deploy

setup-apt:
	scripts/setup-apt.sh

# The current test world: a Debian unstable root with the exact package versions
# of test/stack/current.lock (FRR 10, OVN 26.03, OVS 4.0), cached by the lock's hash.
# Not part of `make test` yet: the suites are not green on it (docs/support-matrix.md).
setup-root: setup-apt
	scripts/build-test-root.sh >/dev/null

setup-node:
	scripts/setup-node.sh >/dev/null

setup-npm: setup-node
	@if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then \
	  npm ci --no-audit --no-fund; fi

setup-k8s:
	test/harness/cluster/build-binaries.sh

# helm (built from Go modules), for the chart tests.
setup-deploy:
	deploy/tools/build-helm.sh >/dev/null

# OCI image archives of the operator, the node agent and the FRR sidecar, built
# offline from Debian's packages (deploy/images/build.sh); cached by a content
# hash of their inputs in .cache/images/.
images: setup-apt setup-node setup-npm
	deploy/images/build.sh

test: setup images
	@start=$$(date +%s); log=.cache/test-output.log; : > "$$log"; \
	$(MAKE) --no-print-directory test-static test-unit test-integration test-uml test-e2e 2>&1 | tee -a "$$log"; \
	bench/run.sh --size small --smoke 2>&1 | tee -a "$$log"; \
	passed=$$(sed 's/\x1b\[[0-9;]*m//g' "$$log" | awk '$$1 == "Tests" && $$3 == "passed" { n += $$2 } END { print n + 0 }'); \
	echo "make test: all suites passed in $$(( $$(date +%s) - start ))s"; \
	echo "$$passed passed, 0 failed"

test-static:
	npx tsc -p tsconfig.json
	npx prettier --check --log-level warn '**/*.{ts,js}'
	npx eslint .
	shellcheck -S warning -x scripts/*.sh test/uml/*.sh test/stack/*.sh test/stack/bin/in-root test/harness/cluster/*.sh deploy/helm/ovn-evpn/files/bin/*.sh deploy/tools/*.sh deploy/images/*.sh bin/kubectl-evpn

test-unit:
	npx vitest run --project unit

# Includes deploy/test/images.int.test.ts, which loads and runs the archives of
# `make images` with podman (deploy/images/containers.conf).
test-integration: images
	npx vitest run --project integration

# The image tests alone.
test-images: images
	npx vitest run --project integration deploy/test/images.int.test.ts

test-uml:
	test/uml/run-suite.sh

# The suites run the host's Debian 12 (FRR 8.4, OVN 23.03, OVS 3.1: the oldest
# supported lane, and still the default) and print their versions; the current
# test world (test/stack/current.lock) is opt-in until it is green:
# docs/support-matrix.md says what each lane proves and what is still open.
test-e2e:
	test/e2e/run.sh

test-uml-current: setup-root
	EVPN_STACK=current test/uml/run-suite.sh

test-e2e-current: setup-root
	EVPN_STACK=current test/e2e/run.sh

demo: setup
	test/e2e/demo.sh

bench: setup
	bench/run.sh $(if $(SIZE),--size $(SIZE),)

gen-crds:
	npm run -s gen:crds

clean:
	rm -rf node_modules .cache
