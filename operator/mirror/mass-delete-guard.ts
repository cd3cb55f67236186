// The mass-deletion guard. An OVN database restored from an old backup, or
// rebuilt empty (a standard OVN recovery step), would otherwise prune every
// network of the cloud one prune grace later. The deletes of a pass are held
// when it would delete more than `floor` objects and more than `maxShare` of
// the mirrored objects, and, whatever the size (a small cloud loses just as
// much), when OVN holds no association at all, when the pass would delete every
// mirrored object, or when an OVN database was re-created (a new RAFT cluster
// id, seen within the last `holdMs`). Held deletes:
//  - they proceed after the source has stayed that way for `holdMs`
//    (--mass-delete-hold, default 10 minutes), or
//  - per object, at once, when a person sets the annotation
//    `evpn.ovn-evpn.dev/confirm-delete=true` on the held object.
// Once tripped, the hold lasts until nothing is left to delete (the source came
// back, or the deletes went through), so confirming some objects does not lower
// the share enough to release the others unconfirmed. Pure.
import { API_GROUP } from '../../crds/index.ts';
import { objectKey } from '../../crds/object-key.ts';
import type { PlannedDelete } from './plan-mirror.ts';

/** Set to "true" on a held object to let its delete through before the hold ends. */
export const CONFIRM_DELETE_ANNOTATION = `${API_GROUP}/confirm-delete`;

export interface MassDeletePolicy {
  /** Share of the mirrored objects (0–1) one pass may delete without a hold. */
  readonly maxShare: number;
  /** A pass deleting this many objects or fewer is never held. */
  readonly floor: number;
  /** How long the source must stay that way before held deletes proceed. */
  readonly holdMs: number;
}

export const DEFAULT_MASS_DELETE_POLICY: MassDeletePolicy = { maxShare: 0.5, floor: 5, holdMs: 10 * 60_000 };

export interface MassDeleteInput {
  /** Deletes due in this pass (after the prune grace and the unsynced hold). */
  readonly deletes: readonly PlannedDelete[];
  /** Live objects the operator mirrors (all kinds). */
  readonly mirroredCount: number;
  /** OVN holds no association at all. */
  readonly sourceEmpty: boolean;
  /** An OVN database was re-created (new cluster id) within the last `holdMs`. */
  readonly sourceReplaced?: boolean;
  /** `Kind/name` of the held objects that carry the confirmation annotation. */
  readonly confirmed: ReadonlySet<string>;
  /** When the current hold began (carried from the previous pass). */
  readonly heldSince: number | undefined;
  /** From the plan: `Kind/name` → first seen not desired, for deletes not yet due. */
  readonly missingSince: ReadonlyMap<string, number>;
  /** The map the previous pass left, so a held delete stays due. */
  readonly previouslyMissing: ReadonlyMap<string, number>;
  readonly now: number;
  readonly policy: MassDeletePolicy;
}

export interface MassDeleteDecision {
  readonly deletes: readonly PlannedDelete[];
  readonly held: readonly PlannedDelete[];
  readonly heldSince: number | undefined;
  readonly missingSince: Map<string, number>;
  /** Why deletes are held, in words (for the log, the Events and the conditions). */
  readonly why: string | undefined;
  /** When the hold ends, if deletes are held. */
  readonly releaseInMs: number | undefined;
}

function tripped(input: MassDeleteInput): string | undefined {
  const n = input.deletes.length;
  const m = input.mirroredCount;
  // Below the floor too: these are how a whole cloud is lost, and a small cloud is still a whole cloud.
  if (input.sourceReplaced === true)
    return `an OVN database was re-created (new cluster id); this pass would delete ${n} of ${m} mirrored objects`;
  if (input.sourceEmpty)
    return `OVN holds no BGPVPN association at all; this pass would delete all ${n} of ${m} mirrored objects`;
  if (n >= m) return `this pass would delete every mirrored object (${n} of ${m})`;
  if (n <= input.policy.floor) return undefined;
  const pct = Math.round(input.policy.maxShare * 100);
  if (n > input.policy.maxShare * m) return `this pass would delete ${n} of ${m} mirrored objects (more than ${pct}%)`;
  return undefined;
}

export function guardMassDeletes(input: MassDeleteInput): MassDeleteDecision {
  const missingSince = new Map(input.missingSince);
  const pass = (heldSince: number | undefined): MassDeleteDecision => ({
    deletes: input.deletes,
    held: [],
    heldSince,
    missingSince,
    why: undefined,
    releaseInMs: undefined,
  });
  if (input.deletes.length === 0) return pass(undefined);
  const reason = tripped(input);
  if (input.heldSince === undefined && reason === undefined) return pass(undefined);
  const heldSince = input.heldSince ?? input.now;
  const releaseAt = heldSince + input.policy.holdMs;
  // The source stayed that way for the whole hold: it is what the cloud wants.
  if (input.now >= releaseAt) return pass(heldSince);
  const deletes: PlannedDelete[] = [];
  const held: PlannedDelete[] = [];
  for (const d of input.deletes) {
    const key = objectKey(d.kind, d.name);
    if (input.confirmed.has(key)) {
      deletes.push(d);
      continue;
    }
    held.push(d);
    missingSince.set(key, input.previouslyMissing.get(key) ?? input.now);
  }
  const minutes = Math.round(input.policy.holdMs / 6000) / 10;
  const why =
    `${reason ?? `a mass deletion began at ${new Date(heldSince).toISOString()}`}; deletes are held for ${minutes} min ` +
    `(until ${new Date(releaseAt).toISOString()}) unless the source recovers; set the annotation ${CONFIRM_DELETE_ANNOTATION}=true on an object to delete it now`;
  return { deletes, held, heldSince, missingSince, why, releaseInMs: releaseAt - input.now };
}

const HELD_SINCE = /a mass deletion began at (\d{4}-\d\d-\d\dT[\d:.]+Z)/;

/**
 * When a hold began, as recorded in the held objects' conditions by an earlier
 * process: a restarted or new leader keeps the original hold (and the same
 * condition text) instead of starting a new one, so a restart neither rewrites
 * every held object's status nor postpones the deletes.
 */
export function heldSinceFromConditions(
  objects: readonly { status?: { conditions?: readonly { reason?: string; message?: string }[] } }[],
): number | undefined {
  let earliest: number | undefined;
  for (const o of objects) {
    for (const c of o.status?.conditions ?? []) {
      const at = HELD_SINCE.exec(c.message ?? '')?.[1];
      const t = at === undefined ? NaN : Date.parse(at);
      if (!Number.isNaN(t) && (earliest === undefined || t < earliest)) earliest = t;
    }
  }
  return earliest;
}
