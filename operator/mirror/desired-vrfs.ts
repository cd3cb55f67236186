// Phase 3 of buildDesired, and the VRF checks after phase 5: one VRF per L3VNI,
// named after it; user VRFs with the same name or VNI are left alone.
import type { EvpnVrf } from '../../crds/index.ts';
import { effectiveRoutingTable, EvpnErrorCode, EvpnVrfSpec } from '../../crds/index.ts';
import { conflictProblem, type MirrorProblem } from './mirror-problem.ts';
import type { UsableAssociation } from './select-associations.ts';

export const vrfNameFor = (l3vni: number): string => `vrf-${l3vni}`;

export function vrfSpecOf(a: UsableAssociation['association']): EvpnVrfSpec {
  const spec: EvpnVrfSpec = { vni: a.vni };
  if (a.bgpAs !== undefined) spec.bgpAs = a.bgpAs;
  if (a.routeTargets.length) spec.routeTargets = a.routeTargets;
  if (a.importTargets.length) spec.importTargets = a.importTargets;
  if (a.exportTargets.length) spec.exportTargets = a.exportTargets;
  if (a.routeDistinguishers.length) spec.routeDistinguishers = a.routeDistinguishers;
  if (a.localPref !== undefined) spec.localPref = a.localPref;
  return spec;
}

const samePolicy = (x: EvpnVrfSpec, y: EvpnVrfSpec): boolean => JSON.stringify(x) === JSON.stringify(y);

/** One VRF per L3VNI; the first network (by id) sets its BGP policy, a different one is a conflict. */
export function vrfsFromAssociations(usable: ReadonlyMap<string, UsableAssociation>): { vrfs: Map<string, EvpnVrfSpec>; problems: MirrorProblem[] } {
  const vrfs = new Map<string, EvpnVrfSpec>();
  const vrfOwner = new Map<string, string>();
  const problems: MirrorProblem[] = [];
  for (const [id, a] of [...usable].sort(([x], [y]) => x.localeCompare(y))) {
    const name = vrfNameFor(a.association.vni);
    const spec = vrfSpecOf(a.association);
    const existing = vrfs.get(name);
    if (existing) {
      if (!samePolicy(existing, spec)) {
        problems.push(conflictProblem('EvpnNetwork', id,
          `${EvpnErrorCode.Conflict}: VRF ${name} gets its BGP policy from network ${vrfOwner.get(name) ?? '?'}; this network's BGPVPN asks for a different one`));
      }
      continue;
    }
    vrfs.set(name, spec);
    vrfOwner.set(name, id);
  }
  return { vrfs, problems };
}

/** A user VRF of the same name replaces the mirrored one; one of the same VNI is reported on both. */
export function yieldToUserVrfs(
  vrfs: ReadonlyMap<string, EvpnVrfSpec>,
  userVrfs: readonly EvpnVrf[],
): { vrfs: Map<string, EvpnVrfSpec>; problems: MirrorProblem[] } {
  const out = new Map(vrfs);
  const problems: MirrorProblem[] = [];
  for (const user of userVrfs) {
    const name = user.metadata.name;
    const sameVni = [...out].find(([n, s]) => s.vni === user.spec.vni && n !== name);
    if (out.delete(name)) {
      problems.push(conflictProblem('EvpnVrf', name,
        `${EvpnErrorCode.Conflict}: an OVN association also claims ${name}; the user-authored object is used as is and not overwritten`));
    }
    if (sameVni) {
      problems.push(conflictProblem('EvpnVrf', name, `${EvpnErrorCode.Conflict}: L3VNI ${user.spec.vni} is also claimed by the mirrored VRF ${sameVni[0]}`));
      problems.push(conflictProblem('EvpnVrf', sameVni[0], `${EvpnErrorCode.Conflict}: L3VNI ${user.spec.vni} is also claimed by the user-authored VRF ${name}`));
    }
  }
  return { vrfs: out, problems };
}

/** A VRF spec the API server would refuse, or whose routing table is out of range, is not emitted. */
export function dropInvalidVrfs(vrfs: ReadonlyMap<string, EvpnVrfSpec>): Map<string, EvpnVrfSpec> {
  return new Map([...vrfs].filter(([, spec]) => EvpnVrfSpec.safeParse(spec).success && effectiveRoutingTable(spec) <= 4_294_967_295));
}
