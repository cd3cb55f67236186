# ovn-evpn: the two entry points a new user needs are `make demo` and `make test`.
# Everything they need is installed by the targets below, cached under .cache/
# (keyed by version), so a second run starts in seconds.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
NODE_BIN := $(CURDIR)/.cache/node-v24.21.0/bin
export PATH := $(NODE_BIN):$(PATH)

.PHONY: all setup setup-apt setup-node setup-npm setup-k8s setup-deploy setup-root images test test-static test-unit test-integration test-images test-uml test-e2e test-e2e-oldest test-uml-oldest test-uml-current test-e2e-current bench-smoke demo bench gen-crds clean

# The test world every suite, the demo and the bench run (docs/support-matrix.md):
# current = test/stack/current.lock (FRR 10.7.1, OVN 26.03.1, OVS 4.0.0); the
# oldest supported lane (Debian 12: FRR 8.4, OVN 23.03, OVS 3.1) is test-e2e-oldest.
EVPN_STACK ?= current
export EVPN_STACK

# Records a stage's duration for make test's summary (scripts/timed.sh; only when STAGE_LOG is set).
timed = scripts/timed.sh $@

all: test

setup: setup-apt setup-node setup-npm setup-k8s setup-deploy

setup-apt:
	$(timed) scripts/setup-apt.sh

# The current test world: a Debian unstable root with the exact package versions
# of test/stack/current.lock (FRR 10, OVN 26.03, OVS 4.0), cached by the lock's hash.
setup-root: setup-apt
	$(timed) scripts/build-test-root.sh >/dev/null

setup-node:
	$(timed) scripts/setup-node.sh >/dev/null

setup-npm: setup-node
	@$(timed) bash -c 'if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then \
	  npm ci --no-audit --no-fund; fi'

setup-k8s:
	$(timed) test/harness/cluster/build-binaries.sh

# helm (built from Go modules), for the chart tests.
setup-deploy:
	$(timed) deploy/tools/build-helm.sh >/dev/null

# OCI image archives of the operator, the node agent and the FRR sidecar, built
# offline from Debian's packages (deploy/images/build.sh); cached by a content
# hash of their inputs in .cache/images/.
images: setup-apt setup-node setup-npm
	$(timed) deploy/images/build.sh

# Everything, from a fresh clone, every stage timed; scripts/make-test.sh runs the
# stages as soon as what they need is there (the Go builds beside the root, the
# images and the static/unit tests; the UML guest chain beside the host chain).
# The last lines give each stage's duration, both lanes' FRR/OVN/OVS versions and
# the verdict. The log is .cache/test-output.log.
test:
	@MAKE=$(MAKE) scripts/make-test.sh

test-static:
	$(timed) bash -c "npx tsc -p tsconfig.json && npx prettier --check --log-level warn '**/*.{ts,js}' && npx eslint . && \
	  shellcheck -S warning -x scripts/*.sh test/uml/*.sh test/stack/*.sh test/stack/bin/in-root test/harness/cluster/*.sh \
	  deploy/helm/ovn-evpn/files/bin/*.sh deploy/tools/*.sh deploy/images/*.sh bin/kubectl-evpn"

test-unit:
	$(timed) npx vitest run --project unit

# Includes deploy/test/images.int.test.ts, which loads and runs the archives of
# `make images` with podman (deploy/images/containers.conf). The OVN databases
# and northd run the test world's OVN (test/stack/bin: the root's, for current).
test-integration: images setup-root setup-k8s setup-deploy
	$(timed) npx vitest run --project integration

# The image tests alone.
test-images: images
	npx vitest run --project integration deploy/test/images.int.test.ts

test-uml: setup-root
	$(timed) test/uml/run-suite.sh

# Every suite runs the current test world by default and prints its versions
# (docs/support-matrix.md says what each lane proves).
test-e2e: setup-root
	$(timed) test/e2e/run.sh

# The oldest supported lane, once per make test: the e2e's core (both nodes, the
# leaf, the pings, the withdrawal) on the host's Debian 12 (FRR 8.4, OVN 23.03,
# OVS 3.1): the tests named 'core: …' (test/e2e/README.md).
test-e2e-oldest:
	$(timed) env EVPN_STACK=oldest test/e2e/run.sh -t 'core:'

# On demand: the UML suite on Debian 12.
test-uml-oldest:
	EVPN_STACK=oldest test/uml/run-suite.sh

# The names of before the flip (the current world is the default now).
test-uml-current: test-uml
test-e2e-current: test-e2e

bench-smoke:
	$(timed) bench/run.sh --size small --smoke

demo: setup setup-root
	test/e2e/demo.sh

bench: setup setup-root
	bench/run.sh $(if $(SIZE),--size $(SIZE),)

gen-crds:
	npm run -s gen:crds

clean:
	rm -rf node_modules .cache
