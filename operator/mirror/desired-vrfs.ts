// Phase 4 of buildDesired: one VRF per name (vrf-<BGPVPN vni>), its spec from
// phase 3; user VRFs with the same name or VNI are left alone. The API's checks
// come last, in the reconciler (keep-valid-desired.ts).
import type { EvpnVrf } from '../../crds/index.ts';
import { EvpnErrorCode, EvpnVrfSpec } from '../../crds/index.ts';
import { conflictProblem, type MirrorProblem } from './mirror-problem.ts';
import type { NetworkRouting } from './network-vnis.ts';
import type { Association } from './parse-association.ts';

/** A mirrored VRF is named after the BGPVPN's vni (the seed's vrf_info), which is its L3VNI only for l3 BGPVPNs. */
export const vrfNameFor = (bgpvpnVni: number): string => `vrf-${bgpvpnVni}`;

/** The BgpPolicyFields an EvpnVrf and an EvpnNetwork share. */
export type BgpPolicy = Omit<EvpnVrfSpec, 'vni' | 'routingTable'>;

/** A BGPVPN's policy: an l3 one's goes to its VRF, an l2 one's to the network's L2VNI. */
export function bgpPolicyOf(a: Association): BgpPolicy {
  const spec: BgpPolicy = {};
  if (a.bgpAs !== undefined) spec.bgpAs = a.bgpAs;
  if (a.routeTargets.length) spec.routeTargets = a.routeTargets;
  if (a.importTargets.length) spec.importTargets = a.importTargets;
  if (a.exportTargets.length) spec.exportTargets = a.exportTargets;
  if (a.routeDistinguishers.length) spec.routeDistinguishers = a.routeDistinguishers;
  if (a.localPref !== undefined) spec.localPref = a.localPref;
  return spec;
}

export const vrfSpecOf = (a: Association): EvpnVrfSpec => ({ vni: a.vni, ...bgpPolicyOf(a) });

const samePolicy = (x: EvpnVrfSpec, y: EvpnVrfSpec): boolean => JSON.stringify(x) === JSON.stringify(y);

/** One VRF per name; the first network (by id) sets its BGP policy, a different one is a conflict. */
export function vrfsOfNetworks(routing: ReadonlyMap<string, NetworkRouting>): { vrfs: Map<string, EvpnVrfSpec>; problems: MirrorProblem[] } {
  const vrfs = new Map<string, EvpnVrfSpec>();
  const vrfOwner = new Map<string, string>();
  const problems: MirrorProblem[] = [];
  for (const [id, { vrf: name, vrfSpec: spec }] of [...routing].sort(([x], [y]) => x.localeCompare(y))) {
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
