#!/usr/bin/env bash
# ovn-evpn node init (the node agent pod's init container, hostNetwork).
#
# Derives this node's BGP settings, renders FRR's boot configuration and hands
# the node-level settings to the agent through the pod's shared emptyDir:
#   - server ASN from the node IP: 4200000000 + o2*65536 + o3*256 + o4;
#   - the leaf (gateway) address: route table -> ARP -> subnet convention;
#   - the leaf ASN from the ASN mapping ConfigMap (longest matching prefix);
#   - SHARED_DIR/node-bgp.env (flags of the agent) and node-bgp.json (the node
#     part of the agent's FRR model, so its first reload keeps the leaf session);
#   - FRR_CONF_DIR/{daemons,frr.conf,vtysh.conf}, rendered from node-bgp.json by
#     the agent's own renderer (node-agent/frr/write-boot-files.ts, on the
#     agent image's node), so FRR boots into exactly what the agent applies.
#
# Every outside input is an environment variable, a file or a replaceable
# command (IP_CMD, PING_CMD, JQ_CMD, SLEEP_CMD, NODE_CMD), so tests run it on fixtures.
# Inputs:
#   NODE_NAME, NODE_IP     downward API (spec.nodeName, status.hostIP); required
#   UNDERLAY_INTERFACE     device holding NODE_IP; found with `ip -o -4 addr` if empty
#   PEER_IP                "" or "detection" (auto), "first", "last" or an IPv4 address
#   LEAF_ASN               fixed leaf ASN; if empty, looked up in ASN_MAPPING_FILE
#   ASN_MAPPING_FILE       JSON object {"<cidr>": "<asn>"}; ASN_CONFIGMAP names its ConfigMap
#   SERVER_ASN             fixed server ASN; default derived from NODE_IP
#   BGP_KEEPALIVE, BGP_HOLD  leaf session timers (default 3 9, the agent's own)
#   EVPN_RR_IPS, EVPN_RR_ASN, EVPN_RR_MULTIHOP  EVPN route reflectors (space separated), optional
#   ADVERTISE_NODE_IP      "true" (default): originate NODE_IP/32 towards the leaf
#   CHECK_REACHABILITY     "true" (default): ping the peer once and report it
#   ARP_SETTLE_SECONDS     wait after the ARP probes (default 1)
#   FRR_BFD                "yes": bfdd runs (default "no")
#   FRR_CONF_DIR, SHARED_DIR  outputs (default /etc/frr, /run/ovn-evpn)
#   AGENT_HOME             where the agent's sources are (default /opt/ovn-evpn, the image's)
set -euo pipefail

IP_CMD="${IP_CMD:-ip}"
PING_CMD="${PING_CMD:-ping}"
JQ_CMD="${JQ_CMD:-jq}"
SLEEP_CMD="${SLEEP_CMD:-sleep}"
NODE_CMD="${NODE_CMD:-node}"

log() { echo "node-init: $*" >&2; }
die() { echo "node-init: ERROR: $*" >&2; exit 1; }

