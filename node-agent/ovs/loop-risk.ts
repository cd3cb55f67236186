// Pure: which other ports of the uplink's bridge also carry a VLAN that EVPN
// stretches. Such a VLAN reaches the fabric twice (through the uplink and
// VXLAN, and through that port's NIC): a loop or duplicate delivery. The agent
// warns and never touches the port. Internal ports (the host stack) and patch
// ports (OVN's localnet patch to br-int, which must carry the VLANs) are not
// counted: they do not leave the node.
import type { OvsPort, OvsView } from './ovs-view.ts';
import { OWNER_KEY, OWNER_VALUE } from './render-uplink.ts';

export interface LoopRisk {
  bridge: string;
  port: string;
  vlans: number[];
}

const ALL = 'all' as const;

/** The VLANs a port forwards, following ovs-vswitchd.conf.db(5) `vlan_mode`. */
export function portVlans(p: OvsPort): readonly number[] | typeof ALL {
  const mode = p.vlanMode ?? (p.tag === null ? 'trunk' : 'access');
  const trunkSet = p.trunks.length === 0 ? ALL : p.trunks;
  switch (mode) {
    case 'access':
    case 'dot1q-tunnel':
      return p.tag === null ? [] : [p.tag];
    case 'trunk':
      return trunkSet;
    default: // native-tagged, native-untagged
      return trunkSet === ALL ? ALL : [...new Set([...(p.tag === null ? [] : [p.tag]), ...trunkSet])];
  }
}

export function findLoopRisks(view: OvsView, bridgeName: string, vlans: readonly number[]): LoopRisk[] {
  const bridge = view.bridges.find((b) => b.name === bridgeName);
  if (bridge === undefined || vlans.length === 0) return [];
  const risks: LoopRisk[] = [];
  for (const uuid of bridge.ports) {
    const p = view.ports.get(uuid);
    if (p === undefined || p.externalIds[OWNER_KEY] === OWNER_VALUE) continue;
    const types = p.interfaces.map((i) => view.interfaces.get(i)?.type ?? '');
    if (types.every((t) => t === 'internal' || t === 'patch')) continue;
    const carried = portVlans(p);
    const shared = carried === ALL ? [...vlans] : vlans.filter((v) => carried.includes(v));
    if (shared.length > 0) risks.push({ bridge: bridgeName, port: p.name, vlans: shared.sort((a, b) => a - b) });
  }
  return risks.sort((a, b) => a.port.localeCompare(b.port));
}
