#!/bin/bash
# `make bench`: the scale benchmarks of issue 8, one area after the other (so
# they never share the CPU):
#   1. operator on the host: real OVN NB/SB + northd, real kube-apiserver;
#   2. node agent kernel pass + the iproute2 baselines, in the UML guest;
#   3. FRR, two nodes in the UML guest.
#
#   bench/run.sh [--size small|full] [--smoke]
#
# full (default) writes bench/results.json and bench/REPORT.md (committed);
# small writes them to bench/results/small/ (git-ignored, so a quick run never
# replaces the committed full report); --smoke is one small run of everything
# with no thresholds, for `make test`, into bench/results/smoke/. Raw per-area
# files always go to bench/results/<size>/. BENCH_PROFILE=1 also writes CPU
# profiles of the operator to bench/results/profiles/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
export PATH="$repo/.cache/node-v24.21.0/bin:$PATH"
cd "$repo"

size=full
smoke=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) size=${2:?--size needs small or full}; shift 2 ;;
    --smoke) smoke=(--smoke); shift ;;
    *) echo "usage: bench/run.sh [--size small|full] [--smoke]" >&2; exit 2 ;;
  esac
done
[[ $size == small || $size == full ]] || { echo "bench/run.sh: --size must be small or full" >&2; exit 2; }

if [[ ${#smoke[@]} -gt 0 ]]; then
  dir=bench/results/smoke; json=$dir/results.json; md=$dir/REPORT.md
elif [[ $size == full ]]; then
  dir=bench/results/full; json=bench/results.json; md=bench/REPORT.md
else
  dir=bench/results/small; json=$dir/results.json; md=$dir/REPORT.md
fi
mkdir -p "$dir"
rm -f "$dir"/{operator,agent,frr}.json
start=$(date +%s)
step() { echo "[bench] $1 ($(( $(date +%s) - start )) s)" >&2; }

# The guest must outlive the longest area (FRR with 1,000 VRFs, five runs).
uml_timeout=$([[ $size == full && ${#smoke[@]} -eq 0 ]] && echo 7200 || echo 900)

step "operator"
node bench/operator-bench.ts --size "$size" "${smoke[@]}" --out "$dir/operator.json"
step "node agent + baselines (UML)"
UML_TIMEOUT=$uml_timeout test/uml/boot.sh -- node bench/agent-bench.ts --size "$size" "${smoke[@]}" --out "$dir/agent.json"
step "FRR (UML)"
# Two FRR nodes with 1,000 VRFs each: bgpd was OOM-killed in a 1,500 MiB guest.
uml_mem=$([[ $size == full && ${#smoke[@]} -eq 0 ]] && echo 3000M || echo 1500M)
UML_MEM=$uml_mem UML_TIMEOUT=$uml_timeout test/uml/boot.sh -- node bench/frr-bench.ts --size "$size" "${smoke[@]}" --out "$dir/frr.json"

seconds=$(( $(date +%s) - start ))
node bench/report.ts --dir "$dir" --size "$size" "${smoke[@]}" --seconds "$seconds" --json "$json" --md "$md"
step "done: $json, $md"
