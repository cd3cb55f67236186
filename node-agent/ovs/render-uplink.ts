// Pure: the applicable networks and the node's bridge mappings → the OVS side
// of the uplink: one Port (named like the veth end it holds, evpn-ovs) on the
// bridge that ovn-bridge-mappings names for the networks' physical network,
// trunking exactly their VLANs, and one result per network that has a provider.
//
// The kernel side has one veth (evpn-uplink in br-evpn ↔ evpn-ovs), so a node
// has one OVS uplink on one bridge. Networks whose physical network maps to
// another bridge are not plugged and say so (UplinkOnOtherBridge); the bridge
// is the one the port already sits on while it still carries a network, else
// the bridge with the most networks (then by name), so adding a network never
// moves the port. Networks without spec.provider keep their kernel plumbing
// and are not trunked into OVS (no physical network to map).
import type { EvpnNetwork } from '../../crds/index.ts';

/** Every external_ids key we write starts with this; all others belong to someone else. */
export const OURS_PREFIX = 'ovn-evpn:';
export const OWNER_KEY = 'ovn-evpn:owner';
export const OWNER_VALUE = 'node-agent';
export const PHYSNETS_KEY = 'ovn-evpn:physical-networks';

export const OvsReason = {
  NoBridgeMapping: 'NoBridgeMapping',
  BridgeNotFound: 'BridgeNotFound',
  UplinkOnOtherBridge: 'UplinkOnOtherBridge',
} as const;

export interface DesiredUplinkPort {
  bridge: string;
  name: string;
  /** Sorted, never empty (an empty trunks set would mean every VLAN). */
  trunks: number[];
  externalIds: Record<string, string>;
}

export interface NetworkOvsResult {
  physicalNetwork: string;
  bridge?: string;
  plugged: boolean;
  reason?: string;
  message?: string;
}

export interface UplinkPlan {
  port: DesiredUplinkPort | undefined;
  /** Networks with a provider and a VLAN, by name. */
  networks: Map<string, NetworkOvsResult>;
}

export interface UplinkInput {
  networks: readonly EvpnNetwork[];
  portName: string;
  /** physnet → bridge, from external_ids:ovn-bridge-mappings. */
  mappings: ReadonlyMap<string, string>;
  /** Bridges that exist in the database. */
  bridges: ReadonlySet<string>;
  /** The bridge our port sits on now, if any. */
  currentBridge: string | undefined;
}

export function ownerIds(physnets: readonly string[]): Record<string, string> {
  return { [OWNER_KEY]: OWNER_VALUE, [PHYSNETS_KEY]: [...new Set(physnets)].sort().join(',') };
}

/**
 * Groups the networks with a provider and a VLAN by the bridge their physical
 * network maps to; the ones with no usable bridge get their result in `results`.
 */
function groupByBridge(input: UplinkInput, results: Map<string, NetworkOvsResult>): Map<string, EvpnNetwork[]> {
  const byBridge = new Map<string, EvpnNetwork[]>();
  for (const n of [...input.networks].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const physnet = n.spec.provider?.physicalNetwork;
    if (physnet === undefined || n.spec.vlanId === undefined) continue;
    const bridge = input.mappings.get(physnet);
    if (bridge === undefined) {
      results.set(n.metadata.name, {
        physicalNetwork: physnet,
        plugged: false,
        reason: OvsReason.NoBridgeMapping,
        message: `physical network ${physnet} has no bridge in this node's ovn-bridge-mappings (${[...input.mappings].map(([p, b]) => `${p}:${b}`).join(',') || 'empty'})`,
      });
    } else if (!input.bridges.has(bridge)) {
      results.set(n.metadata.name, {
        physicalNetwork: physnet,
        bridge,
        plugged: false,
        reason: OvsReason.BridgeNotFound,
        message: `physical network ${physnet} maps to bridge ${bridge}, which does not exist in this node's Open vSwitch`,
      });
    } else {
      byBridge.set(bridge, [...(byBridge.get(bridge) ?? []), n]);
    }
  }
  return byBridge;
}

/** Plugged when its bridge is the uplink's, else refused with the bridge the uplink is on. */
function bridgeResult(n: EvpnNetwork, bridge: string, chosen: string | undefined, portName: string): NetworkOvsResult {
  const physnet = n.spec.provider?.physicalNetwork ?? '';
  return bridge === chosen
    ? { physicalNetwork: physnet, bridge, plugged: true }
    : {
        physicalNetwork: physnet,
        bridge,
        plugged: false,
        reason: OvsReason.UplinkOnOtherBridge,
        message: `physical network ${physnet} maps to bridge ${bridge}; this node's one uplink (${portName}) is on bridge ${chosen ?? '?'}`,
      };
}

/** The port trunking the VLANs of the networks on the chosen bridge; none without any. */
function desiredPort(
  byBridge: ReadonlyMap<string, readonly EvpnNetwork[]>,
  chosen: string | undefined,
  portName: string,
): DesiredUplinkPort | undefined {
  const onChosen = chosen === undefined ? [] : (byBridge.get(chosen) ?? []);
  return chosen === undefined || onChosen.length === 0
    ? undefined
    : {
        bridge: chosen,
        name: portName,
        trunks: [...new Set(onChosen.map((n) => n.spec.vlanId ?? 0))].sort((a, b) => a - b),
        externalIds: ownerIds(onChosen.map((n) => n.spec.provider?.physicalNetwork ?? '')),
      };
}

export function renderUplink(input: UplinkInput): UplinkPlan {
  const results = new Map<string, NetworkOvsResult>();
  const byBridge = groupByBridge(input, results);
  const chosen = chooseBridge(byBridge, input.currentBridge);
  for (const [bridge, list] of byBridge) {
    for (const n of list) results.set(n.metadata.name, bridgeResult(n, bridge, chosen, input.portName));
  }
  return { port: desiredPort(byBridge, chosen, input.portName), networks: results };
}

function chooseBridge(
  byBridge: ReadonlyMap<string, readonly EvpnNetwork[]>,
  current: string | undefined,
): string | undefined {
  if (current !== undefined && byBridge.has(current)) return current;
  return [...byBridge].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))[0]?.[0];
}
