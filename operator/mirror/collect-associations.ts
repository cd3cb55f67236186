// Finds every BGPVPN association in an OVN snapshot and resolves, per Neutron
// network, which one applies. Precedence (documented in docs/api.md):
//   1. NB Logical_Switch (network association)        — always wins;
//   2. NB Logical_Router_Port (router association);
//   3. SB Port_Binding `lrp-*` (where the shipped driver really writes router
//      associations; ovn-northd may rewrite these from NB at any moment);
//   4. SB Port_Binding of a VM port (port association) — creates the network
//      only when nothing above does; its routes/advertise flag always apply.
// A network with two different BGPVPNs is reported as EVPN-004.
import type { PrefixRoute, Subnet } from '../../crds/index.ts';
import { EvpnErrorCode, ObjectName } from '../../crds/index.ts';
import { networkOf } from '../../crds/net-address.ts';
import { hasBgpvpnKeys, NeutronKey, neutronIdOf } from '../ovn-source/bgpvpn-keys.ts';
import type { OvnSnapshot, PortBindingRow } from '../ovn-source/ovn-snapshot.ts';
import { parseAssociation } from './parse-association.ts';
import type { Association, AssociationProblem } from './parse-association.ts';
import { codedMessage } from '../../crds/error-codes.ts';

export type AssociationKind = 'network' | 'router' | 'port';

export interface SourceRowRef {
  db: 'OVN_Northbound' | 'OVN_Southbound';
  table: string;
  uuid: string;
  name?: string;
}

interface Claim {
  networkId: string;
  kind: AssociationKind;
  rank: number;
  row: SourceRowRef;
  routerId?: string;
  result: ReturnType<typeof parseAssociation>;
}

export interface NetworkAssociation {
  networkId: string;
  kind: AssociationKind;
  /** The applied association, or undefined when the deciding row is malformed. */
  association?: Association;
  /** Why the deciding row could not be used. */
  problem?: AssociationProblem;
  /** Conflicts (EVPN-004) that did not stop the network, in words (select-associations.ts codes them). */
  conflicts: string[];
  warnings: string[];
  routerId?: string;
  /** An l2 network's router's l3 association: the VRF it routes in (symmetric IRB), not a conflict. */
  routerL3?: Association;
  subnets: Subnet[];
  routes: PrefixRoute[];
  advertiseFixedIps?: boolean;
  portIds: string[];
  rows: SourceRowRef[];
}

const describe = (c: Claim): string => `${c.row.table} ${c.row.name ?? c.row.uuid}`;

/** Network of a Port_Binding: Neutron's key first, then its datapath's LS name. */
export function networkOfPortBinding(
  pb: PortBindingRow,
  datapathNames: ReadonlyMap<string, string>,
): string | undefined {
  const name = pb.externalIds[NeutronKey.networkName] ?? datapathNames.get(pb.datapath);
  return name === undefined ? undefined : neutronIdOf(name);
}

export function datapathNameIndex(snapshot: OvnSnapshot): Map<string, string> {
  const m = new Map<string, string>();
  for (const dp of snapshot.datapaths) {
    const name = dp.externalIds.name;
    if (name !== undefined) m.set(dp.uuid, name);
  }
  return m;
}

/** Gateway subnets of a network, from the router ports attached to it. */
function subnetsByNetwork(snapshot: OvnSnapshot): Map<string, Subnet[]> {
  const out = new Map<string, Subnet[]>();
  for (const lrp of snapshot.logicalRouterPorts) {
    const net = lrp.externalIds[NeutronKey.networkName];
    if (net === undefined) continue;
    const list = out.get(neutronIdOf(net)) ?? [];
    for (const address of lrp.networks) {
      const parsed = networkOf(address);
      if (!parsed) continue;
      if (!list.some((s) => s.cidr === parsed.cidr)) list.push({ cidr: parsed.cidr, gateway: parsed.address });
    }
    out.set(neutronIdOf(net), list);
  }
  for (const list of out.values()) list.sort((a, b) => a.cidr.localeCompare(b.cidr));
  return out;
}

function collectClaims(snapshot: OvnSnapshot, datapathNames: ReadonlyMap<string, string>): Claim[] {
  const claims: Claim[] = [];
  for (const ls of snapshot.logicalSwitches) {
    if (!hasBgpvpnKeys(ls.externalIds)) continue;
    claims.push({
      networkId: neutronIdOf(ls.name),
      kind: 'network',
      rank: 1,
      row: { db: 'OVN_Northbound', table: 'Logical_Switch', uuid: ls.uuid, name: ls.name },
      result: parseAssociation(ls.externalIds),
    });
  }
  const nbRouterPorts = new Set<string>();
  for (const lrp of snapshot.logicalRouterPorts) {
    if (!hasBgpvpnKeys(lrp.externalIds)) continue;
    const net = lrp.externalIds[NeutronKey.networkName];
    if (net === undefined) continue;
    nbRouterPorts.add(lrp.name);
    const router = lrp.externalIds[NeutronKey.routerName];
    claims.push({
      networkId: neutronIdOf(net),
      kind: 'router',
      rank: 2,
      row: { db: 'OVN_Northbound', table: 'Logical_Router_Port', uuid: lrp.uuid, name: lrp.name },
      ...(router !== undefined ? { routerId: neutronIdOf(router) } : {}),
      result: parseAssociation(lrp.externalIds),
    });
  }
  for (const pb of snapshot.portBindings) {
    if (!hasBgpvpnKeys(pb.externalIds)) continue;
    const isRouterPort = pb.logicalPort.startsWith('lrp-');
    // The NB row of the same router port already speaks for it.
    if (isRouterPort && nbRouterPorts.has(pb.logicalPort)) continue;
    const networkId = networkOfPortBinding(pb, datapathNames);
    if (networkId === undefined) continue;
    const router = pb.externalIds[NeutronKey.routerName];
    claims.push({
      networkId,
      kind: isRouterPort ? 'router' : 'port',
      rank: isRouterPort ? 3 : 4,
      row: { db: 'OVN_Southbound', table: 'Port_Binding', uuid: pb.uuid, name: pb.logicalPort },
      ...(router !== undefined ? { routerId: neutronIdOf(router) } : {}),
      result: parseAssociation(pb.externalIds),
    });
  }
  return claims;
}

