// Cross-object checks the API server cannot do: which VRFs and networks can be
// applied together on a node. An object that fails is left out (with a coded
// reason for its status); every other object is still applied.
import { effectiveRoutingTable, EvpnErrorCode } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';

export interface Rejection { code: string; reason: string; message: string }

export interface Applicable {
  vrfs: EvpnVrf[];
  networks: EvpnNetwork[];
  rejectedVrfs: Map<string, Rejection>;
  rejectedNetworks: Map<string, Rejection>;
}

function duplicates<T>(items: readonly T[], key: (t: T) => string | number | undefined): Map<string | number, T[]> {
  const groups = new Map<string | number, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return new Map([...groups].filter(([, list]) => list.length > 1));
}

const conflict = (message: string): Rejection => ({ code: EvpnErrorCode.Conflict, reason: 'Conflict', message: `${EvpnErrorCode.Conflict}: ${message}` });

export function selectApplicable(vrfs: readonly EvpnVrf[], networks: readonly EvpnNetwork[]): Applicable {
  const rejectedVrfs = new Map<string, Rejection>();
  const rejectedNetworks = new Map<string, Rejection>();
  const names = (list: readonly { metadata: { name: string } }[]): string => list.map((o) => o.metadata.name).sort().join(', ');

  for (const [vni, list] of duplicates(vrfs, (v) => v.spec.vni)) {
    for (const v of list) rejectedVrfs.set(v.metadata.name, conflict(`L3VNI ${vni} is claimed by several EvpnVrfs (${names(list)})`));
  }
  for (const [table, list] of duplicates(vrfs, (v) => effectiveRoutingTable(v.spec))) {
    for (const v of list) rejectedVrfs.set(v.metadata.name, conflict(`routing table ${table} is used by several EvpnVrfs (${names(list)})`));
  }
  const l3vnis = new Set(vrfs.map((v) => v.spec.vni));
  const vrfByName = new Map(vrfs.map((v) => [v.metadata.name, v]));

  for (const n of networks) {
    const vrfName = n.spec.vrf;
    if (vrfName !== undefined && !vrfByName.has(vrfName)) {
      rejectedNetworks.set(n.metadata.name, { code: EvpnErrorCode.NotFound, reason: 'VrfNotFound', message: `${EvpnErrorCode.NotFound}: EvpnVrf ${vrfName} does not exist` });
      continue;
    }
    if (vrfName !== undefined && rejectedVrfs.has(vrfName)) {
      rejectedNetworks.set(n.metadata.name, { code: EvpnErrorCode.Conflict, reason: 'Conflict', message: `${EvpnErrorCode.Conflict}: its EvpnVrf ${vrfName} is not applied: ${rejectedVrfs.get(vrfName)?.message ?? ''}` });
      continue;
    }
    if (n.spec.type === 'l2' && n.spec.vni !== undefined && l3vnis.has(n.spec.vni)) {
      rejectedNetworks.set(n.metadata.name, conflict(`VNI ${n.spec.vni} is an L3VNI of an EvpnVrf; one VNI cannot be both the L2VNI and the L3VNI`));
    }
    if (n.spec.type === 'l3' && n.spec.vni !== undefined && vrfName !== undefined && vrfByName.get(vrfName)?.spec.vni !== n.spec.vni) {
      rejectedNetworks.set(n.metadata.name, conflict(`an l3 network's vni (${n.spec.vni}) must be its VRF's L3VNI (${vrfByName.get(vrfName)?.spec.vni ?? '?'})`));
    }
  }
  const live = networks.filter((n) => !rejectedNetworks.has(n.metadata.name));
  for (const [vni, list] of duplicates(live.filter((n) => n.spec.type === 'l2'), (n) => n.spec.vni)) {
    for (const n of list) rejectedNetworks.set(n.metadata.name, conflict(`L2VNI ${vni} is claimed by several EvpnNetworks (${names(list)})`));
  }
  for (const [vlan, list] of duplicates(live, (n) => n.spec.vlanId)) {
    for (const n of list) rejectedNetworks.set(n.metadata.name, conflict(`VLAN ${vlan} is claimed by several EvpnNetworks (${names(list)})`));
  }
  return {
    vrfs: vrfs.filter((v) => !rejectedVrfs.has(v.metadata.name)),
    networks: networks.filter((n) => !rejectedNetworks.has(n.metadata.name)),
    rejectedVrfs,
    rejectedNetworks,
  };
}
