// Desired ovn-backend keys vs the NB rows as they are → single-key edits. Pure.
// Which keys are ours is remembered on the row itself, in its external_ids
// marker `ovn-evpn:owned-keys`: a JSON object of the keys we inserted into its
// other_config/options and the values we wrote, so it survives operator
// restarts and failovers, is visible to whoever reads the row, and tells our
// old value from someone else's overwrite. Rules:
//   - a missing key is inserted and becomes ours;
//   - a key holding our value stays (ours if the marker says so; a key someone
//     else set to the same value stays theirs, and is never removed by us);
//   - a key still holding the value we wrote, now out of date, is replaced
//     (delete old pair, insert new);
//   - a key someone else set to another value (also one they overwrote after
//     us) is a conflict (EVPN-004, on every network asking for the row):
//     nothing new is written on that row, never a fight;
//   - a key of ours no longer desired is removed while it still holds the value
//     we wrote (someone's newer value is theirs), unless removals are held.
import { EvpnErrorCode } from '../../crds/index.ts';
import type { MapKeyEdits } from '../../lib/ovsdb/index.ts';
import type { MirrorProblem } from '../mirror/mirror-problem.ts';
import { backendProblem, KEY_COLUMN, rowKey, type DesiredRowKeys, type KeyTable } from './render-ovn-keys.ts';

export const OWNED_KEYS_MARKER = 'ovn-evpn:owned-keys';

/** One NB row as the plan reads it. */
export interface KeyRow {
  readonly table: KeyTable;
  readonly uuid: string;
  readonly name: string;
  /** other_config (Logical_Switch) or options (Logical_Router). */
  readonly column: Readonly<Record<string, string>>;
  readonly externalIds: Readonly<Record<string, string>>;
}

export interface RowEdit {
  readonly table: KeyTable;
  readonly uuid: string;
  readonly name: string;
  readonly column: MapKeyEdits;
  readonly externalIds: MapKeyEdits;
}

export interface KeyPlan {
  readonly edits: RowEdit[];
  readonly problems: MirrorProblem[];
  /** Removals not made because they are held. */
  readonly heldRemovals: number;
}

/** The keys the marker says we wrote, with their values; an unreadable marker claims nothing. */
export function ownedKeysOf(row: Pick<KeyRow, 'externalIds'>): Map<string, string> {
  const text = row.externalIds[OWNED_KEYS_MARKER];
  if (text === undefined) return new Map();
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return new Map();
    return new Map(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return new Map();
  }
}

/** The marker's text for these keys: sorted, so the same keys always give the same text. */
export const ownedKeysMarker = (owned: ReadonlyMap<string, string>): string =>
  JSON.stringify(Object.fromEntries([...owned].sort(([a], [b]) => a.localeCompare(b))));

interface RowDecision {
  insert: Record<string, string>;
  remove: Record<string, string>;
  owned: Map<string, string>;
  conflicts: string[];
  held: number;
}

function decideDesired(row: KeyRow, desired: Readonly<Record<string, string>>, d: RowDecision): void {
  for (const [k, want] of Object.entries(desired)) {
    const have = row.column[k];
    if (have === undefined) {
      d.insert[k] = want;
      d.owned.set(k, want);
    } else if (have === want) {
      if (d.owned.has(k)) d.owned.set(k, want);
    } else if (d.owned.get(k) === have) {
      d.remove[k] = have;
      d.insert[k] = want;
      d.owned.set(k, want);
    } else d.conflicts.push(`${k}=${JSON.stringify(have)} (we would write ${JSON.stringify(want)})`);
  }
}

function decideRow(row: KeyRow, desired: DesiredRowKeys | undefined, holdRemovals: boolean): RowDecision {
  const d: RowDecision = { insert: {}, remove: {}, owned: ownedKeysOf(row), conflicts: [], held: 0 };
  const wanted = desired?.keys ?? {};
  decideDesired(row, wanted, d);
  // A conflict leaves the row as it is (no half configuration); only removals of our stale keys go on.
  if (d.conflicts.length > 0) {
    d.insert = {};
    d.remove = {};
    d.owned = ownedKeysOf(row);
  }
  for (const [k, wrote] of [...d.owned]) {
    if (k in wanted && d.conflicts.length === 0) continue;
    const have = row.column[k];
    if (have !== wrote) {
      // Gone, or someone else's value now: not ours any more, never removed by us.
      d.owned.delete(k);
      continue;
    }
    if (k in wanted) continue;
    if (holdRemovals) {
      d.held++;
      continue;
    }
    d.remove[k] = have;
    d.owned.delete(k);
  }
  return d;
}

function markerEdit(row: KeyRow, owned: ReadonlyMap<string, string>): MapKeyEdits {
  const before = row.externalIds[OWNED_KEYS_MARKER];
  const after = owned.size === 0 ? undefined : ownedKeysMarker(owned);
  if (before === after) return {};
  return {
    ...(before === undefined ? {} : { delete: { [OWNED_KEYS_MARKER]: before } }),
    ...(after === undefined ? {} : { insert: { [OWNED_KEYS_MARKER]: after } }),
  };
}

const isEmpty = (e: MapKeyEdits): boolean =>
  Object.keys(e.insert ?? {}).length === 0 && Object.keys(e.delete ?? {}).length === 0;

/** The edits that bring every row to its desired keys, given the rows as they are. */
export function planOvnKeys(
  desired: ReadonlyMap<string, DesiredRowKeys>,
  rows: readonly KeyRow[],
  holdRemovals: boolean,
): KeyPlan {
  const out = { edits: [] as RowEdit[], problems: [] as MirrorProblem[], heldRemovals: 0 };
  for (const row of rows) {
    const want = desired.get(rowKey(row.table, row.name));
    if (want === undefined && !(OWNED_KEYS_MARKER in row.externalIds)) continue;
    const d = decideRow(row, want, holdRemovals);
    out.heldRemovals += d.held;
    for (const network of d.conflicts.length > 0 ? (want?.networks ?? []) : [])
      out.problems.push(
        backendProblem(
          network,
          `${row.table} ${row.name} ${KEY_COLUMN[row.table]} already has ${d.conflicts.join(', ')}, set by someone else (Neutron's own ovn-evpn extension?); the operator leaves this row alone and writes none of its keys there`,
          EvpnErrorCode.Conflict,
        ),
      );
    const edit: RowEdit = {
      table: row.table,
      uuid: row.uuid,
      name: row.name,
      column: { insert: d.insert, delete: d.remove },
      externalIds: markerEdit(row, d.owned),
    };
    if (!isEmpty(edit.column) || !isEmpty(edit.externalIds)) out.edits.push(edit);
  }
  return out;
}