const identity = (a: Association): string => `${a.type}/${a.vni}`;

/** Claims per network, networks in name order, each network's claims by precedence (then row name). */
function claimsByNetwork(claims: readonly Claim[]): [string, Claim[]][] {
  const byNetwork = new Map<string, Claim[]>();
  for (const c of claims) {
    const list = byNetwork.get(c.networkId) ?? [];
    list.push(c);
    byNetwork.set(c.networkId, list);
  }
  for (const list of byNetwork.values())
    list.sort((a, b) => a.rank - b.rank || (a.row.name ?? '').localeCompare(b.row.name ?? ''));
  return [...byNetwork].sort(([a], [b]) => a.localeCompare(b));
}

/** The network as its deciding claim says: its association, or why it cannot be used. */
function decidedEntry(
  networkId: string,
  claims: readonly Claim[],
  decider: Claim,
  subnets: Subnet[],
): NetworkAssociation {
  const entry: NetworkAssociation = {
    networkId,
    kind: decider.kind,
    conflicts: [],
    warnings: [],
    subnets,
    routes: [],
    portIds: [],
    rows: claims.map((c) => c.row),
  };
  if (decider.routerId !== undefined) entry.routerId = decider.routerId;
  if (!ObjectName.safeParse(networkId).success) {
    // Checked before any write: the API server would refuse the name (422) on every pass.
    entry.problem = {
      code: EvpnErrorCode.InvalidName,
      message: codedMessage(
        EvpnErrorCode.InvalidName,
        `${describe(decider)} names network ${JSON.stringify(networkId.slice(0, 300))}, which is not a valid object name (lowercase letters, digits, '-' and '.', at most 253 characters); nothing is mirrored for it`,
      ),
    };
  } else if (decider.result.ok) {
    entry.association = decider.result.association;
    entry.warnings.push(...decider.result.association.warnings);
  } else {
    entry.problem = decider.result.problem;
  }
  return entry;
}

/** An l2 network's router association of type l3 names the VRF it routes in (symmetric IRB); the first one counts. */
function isRouterL3(entry: NetworkAssociation, decider: Claim, c: Claim, association: Association): boolean {
  return (
    entry.association?.type === 'l2' &&
    decider.kind !== 'router' &&
    c.kind === 'router' &&
    association.type === 'l3' &&
    (entry.routerL3 === undefined || identity(entry.routerL3) === identity(association))
  );
}

/** The claims that lost to the decider: warnings for broken ones, the router's VRF, EVPN-004 for another BGPVPN. */
function weighOtherClaims(entry: NetworkAssociation, decider: Claim, others: readonly Claim[]): void {
  for (const c of others) {
    if (!c.result.ok) {
      entry.warnings.push(`${describe(c)} ignored: ${c.result.problem.message}`);
      continue;
    }
    const association = c.result.association;
    if (isRouterL3(entry, decider, c, association)) {
      entry.routerL3 ??= association;
      continue;
    }
    if (entry.association && identity(association) !== identity(entry.association)) {
      entry.conflicts.push(
        `network is associated with two BGPVPNs: ${entry.association.type} vni ${entry.association.vni} ` +
          `on ${describe(decider)} and ${association.type} vni ${association.vni} on ${describe(c)}; ` +
          `the ${describe(decider)} association is applied`,
      );
    }
  }
}

/** Port associations add their ports' routes and advertise flag to the network. */
function addPortClaims(entry: NetworkAssociation, claims: readonly Claim[]): void {
  for (const c of claims) {
    if (c.kind !== 'port' || !c.result.ok) continue;
    entry.portIds.push(c.row.name ?? c.row.uuid);
    for (const r of c.result.association.routes) {
      if (!entry.routes.some((x) => x.destination === r.destination && x.nexthop === r.nexthop)) entry.routes.push(r);
    }
    if (c.result.association.advertiseFixedIps !== undefined) {
      entry.advertiseFixedIps = (entry.advertiseFixedIps ?? false) || c.result.association.advertiseFixedIps;
    }
  }
  entry.routes.sort((a, b) => a.destination.localeCompare(b.destination) || a.nexthop.localeCompare(b.nexthop));
  entry.portIds.sort();
}

export function collectAssociations(snapshot: OvnSnapshot): Map<string, NetworkAssociation> {
  const subnets = subnetsByNetwork(snapshot);
  const out = new Map<string, NetworkAssociation>();
  for (const [networkId, claims] of claimsByNetwork(collectClaims(snapshot, datapathNameIndex(snapshot)))) {
    const [decider, ...others] = claims;
    if (!decider) continue;
    const entry = decidedEntry(networkId, claims, decider, subnets.get(networkId) ?? []);
    weighOtherClaims(entry, decider, others);
    addPortClaims(entry, claims);
    out.set(networkId, entry);
  }
  return out;
}
