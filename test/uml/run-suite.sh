#!/bin/bash
# `make test-uml`: runs the vitest project `uml` (**/*.uml.test.ts) inside the
# user-mode Linux guest and exits with vitest's status. Extra arguments go to
# vitest, e.g. `test/uml/run-suite.sh node-agent/kernel -t fdb`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/boot.sh" -- node node_modules/vitest/vitest.mjs run --project uml "$@"
