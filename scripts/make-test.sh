#!/usr/bin/env bash
# `make test`: every stage, timed, with the machine's two cores kept busy. The
# order follows what each stage needs, not the list of targets:
#   1. setup-apt, setup-npm: everything else needs the Debian packages or npm;
#   2. at once: the Go builds of kube-apiserver/etcd/kubectl (k8s) and of helm
#      (CPU-bound, the longest set-up stages), the test root then the images
#      (network and disk), and test-static + test-unit (they need npm only);
#   3. when the root and k8s are there, the guest chain: test-uml, test-e2e
#      (a user-mode Linux guest runs on one CPU, so the other core is left to
#      the host chain);
#   4. when helm and the images are there too, the rest of the host chain:
#      test-integration, then test-e2e-oldest and bench-smoke. The oldest lane
#      is here to balance the chains (the guest chain is the longer one); its
#      guest then overlaps the other chain's, which the e2e's core passed in
#      test/e2e/README's runs beside another e2e.
# Each line of output is prefixed with its chain. A failing stage does not stop
# the others (make -k); stages that need a failed set-up are not run, and the
# summary says so. The last lines (scripts/test-summary.sh): each stage's
# duration, both lanes with their FRR/OVN/OVS versions, the verdict.
# Log: .cache/test-output.log.
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
  local rc=0 setup=0 k8s helm root static guest=""
  chain setup setup-apt setup-npm || return
  chain k8s setup-k8s &
  k8s=$!
  chain helm setup-deploy &
  helm=$!
  chain root setup-root images &
  root=$!
  chain host test-static test-unit &
  static=$!
  wait "$k8s" || setup=$?
  wait "$root" || setup=$?
  if [[ $setup == 0 ]]; then
    chain guest test-uml test-e2e &
    guest=$!
  fi
  wait "$helm" || setup=$?
  wait "$static" || rc=$?
  if [[ $setup == 0 ]]; then chain host test-integration test-e2e-oldest bench-smoke || rc=$?; fi
  if [[ -n $guest ]]; then wait "$guest" || rc=$?; fi
  if [[ $setup != 0 ]]; then return "$setup"; fi
  return "$rc"
}

stages 2>&1 | tee -a "$log"
rc=${PIPESTATUS[0]}
scripts/test-summary.sh "$log" "$STAGE_LOG" "$start" "$rc" | tee -a "$log"
exit "${PIPESTATUS[0]}"
