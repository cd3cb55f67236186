// Phase 6 of buildDesired: one EvpnNetwork spec per usable association, with its
// VRF from phase 3 and VLAN from phase 5; and the networks that keep their last good spec.
import type { EvpnNetwork, EvpnVrf, EvpnVrfSpec } from '../../crds/index.ts';
import { EvpnErrorCode, EvpnNetworkSpec, Label } from '../../crds/index.ts';
import { bgpPolicyOf } from './desired-vrfs.ts';
import { conflictProblem, type MirrorProblem } from './mirror-problem.ts';
import type { NetworkNumbers } from './network-numbers.ts';
import { isMirrored, type UsableAssociation } from './select-associations.ts';

/** The spec of one network, or the problem that stops it. */
export function networkSpecOf(id: string, a: UsableAssociation, numbers: NetworkNumbers): EvpnNetworkSpec | MirrorProblem {
  const vlanId = numbers.vlans.get(id);
  if (vlanId === undefined) return conflictProblem('EvpnNetwork', id, `${EvpnErrorCode.Infrastructure}: no free VLAN id left (1–4094)`);
  const vrf = numbers.vrfOf.get(id);
  if (vrf === undefined) return conflictProblem('EvpnNetwork', id, `${EvpnErrorCode.Conflict}: no VRF to route in`);
  // l2: the BGPVPN's vni is the L2VNI and its policy is the L2VNI's; l3: the vni is the VRF's L3VNI.
  const spec: EvpnNetworkSpec = { type: a.association.type, vrf, vlanId, vni: a.association.vni };
  if (a.association.type === 'l2') Object.assign(spec, bgpPolicyOf(a.association));
  else if (a.association.bgpAs !== undefined) spec.bgpAs = a.association.bgpAs;
  if (a.subnets.length) spec.subnets = a.subnets;
  if (a.advertiseFixedIps !== undefined) spec.advertiseFixedIps = a.advertiseFixedIps;
  if (a.routes.length) spec.routes = a.routes;
  spec.source = {
    association: a.kind, networkId: id,
    ...(a.routerId !== undefined ? { routerId: a.routerId } : {}),
    ...(a.portIds.length ? { portIds: a.portIds } : {}),
    rows: a.rows.map((r) => ({ db: r.db, table: r.table, uuid: r.uuid, ...(r.name !== undefined ? { name: r.name } : {}) })),
  };
  // A last safety net: never emit a spec the API server would refuse.
  const checked = EvpnNetworkSpec.safeParse(spec);
  if (!checked.success) {
    return { kind: 'EvpnNetwork', name: id, reason: 'MalformedAssociation', keptLastGood: false,
      message: `${EvpnErrorCode.InvalidRouteTarget}: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  }
  return spec;
}

const isProblem = (x: EvpnNetworkSpec | MirrorProblem): x is MirrorProblem => 'reason' in x;

export interface DesiredNetworks {
  networks: Map<string, EvpnNetworkSpec>;
  /** The association kind of each mirrored network (for the source label). */
  sources: Map<string, string>;
  problems: MirrorProblem[];
}

/** Kept-last-good networks first, then one spec per usable association. */
export function networksFromAssociations(
  usable: ReadonlyMap<string, UsableAssociation>,
  keptLastGood: ReadonlyMap<string, EvpnNetworkSpec>,
  numbers: NetworkNumbers,
): DesiredNetworks {
  const out: DesiredNetworks = { networks: new Map(keptLastGood), sources: new Map(), problems: [] };
  for (const [id, a] of usable) {
    const spec = networkSpecOf(id, a, numbers);
    if (isProblem(spec)) { out.problems.push(spec); continue; }
    out.networks.set(id, spec);
    out.sources.set(id, a.kind);
  }
  return out;
}

/**
 * Kept-last-good networks keep their VRF alive too (its last mirrored spec);
 * such a network's source label is carried over when its VRF is restored this way.
 */
export function keepVrfsOfLastGood(
  keptLastGood: ReadonlyMap<string, EvpnNetworkSpec>,
  desired: { vrfs: ReadonlyMap<string, EvpnVrfSpec>; sources: ReadonlyMap<string, string> },
  live: { vrfs: readonly EvpnVrf[]; mirroredNetworks: ReadonlyMap<string, EvpnNetwork> },
): { vrfs: Map<string, EvpnVrfSpec>; sources: Map<string, string> } {
  const vrfs = new Map(desired.vrfs);
  const sources = new Map(desired.sources);
  for (const [id, spec] of keptLastGood) {
    const vrfName = spec.vrf;
    if (vrfName === undefined || vrfs.has(vrfName)) continue;
    const previous = live.vrfs.find((v) => v.metadata.name === vrfName && isMirrored(v));
    if (previous) vrfs.set(vrfName, previous.spec);
    sources.set(id, live.mirroredNetworks.get(id)?.metadata.labels?.[Label.MirroredFrom] ?? 'network');
  }
  return { vrfs, sources };
}
