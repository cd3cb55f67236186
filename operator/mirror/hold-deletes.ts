// Deletes decided from a stale OVN replica could be wrong (a row that only looks
// gone because the database is disconnected): while OVN is not synced, no
// delete is made. Pure: the reconciler passes the plan and what it knew.
import type { PlannedDelete } from './plan-mirror.ts';
import { objectKey } from '../../crds/object-key.ts';

/** How soon to look again while deletes are held. */
export const UNSYNCED_RETRY_MS = 1000;

export interface DeleteHoldInput {
  readonly synced: boolean;
  readonly deletes: readonly PlannedDelete[];
  /** From the plan: `Kind/name` → first seen not desired, for deletes not yet due. */
  readonly missingSince: ReadonlyMap<string, number>;
  /** The map the previous pass left, so a held delete keeps its first-missing time. */
  readonly previouslyMissing: ReadonlyMap<string, number>;
  readonly nextCheckInMs: number | undefined;
  readonly now: number;
}

export interface DeleteHold {
  readonly deletes: readonly PlannedDelete[];
  readonly missingSince: Map<string, number>;
  readonly nextCheckInMs: number | undefined;
  /** How many deletes were held back. */
  readonly held: number;
}

export function holdDeletesWhileUnsynced(input: DeleteHoldInput): DeleteHold {
  const missingSince = new Map(input.missingSince);
  if (input.synced || input.deletes.length === 0) {
    return { deletes: input.deletes, missingSince, nextCheckInMs: input.nextCheckInMs, held: 0 };
  }
  for (const d of input.deletes) {
    const key = objectKey(d.kind, d.name);
    missingSince.set(key, input.previouslyMissing.get(key) ?? input.now);
  }
  return {
    deletes: [],
    missingSince,
    held: input.deletes.length,
    nextCheckInMs: Math.min(input.nextCheckInMs ?? Infinity, UNSYNCED_RETRY_MS),
  };
}
