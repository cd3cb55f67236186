// Phase 3 of buildDesired: the VNIs each network puts on the wire and the VRF
// it routes in (docs/api.md, "VNIs: the standard EVPN mapping"):
//  - l3: the association's vni is the L3VNI of vrf-<vni> (type-5 only);
//  - l2: the association's vni is the network's L2VNI (a MAC-VRF, as in
//    networking-bgpvpn and OVN's dynamic-routing-vni). The network routes in
//    the VRF of its router's l3 association when it has one (vrf-<M>, L3VNI
//    M), else in vrf-<vni> whose L3VNI is vni + the L3VNI offset and whose
//    table stays vni + 1000000 (so vrf-10100 keeps table 1010100 whatever
//    the offset).
// Every VNI has one holder: user objects and kept-last-good networks first,
// then live mirrored networks, then newcomers by network id. A network whose
// VNIs cannot all be had is refused whole (never half-applied).
import type { Backend } from '../../crds/backend.ts';
import type { EvpnNetwork, EvpnNetworkSpec, EvpnVrf, EvpnVrfSpec } from '../../crds/index.ts';
import { DEFAULT_TABLE_OFFSET, EvpnErrorCode, MAX_VNI } from '../../crds/index.ts';
import { vrfNameFor, vrfSpecOf } from './vrf-spec.ts';
import { conflictProblem, type MirrorProblem } from './mirror-problem.ts';
import type { UsableAssociation } from './select-associations.ts';

/**
 * L3VNI of an l2 network's own VRF = its L2VNI + this. 1,000,000 makes the
 * L3VNI equal to the VRF's table (vrf-10100: L3VNI and table 1010100), keeps
 * it clear of the small VNIs users give BGPVPNs, and is valid for L2VNIs up to
 * 15,777,215.
 */
export const DEFAULT_L3VNI_OFFSET = 1_000_000;

/** Where one network routes, and the L2VNI it puts on the wire (l2 only). */
export interface NetworkRouting {
  vrf: string;
  vrfSpec: EvpnVrfSpec;
  l2vni?: number;
}

interface Claim {
  role: 'L2VNI' | 'L3VNI';
  /** Who holds it, for messages: "network X", "EvpnVrf Y". */
  holder: string;
  /** The VRF an L3VNI belongs to: networks routing in one VRF share its L3VNI. */
  vrf?: string;
  /** A user VRF's L3VNI: a mirrored VRF with the same one is reported by yieldToUserVrfs. */
  userVrf?: boolean;
}

/** The routing of one usable association, or why it has none. */
export function routingOf(id: string, a: UsableAssociation, l3vniOffset: number): NetworkRouting | MirrorProblem {
  const { association } = a;
  if (association.type === 'l3') return { vrf: vrfNameFor(association.vni), vrfSpec: vrfSpecOf(association) };
  if (a.routerL3?.vni === association.vni) {
    return conflictProblem(
      'EvpnNetwork',
      id,
      `the router's l3 association has VNI ${association.vni}, the network's l2 association too; one VNI cannot be both the L2VNI and the L3VNI`,
    );
  }
  if (a.routerL3) return { vrf: vrfNameFor(a.routerL3.vni), vrfSpec: vrfSpecOf(a.routerL3), l2vni: association.vni };
  const l3vni = association.vni + l3vniOffset;
  const vrf = vrfNameFor(association.vni);
  if (l3vni > MAX_VNI) {
    return conflictProblem(
      'EvpnNetwork',
      id,
      `the L3VNI of ${vrf} would be ${l3vni} (L2VNI ${association.vni} + --l3vni-offset ${l3vniOffset}), above ${MAX_VNI}; ` +
        "give the network's router an l3 association or lower the offset",
      EvpnErrorCode.InvalidVni,
    );
  }
  const vrfSpec: EvpnVrfSpec = { vni: l3vni, routingTable: association.vni + DEFAULT_TABLE_OFFSET };
  if (association.bgpAs !== undefined) vrfSpec.bgpAs = association.bgpAs;
  return { vrf, vrfSpec, l2vni: association.vni };
}

const isProblem = (x: NetworkRouting | MirrorProblem): x is MirrorProblem => 'reason' in x;

/** The last routing per parsed association: the same VRF spec object while nothing it depends on changed. */
const routingMemo = new WeakMap<
  object,
  { id: string; routerL3: unknown; l3vniOffset: number; result: NetworkRouting | MirrorProblem }
>();

