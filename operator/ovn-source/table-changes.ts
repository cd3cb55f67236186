// How OvnIndex walks one table's part of an OVSDB change batch.
import type { Row, TableChanges } from '../../lib/ovsdb/index.ts';

export function changedRows(t: TableChanges | undefined): Row[] {
  if (t === undefined) return [];
  return [...t.added, ...t.removed, ...t.modified.flatMap((m) => [m.old, m.new])];
}

/**
 * Per row of one table's changes: `touch` (mark what the row reaches through
 * other tables' indexes), then `remove` the old version, then `add` the new one.
 * A modified row keeps its place (the replica keeps it too).
 */
export function each(
  t: TableChanges | undefined,
  table: { forget(uuid: string): void },
  touch: (r: Row) => void,
  remove: (r: Row) => void,
  add: (r: Row) => void,
): void {
  if (t === undefined) return;
  for (const r of t.removed) {
    touch(r);
    remove(r);
    table.forget(r._uuid);
  }
  for (const m of t.modified) {
    touch(m.old);
    remove(m.old);
    add(m.new);
    touch(m.new);
  }
  for (const r of t.added) {
    add(r);
    touch(r);
  }
}
