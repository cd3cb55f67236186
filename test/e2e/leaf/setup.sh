#!/bin/bash
# The hand-written leaf's kernel side (FRR's EVPN documentation, "traditional"
# bridge per VNI), in network namespace $LEAF_NS; its FRR reads frr.conf here.
# The leaf's underlay link is "underlay" in $LEAF_NS: either the fabric put it
# there, or with UNDERLAY_BRIDGE set (the e2e's ul-fabric) this script plugs a
# veth ul-$LEAF_NS into that bridge, as the e2e does for each node (the nodes
# are 10.0.0.1 and 10.0.0.2 on 10.0.0.0/24).
#  - VTEP 10.0.0.3 on the underlay;
#  - L2VNI 10100: bridge br10100 + vxlan10100, and the "bare-metal server"
#    namespace $BMS_NS on an access port: 10.1.0.50/24 in net-a's subnet,
#    routed by the nodes' anycast gateway 10.1.0.1;
#  - L3VNI 20000: VRF vrf-tenant (table 20000) with bridge br20000 + vxlan20000,
#    and the host namespace $HOST_NS behind it: 10.99.0.10/24 via 10.99.0.1.
set -euo pipefail
LEAF_NS=${LEAF_NS:-leaf}
BMS_NS=${BMS_NS:-bms}
HOST_NS=${HOST_NS:-leaf-host}
VTEP=10.0.0.3

for ns in "$LEAF_NS" "$BMS_NS" "$HOST_NS"; do
  [ -e "/var/run/netns/$ns" ] || ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip netns exec "$LEAF_NS" sysctl -qw net.ipv4.ip_forward=1
if [ -n "${UNDERLAY_BRIDGE:-}" ] && ! ip -n "$LEAF_NS" link show underlay >/dev/null 2>&1; then
  ip link add "ul-$LEAF_NS" type veth peer name underlay netns "$LEAF_NS"
  ip link set "ul-$LEAF_NS" master "$UNDERLAY_BRIDGE" up
fi
ip -n "$LEAF_NS" addr add $VTEP/24 dev underlay
ip -n "$LEAF_NS" link set underlay up

# L2VNI 10100: one bridge and one VXLAN device, learning left to EVPN.
ip -n "$LEAF_NS" link add br10100 type bridge stp_state 0
ip -n "$LEAF_NS" link add vxlan10100 type vxlan id 10100 local $VTEP dstport 4789 nolearning
ip -n "$LEAF_NS" link set vxlan10100 master br10100 addrgenmode none
ip -n "$LEAF_NS" link set vxlan10100 type bridge_slave learning off
ip -n "$LEAF_NS" link add bms0 type veth peer name eth0 netns "$BMS_NS"
ip -n "$LEAF_NS" link set bms0 master br10100
for dev in br10100 vxlan10100 bms0; do ip -n "$LEAF_NS" link set $dev up; done
ip -n "$BMS_NS" link set eth0 address 02:00:0a:01:00:32 mtu 1450 up
ip -n "$BMS_NS" addr add 10.1.0.50/24 dev eth0
ip -n "$BMS_NS" route add default via 10.1.0.1

# L3VNI 20000: the VRF, its bridge (the L3VNI's SVI) and VXLAN device.
ip -n "$LEAF_NS" link add vrf-tenant type vrf table 20000
ip -n "$LEAF_NS" link set vrf-tenant up
ip -n "$LEAF_NS" link add br20000 type bridge stp_state 0
ip -n "$LEAF_NS" link set br20000 master vrf-tenant addrgenmode none
ip -n "$LEAF_NS" link add vxlan20000 type vxlan id 20000 local $VTEP dstport 4789 nolearning
ip -n "$LEAF_NS" link set vxlan20000 master br20000 addrgenmode none
ip -n "$LEAF_NS" link set vxlan20000 type bridge_slave learning off
for dev in br20000 vxlan20000; do ip -n "$LEAF_NS" link set $dev up; done

# A host behind the leaf's VRF.
ip -n "$LEAF_NS" link add host0 type veth peer name eth0 netns "$HOST_NS"
ip -n "$LEAF_NS" link set host0 master vrf-tenant
ip -n "$LEAF_NS" addr add 10.99.0.1/24 dev host0
ip -n "$LEAF_NS" link set host0 up
ip -n "$HOST_NS" link set eth0 mtu 1450 up
ip -n "$HOST_NS" addr add 10.99.0.10/24 dev eth0
ip -n "$HOST_NS" route add default via 10.99.0.1
