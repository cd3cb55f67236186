#!/bin/bash
# `make test-e2e`: the whole system end to end. The host starts the real
# kube-apiserver (+ CRDs), OVN NB/SB + ovn-northd and the operator
# (test/e2e/host.ts); the user-mode Linux guest runs two nodes with FRR and
# the node agent, and the vitest project `e2e` (test/e2e/*.e2e.test.ts).
# Exits with vitest's status; everything is torn down whatever happens.
# Extra arguments go to vitest, e.g. `test/e2e/run.sh -t 'L2VNI'`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
exec "$repo/.cache/node-v24.21.0/bin/node" "$here/host.ts" -- \
  node node_modules/vitest/vitest.mjs run --project e2e "$@"
