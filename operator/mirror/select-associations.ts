// Phases 1 and 2 of buildDesired: which networks are mirrored, and from which
// association. A user-authored network wins over OVN; a malformed association
// keeps an existing network's last good spec; one VNI has one type.
import type { EvpnNetwork, EvpnNetworkSpec } from '../../crds/index.ts';
import { EvpnErrorCode, Label } from '../../crds/index.ts';
import type { NetworkAssociation } from './collect-associations.ts';
import { conflictProblem, type MirrorProblem } from './mirror-problem.ts';

/** An association the mirror can apply. */
export type UsableAssociation = NetworkAssociation & { association: NonNullable<NetworkAssociation['association']> };

export const isMirrored = (o: { metadata: { labels?: Record<string, string> | undefined } }): boolean =>
  o.metadata.labels?.[Label.MirroredFrom] !== undefined;

export interface Selection {
  usable: Map<string, UsableAssociation>;
  /** Mirrored networks whose association turned malformed: their spec stays. */
  keptLastGood: Map<string, EvpnNetworkSpec>;
  problems: MirrorProblem[];
}

/** Phase 1: decide which networks are mirrored and from which association. */
export function selectAssociations(
  associations: ReadonlyMap<string, NetworkAssociation>,
  userNetworkNames: ReadonlySet<string>,
  mirroredNetworks: ReadonlyMap<string, EvpnNetwork>,
): Selection {
  const out: Selection = { usable: new Map(), keptLastGood: new Map(), problems: [] };
  for (const [id, a] of associations) {
    if (userNetworkNames.has(id)) {
      out.problems.push(
        conflictProblem(
          'EvpnNetwork',
          id,
          `a user-authored EvpnNetwork ${id} and an OVN ${a.kind} association claim the same network; the operator leaves the user object alone and mirrors nothing for it`,
        ),
      );
      continue;
    }
    if (!a.association) {
      const previous = mirroredNetworks.get(id);
      const code = a.problem?.code ?? EvpnErrorCode.InvalidRouteTarget;
      out.problems.push({
        kind: 'EvpnNetwork',
        name: id,
        reason: previous ? 'LastGoodSpecKept' : 'MalformedAssociation',
        keptLastGood: previous !== undefined,
        code,
        message: `${a.problem?.message ?? 'malformed association'}${previous ? '; the last good spec is kept' : ''}`,
      });
      if (previous) out.keptLastGood.set(id, previous.spec);
      continue;
    }
    for (const c of a.conflicts) out.problems.push(conflictProblem('EvpnNetwork', id, c));
    out.usable.set(id, { ...a, association: a.association });
  }
  return out;
}

/**
 * Phase 2: one VNI, one type. A VNI claimed as l2 by one BGPVPN and l3 by
 * another is a conflict; networks that already exist decide first, so a
 * newcomer cannot flip a working VRF.
 */
export function dropMixedTypeVnis(
  usable: ReadonlyMap<string, UsableAssociation>,
  mirroredNetworks: ReadonlyMap<string, unknown>,
): { usable: Map<string, UsableAssociation>; problems: MirrorProblem[] } {
  const typeOfVni = new Map<number, 'l2' | 'l3'>();
  const dropped = new Set<string>();
  const problems: MirrorProblem[] = [];
  const existingFirst = ([x]: [string, unknown], [y]: [string, unknown]): number =>
    (mirroredNetworks.has(x) ? 0 : 1) - (mirroredNetworks.has(y) ? 0 : 1) || x.localeCompare(y);
  for (const [id, a] of [...usable].sort(existingFirst)) {
    const t = typeOfVni.get(a.association.vni);
    if (t === undefined) {
      typeOfVni.set(a.association.vni, a.association.type);
      continue;
    }
    if (t === a.association.type) continue;
    dropped.add(id);
    problems.push(
      conflictProblem(
        'EvpnNetwork',
        id,
        `VNI ${a.association.vni} is already used as type ${t}; this ${a.association.type} association is not applied`,
      ),
    );
  }
  return { usable: new Map([...usable].filter(([id]) => !dropped.has(id))), problems };
}
