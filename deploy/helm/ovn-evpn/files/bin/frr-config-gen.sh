#!/usr/bin/env bash
# Renders FRR's boot configuration for the node agent pod: daemons, vtysh.conf
# and a frr.conf with the leaf session (and EVPN route reflectors, if any).
# The text is written exactly as the agent's renderer (node-agent/frr/render.ts)
# writes the same settings, so the agent's first frr-reload leaves the underlay
# session alone; deploy/test/node-init.int.test.ts checks that they agree.
#
# Inputs (env): SERVER_ASN ROUTER_ID VTEP_IP PEER_IP PEER_ASN [ADVERTISE_NETWORK]
#   [BGP_KEEPALIVE=3] [BGP_HOLD=10] [EVPN_RR_IPS] [EVPN_RR_ASN] [EVPN_RR_MULTIHOP=4]
#   [FRR_CONF_DIR=/etc/frr] [FRR_BFD=false]
set -euo pipefail

: "${SERVER_ASN:?}" "${ROUTER_ID:?}" "${PEER_IP:?}" "${PEER_ASN:?}"
dir="${FRR_CONF_DIR:-/etc/frr}"
keepalive="${BGP_KEEPALIVE:-3}"
hold="${BGP_HOLD:-10}"
mkdir -p "$dir"

cat >"$dir/daemons" <<DAEMONS
zebra=yes
bgpd=yes
bfdd=${FRR_BFD:-no}
ospfd=no
ospf6d=no
ripd=no
ripngd=no
isisd=no
pimd=no
ldpd=no
nhrpd=no
eigrpd=no
babeld=no
sharpd=no
pbrd=no
fabricd=no
vrrpd=no
pathd=no
vtysh_enable=yes
zebra_options="  -A 127.0.0.1 -s 90000000 -f /etc/frr/frr.conf"
bgpd_options="   -A 127.0.0.1 -f /etc/frr/frr.conf"
bfdd_options="   -A 127.0.0.1 -f /etc/frr/frr.conf"
# Each daemon reads the boot config itself (-f, at the path the FRR container
# mounts it, whatever FRR_CONF_DIR this script writes to; the node agent keeps frr.conf
# equal to what it applied). frrcommon.sh would then replay the whole file
# through \`vtysh -b\` after every (re)start, line by line: minutes at 1,000
# VRFs (bench/findings.md §5), so its vtysh_b runs true instead.
VTYSH=/bin/true
DAEMONS

cat >"$dir/vtysh.conf" <<'VTYSH'
service integrated-vtysh-config
VTYSH

read -r -a rr_ips <<<"${EVPN_RR_IPS:-}"
mapfile -t rr_sorted < <(printf '%s\n' "${rr_ips[@]}" | LC_ALL=C sort -u | sed '/^$/d')
rr_asn="${EVPN_RR_ASN:-$SERVER_ASN}"

{
  echo 'frr defaults datacenter'
  echo 'no ipv6 forwarding'
  echo '!'
  echo "router bgp $SERVER_ASN"
  echo " bgp router-id $ROUTER_ID"
  echo ' no bgp default ipv4-unicast'
  echo ' bgp graceful-restart'
  if (( ${#rr_sorted[@]} > 0 )); then
    echo ' neighbor EVPN peer-group'
    echo " neighbor EVPN remote-as $rr_asn"
    [[ "$rr_asn" != "$SERVER_ASN" ]] && echo " neighbor EVPN ebgp-multihop ${EVPN_RR_MULTIHOP:-4}"
    echo " neighbor EVPN update-source ${VTEP_IP:-$ROUTER_ID}"
    for rr in "${rr_sorted[@]}"; do echo " neighbor $rr peer-group EVPN"; done
  fi
  echo " neighbor $PEER_IP remote-as $PEER_ASN"
  echo " neighbor $PEER_IP timers $keepalive $hold"
  echo ' !'
  echo ' address-family ipv4 unicast'
  [[ -n "${ADVERTISE_NETWORK:-}" ]] && echo "  network $ADVERTISE_NETWORK"
  echo "  neighbor $PEER_IP activate"
  echo ' exit-address-family'
  echo ' !'
  echo ' address-family l2vpn evpn'
  (( ${#rr_sorted[@]} > 0 )) && echo '  neighbor EVPN activate'
  echo '  advertise-all-vni'
  echo ' exit-address-family'
  echo 'exit'
  echo '!'
} >"$dir/frr.conf.tmp"
mv "$dir/frr.conf.tmp" "$dir/frr.conf"
chmod 0644 "$dir/daemons" "$dir/vtysh.conf" "$dir/frr.conf"
