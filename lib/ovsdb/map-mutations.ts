// Single-key edits of a map column as RFC 7047 §5.1 mutations, for writers that
// share a column with others: `insert` adds a pair only where the key is absent
// (never overwriting another writer's value), `delete` of a pair removes it only
// while it still holds that value (never someone's newer one). The whole column
// is never replaced.
import type { Mutation } from './operations.ts';

export interface MapKeyEdits {
  /** Pairs to add; a key already present keeps its value. */
  readonly insert?: Readonly<Record<string, string>>;
  /** Pairs to remove, each only while the key still holds this value. */
  readonly delete?: Readonly<Record<string, string>>;
}

/** The mutations for `edits` on `column`: deletes first, so a changed value is delete-old then insert-new. */
export function mapKeyMutations(column: string, edits: MapKeyEdits): Mutation[] {
  const out: Mutation[] = [];
  if (edits.delete !== undefined && Object.keys(edits.delete).length > 0) out.push([column, 'delete', edits.delete]);
  if (edits.insert !== undefined && Object.keys(edits.insert).length > 0) out.push([column, 'insert', edits.insert]);
  return out;
}
