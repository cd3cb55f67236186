#!/bin/bash
# `make bench`: the scale benchmarks of issue 8, one area after the other (so
# they never share the CPU):
#   1. operator on the host: real OVN NB/SB + northd, real kube-apiserver;
#   2. node agent kernel pass + the iproute2 baselines, in the UML guest;
#   3. FRR, two nodes in the UML guest of a test world, with its floors (issue 27).
#
#   [EVPN_STACK=current|oldest] bench/run.sh [--size small|full] [--smoke] [--areas operator,agent,frr]
#
# EVPN_STACK picks the test world the FRR area runs in (default current; the
# other areas keep test/uml/boot.sh's default); its results go to
# frr-<stack>.json, so a run per stack builds the report's side-by-side FRR
# table (each stack keeps its last run's file). --areas runs some areas only;
# with --size full the areas not run are carried over from the committed
# results.json (say so in the report).
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
areas=operator,agent,frr
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) size=${2:?--size needs small or full}; shift 2 ;;
    --smoke) smoke=(--smoke); shift ;;
    --areas) areas=${2:?--areas needs a list}; shift 2 ;;
    *) echo "usage: bench/run.sh [--size small|full] [--smoke] [--areas operator,agent,frr]" >&2; exit 2 ;;
  esac
done
[[ $size == small || $size == full ]] || { echo "bench/run.sh: --size must be small or full" >&2; exit 2; }
stack=${EVPN_STACK:-current}
[[ $stack == current || $stack == oldest ]] || { echo "bench/run.sh: EVPN_STACK must be current or oldest" >&2; exit 2; }
runs_area() { [[ ,$areas, == *,$1,* ]]; }

if [[ ${#smoke[@]} -gt 0 ]]; then
  dir=bench/results/smoke; json=$dir/results.json; md=$dir/REPORT.md
elif [[ $size == full ]]; then
  dir=bench/results/full; json=bench/results.json; md=bench/REPORT.md
else
  dir=bench/results/small; json=$dir/results.json; md=$dir/REPORT.md
fi
mkdir -p "$dir"
for a in operator agent; do runs_area $a && rm -f "$dir/$a.json"; done
if runs_area frr; then
  rm -f "$dir/frr.json" "$dir/frr-$stack".{json,world.json}
  # A smoke run's report shows this run only.
  [[ ${#smoke[@]} -gt 0 ]] && rm -f "$dir"/frr-*.json
fi
start=$(date +%s)
step() { echo "[bench] $1 ($(( $(date +%s) - start )) s)" >&2; }
# The host's load around each area, printed with its figures (the machine is shared).
load() { echo "$1 $(date -u +%H:%M:%S) UTC: $(uptime | sed 's/.*load average/load average/')" >> "$dir/load-$2.txt"; }

# The guest must outlive the longest area: FRR at 1,000 VRFs took 41 min at load 20 on this
# machine with its waits cut short; each of its convergence waits may now take 30 min.
uml_timeout=$([[ $size == full && ${#smoke[@]} -eq 0 ]] && echo 14400 || echo 900)

if runs_area operator; then
  step "operator"
  rm -f "$dir/load-operator.txt"; load start operator
  node bench/operator-bench.ts --size "$size" "${smoke[@]}" --out "$dir/operator.json"
  load end operator
fi
if runs_area agent; then
  step "node agent + baselines (UML)"
  rm -f "$dir/load-agent.txt"; load start agent
  UML_TIMEOUT=$uml_timeout test/uml/boot.sh -- node bench/agent-bench.ts --size "$size" "${smoke[@]}" --out "$dir/agent.json"
  load end agent
fi
if runs_area frr; then
  step "FRR (UML, stack $stack)"
  rm -f "$dir/load-frr-$stack.txt"; load start "frr-$stack"
  # Two FRR nodes with 1,000 VRFs each: bgpd was OOM-killed in a 1,500 MiB guest.
  uml_mem=$([[ $size == full && ${#smoke[@]} -eq 0 ]] && echo 3000M || echo 1500M)
  EVPN_STACK=$stack UML_MEM=$uml_mem UML_TIMEOUT=$uml_timeout test/uml/boot.sh -- \
    node bench/frr-bench.ts --size "$size" "${smoke[@]}" --out "$dir/frr-$stack.json"
  load end "frr-$stack"
fi

seconds=$(( $(date +%s) - start ))
carry=()
[[ $size == full && ${#smoke[@]} -eq 0 && -f $json ]] && carry=(--carry "$json")
node bench/report.ts --dir "$dir" --size "$size" "${smoke[@]}" "${carry[@]}" --areas "$areas" --seconds "$seconds" --json "$json" --md "$md"
step "done: $json, $md"
