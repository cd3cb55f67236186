#!/bin/bash
# `make test-uml`: runs the vitest project `uml` (**/*.uml.test.ts) inside the
# user-mode Linux guest and exits with vitest's status. The host starts a real
# kube-apiserver first and the guest reaches it over vde (test/uml/with-cluster.ts),
# so suites that need Kubernetes find KUBECONFIG set. Extra arguments go to
# vitest, e.g. `test/uml/run-suite.sh node-agent/kernel -t fdb`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
exec "$repo/.cache/node-v24.21.0/bin/node" "$here/with-cluster.ts" -- node node_modules/vitest/vitest.mjs run --project uml "$@"
