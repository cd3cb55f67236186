#!/usr/bin/env bash
# The last lines of `make test`: each stage's duration (scripts/timed.sh wrote
# them), the FRR/OVN/OVS versions of both lanes, the verdict and the count of
# passed tests. Exits 0 only when every stage passed and EXIT-STATUS is 0.
#   scripts/test-summary.sh LOG STAGES START-EPOCH EXIT-STATUS
set -euo pipefail
log=$1 stages=$2 start=$3 rc=$4
cd "$(dirname "$0")/.."
total=$(($(date +%s) - start))

# A stage that failed fails the run, whatever the caller's status.
if awk '$3 != 0 { bad = 1 } END { exit !bad }' "$stages" && [[ $rc == 0 ]]; then rc=1; fi

echo "make test: stage durations (stages overlap, scripts/make-test.sh; total is the wall time)"
while read -r stage secs status; do
  mark=""
  [[ $status == 0 ]] || mark="  FAILED (exit $status)"
  printf '  %-18s %5d s  %2d:%02d%s\n' "$stage" "$secs" $((secs / 60)) $((secs % 60)) "$mark"
done <"$stages"
printf '  %-18s %5d s  %2d:%02d\n' total "$total" $((total / 60)) $((total % 60))

current=$(test/stack/versions.sh current 2>/dev/null | sed 's/^stack current: //' || echo '?')
oldest=$(test/stack/versions.sh oldest 2>/dev/null | sed 's/^stack oldest: //' || echo '?')
# A lane passed when each of its stages ran and exited 0.
lane() { # stage...
  local s st
  for s in "$@"; do
    st=$(awk -v s="$s" '$1 == s { print $3 }' "$stages")
    [[ -n $st ]] || { echo "not run ($s)"; return; }
    [[ $st == 0 ]] || { echo "FAILED ($s)"; return; }
  done
  echo passed
}
echo "make test: lane current ($current): integration, UML, e2e, bench smoke $(lane test-integration test-uml test-e2e bench-smoke)"
echo "make test: lane oldest ($oldest): e2e core $(lane test-e2e-oldest)"
# vitest's summary line: "Tests  2 failed | 40 passed (42)" (after make-test.sh's chain prefix).
count() { sed -E 's/\x1b\[[0-9;]*m//g; s/^\[[a-z]+\] //' "$log" | awk -v w="$1" '$1 == "Tests" { for (i = 2; i < NF; i++) if ($(i + 1) == w) n += $i } END { print n + 0 }'; }
passed=$(count passed)
failed=$(count failed)
if [[ $rc == 0 ]]; then
  echo "make test: all suites passed in ${total}s"
else
  echo "make test: FAILED (exit $rc) after ${total}s; see $log"
fi
echo "$passed passed, $failed failed"
exit "$rc"
