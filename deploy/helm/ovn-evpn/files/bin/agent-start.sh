#!/usr/bin/env bash
# Starts the node agent with the node-level BGP settings that node-init.sh left
# in the shared emptyDir, so the agent's flags and FRR's boot config agree.
# Extra arguments are passed through to the agent.
set -euo pipefail

shared="${SHARED_DIR:-/run/ovn-evpn}"
env_file="$shared/node-bgp.env"
agent="${AGENT_BIN:-evpn-node-agent}"

[[ -r "$env_file" ]] || { echo "agent-start: $env_file is missing: did the node-init container run?" >&2; exit 1; }
# Only the keys node-init.sh writes are read; the file is never sourced.
declare -A bgp=()
while IFS='=' read -r key value; do
  case "$key" in
    VTEP_IP | ROUTER_ID | SERVER_ASN | PEER_IP | PEER_ASN | NODE_NAME | UNDERLAY_INTERFACE) bgp[$key]="$value" ;;
  esac
done <"$env_file"
for key in VTEP_IP ROUTER_ID SERVER_ASN; do
  [[ -n "${bgp[$key]:-}" ]] || { echo "agent-start: $env_file has no $key" >&2; exit 1; }
done

exec "$agent" \
  --vtep-ip="${bgp[VTEP_IP]}" \
  --asn="${bgp[SERVER_ASN]}" \
  --router-id="${bgp[ROUTER_ID]}" \
  "$@"