is_ipv4() {
  local ip="$1" o
  [[ "$ip" =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || return 1
  IFS=. read -r -a o <<<"$ip"
  for x in "${o[@]}"; do
    [[ "$x" =~ ^(0|[1-9][0-9]*)$ ]] && (( x <= 255 )) || return 1
  done
}

ip_to_int() {
  local a b c d
  IFS=. read -r a b c d <<<"$1"
  echo $(( (a << 24) + (b << 16) + (c << 8) + d ))
}

int_to_ip() {
  local n="$1"
  echo "$(( (n >> 24) & 255 )).$(( (n >> 16) & 255 )).$(( (n >> 8) & 255 )).$(( n & 255 ))"
}

# 10.0.192.111 -> 4200049263 (seed 001; unique within one /8 underlay).
ip_to_asn() {
  local ip="$1" o1 o2 o3 o4
  is_ipv4 "$ip" || die "cannot derive an ASN from '$ip': not an IPv4 address"
  IFS=. read -r o1 o2 o3 o4 <<<"$ip"
  : "$o1"
  echo $(( 4200000000 + o2 * 65536 + o3 * 256 + o4 ))
}

# "10.0.192.111/24" -> "10.0.192.0/24"
network_of() {
  local ip="${1%/*}" len="${1#*/}" n mask
  n="$(ip_to_int "$ip")"
  mask=$(( len == 0 ? 0 : (0xFFFFFFFF << (32 - len)) & 0xFFFFFFFF ))
  echo "$(int_to_ip $(( n & mask )))/$len"
}

# "10.0.192.111/24" -> "10.0.192.1 10.0.192.254": the first and last host addresses.
get_subnet_info() {
  local ip="${1%/*}" len="${1#*/}" n mask net bcast
  n="$(ip_to_int "$ip")"
  mask=$(( len == 0 ? 0 : (0xFFFFFFFF << (32 - len)) & 0xFFFFFFFF ))
  net=$(( n & mask ))
  bcast=$(( net | (~mask & 0xFFFFFFFF) ))
  if (( len >= 31 )); then
    echo "$(int_to_ip "$net") $(int_to_ip "$bcast")"
  else
    echo "$(int_to_ip $(( net + 1 ))) $(int_to_ip $(( bcast - 1 )))"
  fi
}

cidr_contains() {
  local cidr="$1" ip="$2" len n mask
  len="${cidr#*/}"
  n="$(ip_to_int "${cidr%/*}")"
  mask=$(( len == 0 ? 0 : (0xFFFFFFFF << (32 - len)) & 0xFFFFFFFF ))
  (( ( $(ip_to_int "$ip") & mask ) == ( n & mask ) ))
}

# Step 1: the default route through the underlay device.
discover_from_route() {
  local iface="$1"
  "$IP_CMD" -4 route show dev "$iface" 2>/dev/null |
    awk '$1 == "default" { for (i = 2; i < NF; i++) if ($i == "via") { print $(i + 1); exit } }'
}

# Step 2: probe the first and last host address at once (the `&` matters: two
# sequential pings with -W 3 would cost 6 s per node), then read the ARP table.
discover_from_arp() {
  local iface="$1" first="$2" last="$3" gw
  for gw in "$first" "$last"; do
    "$PING_CMD" -c 2 -W 3 -I "$iface" "$gw" >/dev/null 2>&1 &
  done
  wait || true
  "$SLEEP_CMD" "${ARP_SETTLE_SECONDS:-1}"
  local neigh
  neigh="$("$IP_CMD" -4 neigh show dev "$iface" 2>/dev/null || true)"
  for gw in "$first" "$last"; do
    if awk -v gw="$gw" '$1 == gw && $0 ~ /lladdr/ && $0 !~ /(FAILED|INCOMPLETE)/ { found = 1 } END { exit !found }' <<<"$neigh"; then
      echo "$gw"
      return 0
    fi
  done
  return 0
}

# Prints "<gateway> <method>", method one of route, arp, fallback.
discover_gateway_auto() {
  local iface="$1" ip_cidr="$2" gw first last
  gw="$(discover_from_route "$iface")"
  if [[ -n "$gw" ]] && is_ipv4 "$gw"; then
    echo "$gw route"
    return
  fi
  read -r first last <<<"$(get_subnet_info "$ip_cidr")"
  gw="$(discover_from_arp "$iface" "$first" "$last")"
  if [[ -n "$gw" ]]; then
    echo "$gw arp"
    return
  fi
  echo "$first fallback"
}

# Prints "<asn> <source>"; the longest prefix of the mapping containing the IP wins.
discover_leaf_asn() {
  local ip="$1" subnet="$2"
  if [[ -n "${LEAF_ASN:-}" ]]; then
    if [[ ! "$LEAF_ASN" =~ ^[1-9][0-9]{0,9}$ ]] || (( LEAF_ASN > 4294967295 )); then
      die "LEAF_ASN '$LEAF_ASN' is not an ASN (1-4294967295)"
    fi
    echo "$LEAF_ASN fixed"
    return
  fi
  local file="${ASN_MAPPING_FILE:-/etc/ovn-evpn/asn-mapping/mapping.json}"
  local cm="${ASN_CONFIGMAP:-the ASN mapping ConfigMap}"
  [[ -r "$file" ]] || die "no Leaf ASN mapping file at $file (ConfigMap $cm, key mapping.json); set bgp.leafAsn or create the ConfigMap"
  local entries
  entries="$("$JQ_CMD" -r 'to_entries[] | "\(.key) \(.value)"' "$file" 2>/dev/null)" ||
    die "$file (ConfigMap $cm) is not a JSON object like {\"10.0.192.0/24\": \"65001\"}"
  local best_len=-1 best_asn="" cidr asn
  while read -r cidr asn; do
    [[ -z "$cidr" ]] && continue
    if [[ ! "$cidr" =~ ^([0-9.]+)/([0-9]{1,2})$ ]] || ! is_ipv4 "${BASH_REMATCH[1]}" || (( BASH_REMATCH[2] > 32 )); then
      log "ignoring mapping key '$cidr': not an IPv4 CIDR"
      continue
    fi
    if [[ ! "$asn" =~ ^[1-9][0-9]{0,9}$ ]] || (( asn > 4294967295 )); then
      log "ignoring mapping $cidr: '$asn' is not an ASN"
      continue
    fi
    if cidr_contains "$cidr" "$ip" && (( ${cidr#*/} > best_len )); then
      best_len="${cidr#*/}"
      best_asn="$asn"
    fi
  done <<<"$entries"
  if [[ -z "$best_asn" ]]; then
    die "No Leaf ASN mapping found for node IP $ip (subnet $subnet) in $file. Add \"$subnet\": \"<leaf ASN>\" to mapping.json (kubectl -n ${POD_NAMESPACE:-<namespace>} edit configmap $cm) or set bgp.leafAsn, then restart this pod."
  fi
  echo "$best_asn configmap"
}

