// Cross-object checks the API server cannot do: which VRFs and networks can be
// applied together on a node. An object that fails is left out (with a coded
// reason for its status); every other object is still applied.
import { effectiveRoutingTable, EvpnErrorCode, hasProviderPath } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';

export interface Rejection { code: string; reason: string; message: string }

export interface Applicable {
  vrfs: EvpnVrf[];
  networks: EvpnNetwork[];
  rejectedVrfs: Map<string, Rejection>;
  rejectedNetworks: Map<string, Rejection>;
}

type Named = { metadata: { name: string; creationTimestamp?: string | undefined } };

/** Oldest first (then by name): the object that held a number first keeps it. */
const byAge = (a: Named, b: Named): number =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name);

/** Groups of objects claiming the same key, each sorted so that [0] keeps it. */
function duplicates<T extends Named>(items: readonly T[], key: (t: T) => string | number | undefined): Map<string | number, T[]> {
  const groups = new Map<string | number, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return new Map([...groups].filter(([, list]) => list.length > 1).map(([k, list]) => [k, list.sort(byAge)]));
}

const conflict = (message: string): Rejection => ({ code: EvpnErrorCode.Conflict, reason: 'Conflict', message: `${EvpnErrorCode.Conflict}: ${message}` });

export function selectApplicable(vrfs: readonly EvpnVrf[], networks: readonly EvpnNetwork[]): Applicable {
  const rejectedVrfs = new Map<string, Rejection>();
  const rejectedNetworks = new Map<string, Rejection>();

  // A newcomer that claims a number in use is refused; the holder keeps working.
  for (const [vni, [holder, ...rest]] of duplicates(vrfs, (v) => v.spec.vni)) {
    for (const v of rest) rejectedVrfs.set(v.metadata.name, conflict(`L3VNI ${vni} is already used by EvpnVrf ${holder?.metadata.name ?? '?'}`));
  }
  for (const [table, [holder, ...rest]] of duplicates(vrfs.filter((v) => !rejectedVrfs.has(v.metadata.name)), (v) => effectiveRoutingTable(v.spec))) {
    for (const v of rest) rejectedVrfs.set(v.metadata.name, conflict(`routing table ${table} is already used by EvpnVrf ${holder?.metadata.name ?? '?'}`));
  }
  const l3vnis = new Set(vrfs.map((v) => v.spec.vni));
  const vrfByName = new Map(vrfs.map((v) => [v.metadata.name, v]));

  for (const n of networks) {
    if (n.spec.source !== undefined && !hasProviderPath(n.spec)) {
      rejectedNetworks.set(n.metadata.name, { code: EvpnErrorCode.UnusableAssociation, reason: 'NoProviderPath', message: `${EvpnErrorCode.UnusableAssociation}: OVN gives this network no VLAN path (see its Accepted condition); not applied` });
      continue;
    }
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
  const live = (): EvpnNetwork[] => networks.filter((n) => !rejectedNetworks.has(n.metadata.name));
  for (const [vni, [holder, ...rest]] of duplicates(live().filter((n) => n.spec.type === 'l2'), (n) => n.spec.vni)) {
    for (const n of rest) rejectedNetworks.set(n.metadata.name, conflict(`L2VNI ${vni} is already used by EvpnNetwork ${holder?.metadata.name ?? '?'}`));
  }
  for (const [vlan, [holder, ...rest]] of duplicates(live(), (n) => n.spec.vlanId)) {
    for (const n of rest) rejectedNetworks.set(n.metadata.name, conflict(`VLAN ${vlan} is already used by EvpnNetwork ${holder?.metadata.name ?? '?'}`));
  }
  return {
    vrfs: vrfs.filter((v) => !rejectedVrfs.has(v.metadata.name)),
    networks: networks.filter((n) => !rejectedNetworks.has(n.metadata.name)),
    rejectedVrfs,
    rejectedNetworks,
  };
}
