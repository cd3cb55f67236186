// The last step of buildDesired: each node's ports of each wanted network, one
// EvpnPortSet per (network, node). Ports come from bound VM Port_Bindings.
import type { EvpnPortSetSpec, LocalPort } from '../../crds/index.ts';
import { portSetName } from '../../crds/evpn-port-set.ts';
import type { OvnSnapshot, PortBindingRow } from '../ovn-source/ovn-snapshot.ts';
import { datapathNameIndex, networkOfPortBinding } from './collect-associations.ts';

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** The port of a binding: its first valid MAC entry (extra entries are virtual addresses). */
export function localPortOf(pb: PortBindingRow): LocalPort | undefined {
  for (const entry of pb.mac) {
    const [mac, ...ips] = entry.trim().split(/\s+/);
    if (mac === undefined || !MAC.test(mac.toLowerCase())) continue;
    const port: LocalPort = { name: pb.logicalPort, mac: mac.toLowerCase() };
    if (ips.length > 0) port.ips = ips.sort();
    return port;
  }
  return undefined;
}

/**
 * The OVN source has already put the Kubernetes node name in each chassis row
 * (ovn-source/node-names.ts#withNodeNames); a chassis with none maps to no node
 * and its ports go nowhere.
 */
export function portSetsByNetworkAndNode(
  snapshot: OvnSnapshot,
  wanted: ReadonlySet<string>,
): Map<string, EvpnPortSetSpec> {
  const chassisNode = new Map(snapshot.chassis.map((c) => [c.uuid, c.hostname || c.name || undefined]));
  const dpNames = datapathNameIndex(snapshot);
  const sets = new Map<string, EvpnPortSetSpec>();
  for (const pb of snapshot.portBindings) {
    if (pb.type !== '' || pb.chassis === undefined) continue;
    const network = networkOfPortBinding(pb, dpNames);
    if (network === undefined || !wanted.has(network)) continue;
    const node = chassisNode.get(pb.chassis);
    const port = node === undefined ? undefined : localPortOf(pb);
    if (node === undefined || port === undefined) continue;
    const name = portSetName(network, node);
    const set = sets.get(name) ?? { network, nodeName: node, ports: [] };
    if (!set.ports.some((p) => p.name === port.name)) set.ports.push(port);
    sets.set(name, set);
  }
  for (const s of sets.values()) s.ports.sort((a, b) => a.name.localeCompare(b.name));
  return sets;
}
