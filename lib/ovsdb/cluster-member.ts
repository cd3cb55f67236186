// Whether one member of a database is fit to read from, decided from its own
// `_Server` Database row the way ovsdb-cs (the C client under ovn-controller and
// ovsdbapp) decides it, for a client that only reads (followers are fine). Pure.
//
//   model        state of the row                      verdict
//   standalone   any                                   use it
//   relay        connected=false                       leave: cut off from its source
//   clustered    schema empty                          leave: not yet joined
//   clustered    connected=false                       leave: cut off from its cluster (no quorum)
//   clustered    index < highest index seen before     leave: stale (behind what we already read)
//   clustered    cid differs from the one seen before  use it, but say so: the database was re-created
//   otherwise                                          use it; its index becomes the floor
import type { OvsdbValue } from './datum.ts';

/** The `_Server` Database columns the decision reads. */
export const SERVER_DB_COLUMNS = ['name', 'model', 'connected', 'leader', 'schema', 'cid', 'sid', 'index'] as const;

export interface ServerDatabase {
  readonly name: string;
  readonly model: string;
  readonly connected: boolean;
  readonly leader: boolean;
  readonly schema: string | null;
  readonly cid: string | null;
  readonly sid: string | null;
  readonly index: number | null;
}

/** What the client carries from member to member, per database. */
export interface ClusterView {
  /** The cluster id the views came from (clustered databases only). */
  readonly cid: string | undefined;
  /** The highest RAFT index read so far: no member behind it is accepted. */
  readonly minIndex: number;
}

export const EMPTY_VIEW: ClusterView = { cid: undefined, minIndex: 0 };

export type MemberVerdict =
  | {
      readonly ok: true;
      readonly view: ClusterView;
      readonly replaced: { readonly from: string; readonly to: string } | undefined;
    }
  | { readonly ok: false; readonly reason: string };

/** A `_Server` Database row as the replica store decodes it (optional columns: atom or null). */
export function toServerDatabase(row: Readonly<Record<string, OvsdbValue>>): ServerDatabase {
  const str = (v: OvsdbValue | undefined): string | null => (typeof v === 'string' ? v : null);
  return {
    name: str(row['name']) ?? '',
    model: str(row['model']) ?? '',
    connected: row['connected'] === true,
    leader: row['leader'] === true,
    schema: str(row['schema']),
    cid: str(row['cid']),
    sid: str(row['sid']),
    index: typeof row['index'] === 'number' ? row['index'] : null,
  };
}

export function judgeMember(db: string, row: ServerDatabase | undefined, view: ClusterView): MemberVerdict {
  if (row === undefined) return { ok: false, reason: `it does not serve ${db}` };
  if (row.model === 'relay') {
    return row.connected
      ? { ok: true, view, replaced: undefined }
      : { ok: false, reason: `the relay of ${db} is disconnected from its source` };
  }
  if (row.model !== 'clustered') return { ok: true, view, replaced: undefined };
  return judgeClusterMember(db, row, view);
}

function judgeClusterMember(db: string, row: ServerDatabase, view: ClusterView): MemberVerdict {
  if (row.schema === null || row.schema === '')
    return { ok: false, reason: `this member of ${db} has not joined its cluster yet` };
  if (!row.connected) return { ok: false, reason: `this member of ${db} is disconnected from its cluster` };
  const cid = row.cid ?? undefined;
  const replaced =
    view.cid !== undefined && cid !== undefined && cid !== view.cid ? { from: view.cid, to: cid } : undefined;
  // A new cluster numbers its log afresh: the old floor means nothing there.
  const floor = replaced === undefined ? view.minIndex : 0;
  const index = row.index ?? 0;
  if (index < floor)
    return { ok: false, reason: `this member of ${db} has stale data (index ${index}, already read up to ${floor})` };
  return { ok: true, view: { cid: cid ?? view.cid, minIndex: Math.max(floor, index) }, replaced };
}
