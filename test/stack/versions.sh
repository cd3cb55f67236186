#!/bin/bash
# Prints one line naming a test world and the FRR, OVN and OVS it runs, for the
# logs of make test, make demo and every guest boot:
#   test/stack/versions.sh current|oldest  ->  stack current: FRR 10.7.1, OVN 26.03.1, OVS 4.0.0
# current: the locked root (not built: the versions are '?'; this script never
# builds it); oldest: the host's own programs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
stack=${1:-${EVPN_STACK:-current}}
case $stack in
  # Written by build-test-root.sh from inside the root (chroot), when it was built.
  current) versions=$(cat "$("$here/../../scripts/build-test-root.sh" --path 2>/dev/null)/.versions" 2>/dev/null || true) ;;
  oldest) versions=$(for p in /usr/lib/frr/zebra /usr/bin/ovn-northd /usr/sbin/ovs-vswitchd; do "$p" --version 2>/dev/null | head -1 || true; done) ;;
  *) echo "versions.sh: unknown stack '$stack' (current|oldest)" >&2; exit 2 ;;
esac
frr=$(awk '/^zebra version/ { print $3 }' <<<"$versions")
ovn=$(awk '/^ovn-northd/ { print $2 }' <<<"$versions")
ovs=$(awk '/^ovs-vswitchd/ { print $NF }' <<<"$versions")
echo "stack $stack: FRR ${frr:-?}, OVN ${ovn:-?}, OVS ${ovs:-?}"
