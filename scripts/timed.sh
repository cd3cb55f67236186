#!/usr/bin/env bash
# Runs one stage of `make test` and records how long it took, for the summary
# that make test prints at the end (scripts/test-summary.sh):
#   scripts/timed.sh STAGE command [args...]
# Records "STAGE SECONDS EXIT-STATUS" in $STAGE_LOG (set by make test; nothing is
# recorded without it). A stage already recorded in this run (a prerequisite
# that make checks again in a later phase, then a cache hit) keeps its first
# figure. Exits with the command's status.
set -uo pipefail
stage=$1
shift
start=$SECONDS
"$@"
rc=$?
if [[ -n ${STAGE_LOG:-} ]] && ! grep -q "^$stage " "$STAGE_LOG" 2>/dev/null; then
  printf '%s %d %d\n' "$stage" "$((SECONDS - start))" "$rc" >>"$STAGE_LOG"
fi
exit "$rc"
