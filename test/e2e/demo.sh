#!/bin/bash
# `make demo`: the whole product on one machine, for a first look. Brings up
# the real Kubernetes API server, OVN (NB, SB, ovn-northd) and the operator on
# this host, and two EVPN nodes (network namespaces with FRR, the node agent
# and VMs) inside a user-mode Linux guest: this host's kernel has no vrf. Then
# it writes the BGPVPN associations into OVN, as networking-bgpvpn
# does, and shows what comes out. Everything is torn down at the end: the
# nodes live in a throwaway guest that exits with the script, so there is
# nothing left running to forget. Run it again with `make demo`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
cat <<'TXT'
ovn-evpn demo: OpenStack/OVN networks stretched over an EVPN/VXLAN fabric
──────────────────────────────────────────────────────────────────────────
 host   kube-apiserver + etcd, OVN NB/SB + ovn-northd, evpn-operator
 guest  (user-mode Linux) node-a and node-b, each: FRR (zebra, bgpd; on
        FRR 10 mgmtd too), evpn-node-agent, an OVN chassis (OVS +
        ovn-controller) with VMs;
        a hand-written EVPN leaf (FRR) with a bare-metal server and a host
 seed   L2 BGPVPN vni 10100 on net-a, L3 BGPVPN vni 20000 on net-b and net-c,
        net-d and net-e behind an OVN router (L2 BGPVPNs vni 10200, 10300);
        then a Geneve tenant network on the ovn backend (OVN-native EVPN)
This takes three to six minutes.
TXT
# The FRR, OVN and OVS it runs: the locked current test world (EVPN_STACK=oldest: Debian 12's).
echo " runs   $(test/stack/versions.sh "${EVPN_STACK:-current}" | sed 's/^stack //')"
start=$(date +%s)
set +e
"$repo/.cache/node-v24.21.0/bin/node" "$here/host.ts" --quiet -- node test/e2e/demo-guest.ts
rc=$?
set -e
echo
if [[ $rc -eq 0 ]]; then
  echo "Demo finished in $(( $(date +%s) - start ))s. Everything was stopped: the API server, OVN, the operator,"
  echo "and the guest with both nodes. Logs of this run: .cache/e2e/ (newest directory)."
  echo "Run it again: make demo     The same scenario as a test with assertions: make test-e2e"
else
  echo "Demo failed (exit $rc). Logs: .cache/e2e/ (newest directory): operator.log, guest/agent-node-*.log, guest/*-zebra.log" >&2
fi
exit "$rc"
