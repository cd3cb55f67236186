// The mass-deletion guard's memory across passes: since when each missing
// object has been missing, and since when a mass deletion has been held. The
// rule itself is mass-delete-guard.ts; this unit feeds it what the cluster
// shows (which objects are mirrored, which carry the confirm annotation) and
// keeps what it decides. Pure: the reconciler logs and counts.
import { EvpnErrorCode, type EvpnNetwork, type EvpnPortSet, type EvpnVrf } from '../../crds/index.ts';
import { objectKey } from '../../crds/object-key.ts';
import type { Live } from '../object-key.ts';
import {
  CONFIRM_DELETE_ANNOTATION,
  guardMassDeletes,
  heldSinceFromConditions,
  type MassDeleteDecision,
  type MassDeletePolicy,
} from './mass-delete-guard.ts';
import { mirrorProblem, type MirrorProblem } from './mirror-problem.ts';
import { isMirroredObject, type MirrorKind, type PlannedDelete } from './plan-mirror.ts';

/** The cluster's objects of the three kinds, as the informers have them. */
export interface LiveLists {
  readonly vrfs: readonly Live<EvpnVrf>[];
  readonly networks: readonly Live<EvpnNetwork>[];
  readonly portSets: readonly Live<EvpnPortSet>[];
}

/** How many objects the mirror wants now, per kind. */
export interface DesiredSizes {
  readonly vrfs: { readonly size: number };
  readonly networks: { has(name: string): boolean; readonly size: number };
  readonly portSets: { readonly size: number };
}

export interface HoldInput {
  readonly deletes: readonly PlannedDelete[];
  /** Since when each object is missing, as the plan sees it now. */
  readonly missingSince: ReadonlyMap<string, number>;
  readonly live: LiveLists;
  readonly desired: DesiredSizes;
  readonly now: number;
  readonly policy: MassDeletePolicy;
  /** An OVN database was re-created (new cluster id) within the last `holdMs`. */
  readonly sourceReplaced?: boolean;
}

export type HoldResult = MassDeleteDecision & {
  readonly mirrored: number;
  /** The hold began ('held') or ended with deletes to make ('released') in this pass. */
  readonly transition: 'held' | 'released' | undefined;
};

type Conditioned = { status?: { conditions?: { reason?: string; message?: string }[] } };

const kindsOf = (live: LiveLists): (readonly [MirrorKind, Live<EvpnVrf | EvpnNetwork | EvpnPortSet>])[] => [
  ...live.vrfs.map((v) => ['EvpnVrf', v] as const),
  ...live.networks.map((n) => ['EvpnNetwork', n] as const),
  ...live.portSets.map((p) => ['EvpnPortSet', p] as const),
];

export class MassDeleteHold {
  #missingSince = new Map<string, number>();
  #heldSince: number | undefined;

  /** Since when each object the mirror would delete has been missing from OVN. */
  get missingSince(): ReadonlyMap<string, number> {
    return this.#missingSince;
  }

  /**
   * A restarted (or newly elected) operator adopts the deletes an earlier
   * process held: those objects have been missing at least since the hold
   * began, so they are past their prune grace and held again at once, with the
   * same condition, instead of flipping to "healthy" and back.
   */
  adopt(live: LiveLists): void {
    if (this.#heldSince !== undefined) return;
    for (const [kind, obj] of kindsOf(live)) {
      const since = heldSinceFromConditions([obj as Conditioned]);
      const key = objectKey(kind, obj.metadata.name);
      if (since !== undefined && !this.#missingSince.has(key)) this.#missingSince.set(key, since);
    }
  }

  /** The guard over this pass's deletes; keeps the missing times and the hold it decides. */
  guard(input: HoldInput): HoldResult {
    const { deletes, live, desired } = input;
    const mirrored = kindsOf(live).filter(([, obj]) => isMirroredObject(obj));
    const confirmed = new Set(
      mirrored
        .filter(([, obj]) => obj.metadata.annotations?.[CONFIRM_DELETE_ANNOTATION] === 'true')
        .map(([kind, obj]) => objectKey(kind, obj.metadata.name)),
    );
    this.#heldSince ??= heldSinceFromConditions(mirrored.map(([, obj]) => obj as Conditioned));
    const wasHeld = this.#heldSince !== undefined;
    // A port set whose network is still wanted goes because its ports moved (a node drained): not a loss to guard.
    const networkOf = new Map(live.portSets.map((p) => [p.metadata.name, p.spec.network]));
    const isPortMove = (d: PlannedDelete): boolean =>
      d.kind === 'EvpnPortSet' && desired.networks.has(networkOf.get(d.name) ?? '');
    const guarded = guardMassDeletes({
      deletes: deletes.filter((d) => !isPortMove(d)),
      mirroredCount: mirrored.length,
      sourceEmpty: desired.vrfs.size + desired.networks.size + desired.portSets.size === 0,
      ...(input.sourceReplaced === undefined ? {} : { sourceReplaced: input.sourceReplaced }),
      confirmed,
      heldSince: this.#heldSince,
      missingSince: input.missingSince,
      previouslyMissing: this.#missingSince,
      now: input.now,
      policy: input.policy,
    });
    const result = { ...guarded, deletes: [...deletes.filter(isPortMove), ...guarded.deletes] };
    this.#heldSince = result.heldSince;
    this.#missingSince = result.missingSince;
    const transition =
      result.held.length > 0 && !wasHeld
        ? 'held'
        : result.held.length === 0 && wasHeld && result.deletes.length > 0
          ? 'released'
          : undefined;
    return { ...result, mirrored: mirrored.length, transition };
  }
}

/** A condition (SourceDegraded) and an Event on each held network and VRF; port sets are counted in the metric. */
export function heldProblems(
  held: readonly PlannedDelete[],
  heldSince: number | undefined,
  releaseInMs: number | undefined,
  now: number,
): MirrorProblem[] {
  if (held.length === 0 || heldSince === undefined) return [];
  const until = new Date(now + (releaseInMs ?? 0)).toISOString();
  return held
    .filter((d) => d.kind !== 'EvpnPortSet')
    .map((d) =>
      mirrorProblem(
        {
          kind: d.kind as MirrorProblem['kind'],
          name: d.name,
          reason: 'DeletesHeld',
          keptLastGood: true,
          code: EvpnErrorCode.NotFound,
        },
        `gone from OVN, but its delete is held: a mass deletion began at ${new Date(heldSince).toISOString()}; ` +
          `it is deleted at ${until} if OVN stays this way, or now with the annotation ${CONFIRM_DELETE_ANNOTATION}=true`,
      ),
    );
}
