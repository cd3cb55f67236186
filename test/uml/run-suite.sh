#!/bin/bash
# `make test-uml`: runs the vitest project `uml` (**/*.uml.test.ts) inside the
# user-mode Linux guest and exits with vitest's status. The host starts a real
# kube-apiserver first and the guest reaches it over vde (test/harness/uml/with-cluster.ts),
# so suites that need Kubernetes find KUBECONFIG set. Files named
# *.no-vrf.uml.test.ts (project uml-no-vrf) need a kernel where the vrf module
# was never loaded, so they get a guest boot of their own. Extra arguments go to vitest, e.g.
# `test/uml/run-suite.sh node-agent/kernel -t fdb` (then only one boot runs).
set -euo pipefail
# The whole suite is one guest boot: on FRR 10.7.1 in a loaded 2-core machine
# transitions.uml alone took 726 s, past boot.sh's 900 s default.
export UML_TIMEOUT=${UML_TIMEOUT:-3600}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
node="$repo/.cache/node-v24.21.0/bin/node"
vitest=(node node_modules/vitest/vitest.mjs run)
if [[ $# -gt 0 ]]; then
  exec "$node" "$here/../harness/uml/with-cluster.ts" -- "${vitest[@]}" --project uml "$@"
fi
"$node" "$here/../harness/uml/with-cluster.ts" -- "${vitest[@]}" --project uml
"$node" "$here/../harness/uml/with-cluster.ts" -- "${vitest[@]}" --project uml-no-vrf
