#!/bin/bash
# Boots the project's user-mode Linux guest (Linux 6.1 from Debian's
# user-mode-linux: vrf, vxlan, bridge, 8021q, dummy, veth modules the host
# kernel lacks) and runs one command inside it, as root, in the repository.
#
# The guest's root file system is a test world (docs/support-matrix.md):
#   EVPN_STACK=current (default)  the locked Debian unstable root of
#                                scripts/build-test-root.sh: FRR 10, OVN 26.03, OVS 4.0
#   EVPN_STACK=oldest             the host's own / (Debian 12: FRR 8.4, OVN 23.03, OVS 3.1)
# The kernel stays the host's Linux 6.1 either way (see the matrix for why);
# its modules, the repository and its .cache are mounted in at the same paths.
#
#   test/uml/boot.sh [-n vde] [-e K=V]... [--] command [args...]
#
#   -n vde     give the guest eth0 on a vde_switch + slirpvde: the host's
#              127.0.0.1:PORT is reachable from the guest as 10.0.2.2:PORT
#   -e K=V     export K=V to the command inside the guest
# Env: EVPN_STACK (current), UML_MEM (1500M), UML_TIMEOUT (seconds, 900), UML_KEEP_RUNS (20).
#
# The command's stdout+stderr is streamed to this script's stdout; the
# script exits with the command's exit status (124: timeout, 125: the guest
# never reported a status; see the console log). Per-run files live in
# .cache/uml/runs/<id>/: console.log, output.log, rc, timing.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
node_bin="$repo/.cache/node-v24.21.0/bin"
net=none; envs=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) net=$2; shift 2 ;;
    -e) envs+=("$2"); shift 2 ;;
    --) shift; break ;;
    -*) echo "boot.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[[ $# -gt 0 ]] || { echo "usage: boot.sh [-n vde] [-e K=V]... [--] command [args...]" >&2; exit 2; }
[[ -x /usr/bin/linux.uml ]] || { echo "boot.sh: /usr/bin/linux.uml missing (apt-get install user-mode-linux)" >&2; exit 2; }

case "${EVPN_STACK:-current}" in
  current) root=$("$repo/scripts/build-test-root.sh") ;;
  oldest) root=/ ;;
  *) echo "boot.sh: unknown EVPN_STACK '${EVPN_STACK}' (current|oldest)" >&2; exit 2 ;;
esac
echo "[uml] $("$repo/test/stack/versions.sh" "${EVPN_STACK:-current}")" >&2
# hostfs mounts need their mount points in the (read-only) root: the repository,
# the targets of its .cache/node_modules symlinks and the UML modules.
if [[ $root != / ]]; then
  for p in "$repo" "$(readlink -f "$repo/.cache")" "$(readlink -f "$repo/node_modules")" /usr/lib/uml/modules; do
    mkdir -p "$root$p"
  done
fi
# PID 1 must live inside the root: a copy named by its content (boots of other
# checkouts sharing this .cache may run another version at the same time).
init="$here/init.sh"
if [[ $root != / ]]; then
  init="/.uml-init-$(sha256sum "$here/init.sh" | cut -c1-12).sh"
  [[ -f $root$init ]] || { cp "$here/init.sh" "$root$init.$$"; chmod 755 "$root$init.$$"; mv "$root$init.$$" "$root$init"; }
fi