# Prints "<dev> <ip/len>" of NODE_IP.
find_node_address() {
  local ip="$1" iface="${2:-}" out
  if [[ -n "$iface" ]]; then
    out="$("$IP_CMD" -o -4 addr show dev "$iface" 2>/dev/null || true)"
  else
    out="$("$IP_CMD" -o -4 addr show 2>/dev/null || true)"
  fi
  awk -v ip="$ip" '{ for (i = 1; i < NF; i++) if ($i == "inet") { split($(i + 1), a, "/"); if (a[1] == ip) { print $2, $(i + 1); exit } } }' <<<"$out"
}

json_string_list() {
  local first=1 item out="["
  for item in "$@"; do
    (( first )) || out+=", "
    out+="\"$item\""
    first=0
  done
  echo "$out]"
}

main() {
  local node_name="${NODE_NAME:-}" node_ip="${NODE_IP:-}"
  [[ -n "$node_name" ]] || die "NODE_NAME is not set (downward API spec.nodeName)"
  is_ipv4 "$node_ip" || die "NODE_IP '$node_ip' is not an IPv4 address (downward API status.hostIP)"

  local found iface ip_cidr
  found="$(find_node_address "$node_ip" "${UNDERLAY_INTERFACE:-}")"
  [[ -n "$found" ]] || die "node IP $node_ip is on no interface${UNDERLAY_INTERFACE:+ named $UNDERLAY_INTERFACE} (ip -o -4 addr)"
  read -r iface ip_cidr <<<"$found"
  local subnet
  subnet="$(network_of "$ip_cidr")"

  local server_asn asn_source=auto-generated
  if [[ -n "${SERVER_ASN:-}" ]]; then
    server_asn="$SERVER_ASN"
    asn_source=fixed
  else
    server_asn="$(ip_to_asn "$node_ip")"
  fi

  local peer_ip method first last
  case "${PEER_IP:-}" in
    "" | detection) read -r peer_ip method <<<"$(discover_gateway_auto "$iface" "$ip_cidr")" ;;
    first) read -r peer_ip last <<<"$(get_subnet_info "$ip_cidr")"; method=first ;;
    last) read -r first peer_ip <<<"$(get_subnet_info "$ip_cidr")"; method=last ;;
    *)
      is_ipv4 "$PEER_IP" || die "PEER_IP '$PEER_IP' is neither detection, first, last nor an IPv4 address"
      peer_ip="$PEER_IP"
      method=fixed
      ;;
  esac
  : "${first:-}" "${last:-}"

  local leaf_asn leaf_source
  read -r leaf_asn leaf_source <<<"$(discover_leaf_asn "$node_ip" "$subnet")"

  local reachable=unchecked
  if [[ "${CHECK_REACHABILITY:-true}" == true ]]; then
    if "$PING_CMD" -c 1 -W 1 "$peer_ip" >/dev/null 2>&1; then reachable=yes; else reachable=no; fi
  fi

  local frr_dir="${FRR_CONF_DIR:-/etc/frr}" shared="${SHARED_DIR:-/run/ovn-evpn}"
  mkdir -p "$frr_dir" "$shared"
  local advertise=""
  [[ "${ADVERTISE_NODE_IP:-true}" == true ]] && advertise="$node_ip/32"
  local keepalive="${BGP_KEEPALIVE:-3}" hold="${BGP_HOLD:-9}"
  local rr_ips=() rr_json=""
  read -r -a rr_ips <<<"${EVPN_RR_IPS:-}"
  if (( ${#rr_ips[@]} > 0 )); then
    local rr_asn="${EVPN_RR_ASN:-$server_asn}" multihop=""
    [[ "$rr_asn" != "$server_asn" ]] && multihop=", \"ebgpMultihop\": ${EVPN_RR_MULTIHOP:-4}"
    rr_json=", \"evpn\": { \"peerGroup\": { \"remoteAs\": $rr_asn, \"updateSource\": \"$node_ip\"$multihop, \"members\": $(json_string_list "${rr_ips[@]}") } }"
  fi
  local networks=()
  [[ -n "$advertise" ]] && networks=("$advertise")
  cat >"$shared/node-bgp.json.tmp" <<JSON
{
  "nodeName": "$node_name",
  "vtepIp": "$node_ip",
  "interface": "$iface",
  "subnet": "$subnet",
  "discovery": { "peer": "$method", "leafAsn": "$leaf_source", "serverAsn": "$asn_source", "reachable": "$reachable" },
  "frr": {
    "asn": $server_asn,
    "routerId": "$node_ip",
    "underlayNeighbors": [ { "address": "$peer_ip", "remoteAs": $leaf_asn, "timers": { "keepalive": $keepalive, "hold": $hold } } ],
    "advertiseNetworks": $(json_string_list "${networks[@]}")$rr_json
  }
}
JSON
  mv "$shared/node-bgp.json.tmp" "$shared/node-bgp.json"
  "$NODE_CMD" "${AGENT_HOME:-/opt/ovn-evpn}/node-agent/frr/write-boot-files.ts" \
    --node-bgp "$shared/node-bgp.json" --dir "$frr_dir" --bfd "${FRR_BFD:-no}" ||
    die "cannot write FRR's boot configuration to $frr_dir from $shared/node-bgp.json"
  # The agent's --config (node-agent/config.ts AgentConfig: node, bgp, frr): the
  # chart's static settings (AGENT_CONFIG_FILE) with this node's part on top.
  # frrNodeSettings carries the exact FRR node model this script rendered.
  local static="${AGENT_CONFIG_FILE:-}"
  [[ -n "$static" && -r "$static" ]] || static=/dev/null
  # shellcheck disable=SC2016 # jq program, not shell
  "$JQ_CMD" -n --slurpfile s "$static" --slurpfile b "$shared/node-bgp.json" '($s[0] // {}) as $s | $b[0] as $b |
      $s * { node: { nodeName: $b.nodeName, vtepIp: $b.vtepIp },
             bgp: { asn: $b.frr.asn, routerId: $b.frr.routerId,
                    peers: ([ $b.frr.underlayNeighbors[] | { address, remoteAs } ]
                            + [ ($b.frr.evpn.peerGroup // null) | select(. != null) | .remoteAs as $rr_as | .members[] | { address: ., remoteAs: $rr_as } ]) },
             frrNodeSettings: $b.frr }' \
    >"$shared/node-agent.json.tmp" || die "cannot merge $static with the node settings (not a JSON object?)"
  mv "$shared/node-agent.json.tmp" "$shared/node-agent.json"
  cat >"$shared/node-bgp.env.tmp" <<ENV
NODE_NAME=$node_name
VTEP_IP=$node_ip
ROUTER_ID=$node_ip
SERVER_ASN=$server_asn
PEER_IP=$peer_ip
PEER_ASN=$leaf_asn
UNDERLAY_INTERFACE=$iface
ENV
  mv "$shared/node-bgp.env.tmp" "$shared/node-bgp.env"

  cat <<SUMMARY
=== BGP Configuration ===
Node:           $node_name
Interface:      $iface ($ip_cidr)
Subnet:         $subnet

Local (Server):
  IPv4:         $node_ip
  ASN:          $server_asn ($asn_source)
  Router ID:    $node_ip

Peer (Leaf Switch):
  IPv4:         $peer_ip
  ASN:          $leaf_asn (from $leaf_source)
  Discovery:    $method
  Reachable:    $reachable
==================================
SUMMARY
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
