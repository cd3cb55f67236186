// Phase 4 of buildDesired: one VRF per name (vrf-<BGPVPN vni>), its spec from
// phase 3; user VRFs with the same name or VNI are left alone. The API's checks
// come last, in the reconciler (keep-valid-desired.ts).
import type { EvpnVrf } from '../../crds/index.ts';
import type { EvpnVrfSpec } from '../../crds/index.ts';
import { conflictProblem, type MirrorProblem } from './mirror-problem.ts';
import type { NetworkRouting } from './network-vnis.ts';

const samePolicy = (x: EvpnVrfSpec, y: EvpnVrfSpec): boolean => JSON.stringify(x) === JSON.stringify(y);

/** One VRF per name; the first network (by id) sets its BGP policy, a different one is a conflict. */
export function vrfsOfNetworks(routing: ReadonlyMap<string, NetworkRouting>): {
  vrfs: Map<string, EvpnVrfSpec>;
  problems: MirrorProblem[];
} {
  const vrfs = new Map<string, EvpnVrfSpec>();
  const vrfOwner = new Map<string, string>();
  const problems: MirrorProblem[] = [];
  for (const [id, { vrf: name, vrfSpec: spec }] of [...routing].sort(([x], [y]) => x.localeCompare(y))) {
    const existing = vrfs.get(name);
    if (existing) {
      if (!samePolicy(existing, spec)) {
        problems.push(
          conflictProblem(
            'EvpnNetwork',
            id,
            `VRF ${name} gets its BGP policy from network ${vrfOwner.get(name) ?? '?'}; this network's BGPVPN asks for a different one`,
          ),
        );
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
      problems.push(
        conflictProblem(
          'EvpnVrf',
          name,
          `an OVN association also claims ${name}; the user-authored object is used as is and not overwritten`,
        ),
      );
    }
    if (sameVni) {
      problems.push(
        conflictProblem('EvpnVrf', name, `L3VNI ${user.spec.vni} is also claimed by the mirrored VRF ${sameVni[0]}`),
      );
      problems.push(
        conflictProblem(
          'EvpnVrf',
          sameVni[0],
          `L3VNI ${user.spec.vni} is also claimed by the user-authored VRF ${name}`,
        ),
      );
    }
  }
  return { vrfs: out, problems };
}