function memoRoutingOf(id: string, a: UsableAssociation, l3vniOffset: number): NetworkRouting | MirrorProblem {
  const m = routingMemo.get(a.association);
  if (m !== undefined && m.id === id && m.routerL3 === a.routerL3 && m.l3vniOffset === l3vniOffset) return m.result;
  const result = routingOf(id, a, l3vniOffset);
  routingMemo.set(a.association, { id, routerL3: a.routerL3, l3vniOffset, result });
  return result;
}

const compatible = (held: Claim, wanted: Claim): boolean =>
  held.role === 'L3VNI' && wanted.role === 'L3VNI' && (held.vrf === wanted.vrf || held.userVrf === true);

const describeClaim = (vni: number, c: Claim): string => `${c.role} ${vni} of ${c.holder}`;

export interface VniInput {
  usable: ReadonlyMap<string, UsableAssociation>;
  mirroredNetworks: ReadonlyMap<string, EvpnNetwork>;
  userNetworks: readonly EvpnNetwork[];
  userVrfs: readonly EvpnVrf[];
  keptLastGood: ReadonlyMap<string, EvpnNetworkSpec>;
  l3vniOffset: number;
}

/** VNIs held before any association is looked at: user objects and kept-last-good networks. */
function fixedClaims(input: VniInput): Map<number, Claim> {
  const held = new Map<number, Claim>();
  for (const v of input.userVrfs)
    held.set(v.spec.vni, { role: 'L3VNI', holder: `EvpnVrf ${v.metadata.name}`, vrf: v.metadata.name, userVrf: true });
  const l2 = [
    ...input.userNetworks.map((n) => [`EvpnNetwork ${n.metadata.name}`, n.spec] as const),
    ...[...input.keptLastGood].map(([id, spec]) => [`network ${id} (last good spec)`, spec] as const),
  ];
  for (const [holder, spec] of l2) {
    if (spec.type === 'l2' && spec.vni !== undefined && !held.has(spec.vni))
      held.set(spec.vni, { role: 'L2VNI', holder });
  }
  return held;
}

/** What phase 3 hands the network specs (desired-networks.ts): the VRF each network routes in. */
export interface NetworkNumbers {
  vrfOf: ReadonlyMap<string, string>;
  /** The backend of a network (crds/backend.ts); absent: the kernel backend. */
  backendOf?: ((id: string) => Backend) | undefined;
}

export interface NetworkVnis {
  usable: Map<string, UsableAssociation>;
  routing: Map<string, NetworkRouting>;
  problems: MirrorProblem[];
}

/** Phase 3: each network's L2VNI and VRF; a network that cannot have all its VNIs is dropped with EVPN-004 (or EVPN-001). */
export function assignNetworkVnis(input: VniInput): NetworkVnis {
  const held = fixedClaims(input);
  const out: NetworkVnis = { usable: new Map(), routing: new Map(), problems: [] };
  const liveFirst = ([x]: [string, unknown], [y]: [string, unknown]): number =>
    (input.mirroredNetworks.has(x) ? 0 : 1) - (input.mirroredNetworks.has(y) ? 0 : 1) || x.localeCompare(y);
  for (const [id, a] of [...input.usable].sort(liveFirst)) {
    const routing = memoRoutingOf(id, a, input.l3vniOffset);
    if (isProblem(routing)) {
      out.problems.push(routing);
      continue;
    }
    const wanted: [number, Claim][] = [
      [routing.vrfSpec.vni, { role: 'L3VNI', holder: `VRF ${routing.vrf} (network ${id})`, vrf: routing.vrf }],
    ];
    if (routing.l2vni !== undefined) wanted.unshift([routing.l2vni, { role: 'L2VNI', holder: `network ${id}` }]);
    const clash = wanted.flatMap(([vni, c]) => {
      const h = held.get(vni);
      return h === undefined || compatible(h, c)
        ? []
        : [`${describeClaim(vni, c)} is already the ${describeClaim(vni, h)}`];
    });
    if (clash.length) {
      out.problems.push(
        conflictProblem(
          'EvpnNetwork',
          id,
          `${clash.join('; ')}; this ${a.association.type} association is not applied` +
            (routing.l2vni !== undefined && held.get(routing.l2vni)?.role === 'L2VNI'
              ? ' (one VNI is one broadcast domain)'
              : ''),
        ),
      );
      continue;
    }
    for (const [vni, c] of wanted) if (!held.has(vni)) held.set(vni, c);
    out.usable.set(id, a);
    out.routing.set(id, routing);
  }
  return { ...out, usable: new Map([...input.usable].filter(([id]) => out.usable.has(id))) };
}