runs="$repo/.cache/uml/runs"
id="$(date +%Y%m%d-%H%M%S)-$$"
run="$runs/$id"
mkdir -p "$run" "$repo/.cache/uml/umid"
# Keep the last UML_KEEP_RUNS run directories. Only finished ones (timing.txt)
# or day-old ones go: .cache is shared by every checkout, and a long suite's
# directory (its output.log, its rc) was removed by other checkouts' boots while
# its guest still ran, so its result was lost.
ls -1dt "$runs"/*/ 2>/dev/null | tail -n +"$(( ${UML_KEEP_RUNS:-20} + 1 ))" | while read -r old; do
  if [[ -f $old/timing.txt || -n $(find "$old" -maxdepth 0 -mmin +1440) ]]; then rm -rf "$old"; fi
done

{
  echo "export PATH=$(printf '%q' "$node_bin"):\$PATH CI=1 NO_COLOR=1"
  for kv in "${envs[@]}"; do echo "export $(printf '%q' "$kv")"; done
  printf '%q ' "$@"; echo
} > "$run/cmd.sh"

pids=()
cleanup() {
  # The guest's subshell first hands the TERM to its children (timeout, which passes it to linux.uml):
  # killing the subshell alone would leave the guest running after boot.sh is stopped.
  for p in "${pids[@]}"; do pkill -TERM -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  if [[ -f "$run/vde_switch.pid" ]]; then kill "$(cat "$run/vde_switch.pid")" 2>/dev/null || true; fi
  rm -rf "$repo/.cache/uml/umid/$id"
}
trap cleanup EXIT
# Stopped (make demo interrupted, the e2e host stopping): exit, so the EXIT trap takes the guest down.
trap 'exit 143' TERM INT

net_args=()
if [[ $net == vde ]]; then
  vde_switch -s "$run/vde.sw" -d -p "$run/vde_switch.pid"
  for _ in $(seq 50); do [[ -S "$run/vde.sw/ctl" ]] && break; sleep 0.05; done
  slirpvde -s "$run/vde.sw" </dev/null >"$run/slirpvde.log" 2>&1 &
  pids+=($!)
  net_args=("eth0=vde,$run/vde.sw")
elif [[ $net != none ]]; then
  echo "boot.sh: unknown network '$net' (none|vde)" >&2; exit 2
fi

: > "$run/output.log"
# Hosts with AMX need the XSAVE-size shim (see xstate-shim.c); built once per source hash.
preload=()
shim_src="$here/xstate-shim.c"
shim="$repo/.cache/uml/xstate-shim-$(sha256sum "$shim_src" | cut -c1-12).so"
if [[ ! -f $shim ]] && command -v gcc >/dev/null; then
  gcc -O2 -shared -fPIC -o "$shim.tmp.$$" "$shim_src" -ldl && mv "$shim.tmp.$$" "$shim"
fi
[[ -f $shim ]] && preload=(env "LD_PRELOAD=$shim")
t0=$(date +%s%N)
# UML's RAM is a file in TMPDIR: keep it in /dev/shm (tmpfs), never on disk.
# The subshell reaps UML itself, so its "Aborted" notice (UML ends with SIGABRT
# after a sysrq power-off, the way out of a root without halt) goes to the console log.
( TMPDIR=/dev/shm timeout -k 5 -s TERM "${UML_TIMEOUT:-900}" "${preload[@]}" /usr/bin/linux.uml \
  mem="${UML_MEM:-1500M}" rootfstype=hostfs rootflags="$root" ro quiet \
  init="$init" con=null con0=fd:0,fd:1 \
  uml_dir="$repo/.cache/uml/umid" umid="$id" "${net_args[@]}" \
  UML_RUN_DIR="$run" UML_REPO="$repo" UML_NET="$net" EVPN_STACK="${EVPN_STACK:-current}"; exit $? ) \
  </dev/null >"$run/console.log" 2>&1 &
uml=$!
pids+=("$uml")
tail -n +1 -s 0.2 -f --pid="$uml" "$run/output.log" &
tailer=$!
set +e
wait "$uml"; uml_rc=$?
wait "$tailer"
set -e
t1=$(date +%s%N)
guest_up=$(sed -n 's/^uptime_at_init=//p' "$run/guest-timing.txt" 2>/dev/null || true)
echo "uml_wall_ms=$(( (t1 - t0) / 1000000 )) guest_uptime_at_init_s=${guest_up:-?} uml_rc=$uml_rc" > "$run/timing.txt"
if [[ -f "$run/rc" ]]; then
  rc=$(cat "$run/rc")
elif [[ $uml_rc -eq 124 || $uml_rc -eq 137 ]]; then
  echo "boot.sh: guest timed out after ${UML_TIMEOUT:-900}s; console: $run/console.log" >&2; rc=124
else
  echo "boot.sh: guest ended without a status (uml rc $uml_rc); console: $run/console.log" >&2; rc=125
fi
[[ -s $run/output.log && -n $(tail -c1 "$run/output.log") ]] && echo
echo "[uml] run $id: $(cat "$run/timing.txt") guest_rc=$rc" >&2
exit "$rc"
