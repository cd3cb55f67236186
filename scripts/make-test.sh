#!/usr/bin/env bash
# `make test`: every stage, timed, with the machine's two cores both busy.
#   1. set-up, in parallel (make -j): apt, then the test root and the images;
#      Node, then npm; the Go builds of kube-apiserver/etcd/kubectl and of helm.
#   2. two chains at once, because a user-mode Linux guest runs on one CPU and
#      leaves the other idle:
#        host:  test-static, test-unit, test-integration, bench-smoke
#        guest: test-uml, test-e2e, test-e2e-oldest
#      Each line of their output is prefixed with its chain. A failing stage does
#      not stop the others (make -k): the summary then names every one that failed.
# The last lines (scripts/test-summary.sh): each stage's duration, both lanes with
# their FRR/OVN/OVS versions, the verdict. Log: .cache/test-output.log.
set -uo pipefail
cd "$(dirname "$0")/.." || exit
make=${MAKE:-make}
mkdir -p .cache
log=.cache/test-output.log
export STAGE_LOG=$PWD/.cache/test-stages.txt
: >"$log"
: >"$STAGE_LOG"
start=$(date +%s)

# Runs make on some targets, its output prefixed with the chain's name.
chain() { # name target...
  local name=$1
  shift
  "$make" --no-print-directory -k "$@" 2>&1 | sed -u "s/^/[$name] /"
  return "${PIPESTATUS[0]}"
}

stages() {
  scripts/timed.sh setup "$make" --no-print-directory -j6 --output-sync=target setup setup-root images || return
  chain host test-static test-unit test-integration bench-smoke &
  local host=$!
  chain guest test-uml test-e2e test-e2e-oldest &
  local guest=$! rc=0
  wait "$host" || rc=$?
  wait "$guest" || rc=$?
  return "$rc"
}

stages 2>&1 | tee -a "$log"
rc=${PIPESTATUS[0]}
scripts/test-summary.sh "$log" "$STAGE_LOG" "$start" "$rc" | tee -a "$log"
exit "$rc"
