// Follows the `_Server` database of the member the client is attached to, as
// ovsdb-cs does: on every new connection, before any data monitor resumes, the
// member's Database rows are read and judged (cluster-member.ts); while attached,
// their updates are judged again, so a member that loses its cluster is left at
// once. What was read (the highest RAFT index, the cluster id) is carried from
// member to member, so a member behind it is never used.
import { ClusterStateError } from './errors.ts';
import { EMPTY_VIEW, judgeMember, SERVER_DB_COLUMNS, toServerDatabase, type ClusterView } from './cluster-member.ts';
import { ReplicaStore } from './replica-store.ts';
import type { MonitorTransport } from './replica.ts';
import type { DatabaseSchema } from './schema.ts';

export const SERVER_DB = '_Server';
/** The json-value id of the `_Server` monitor on each connection (data monitors are `<db>#<n>`). */
export const CLUSTER_MONITOR_ID = '_Server#cluster';

export interface DatabaseReplaced {
  readonly db: string;
  /** Cluster ids before and after. */
  readonly from: string;
  readonly to: string;
}

export interface MemberState {
  readonly db: string;
  readonly model: string;
  readonly leader: boolean;
  readonly index: number | null;
  readonly cid: string | null;
  readonly sid: string | null;
}

export type TrackerUpdate =
  { readonly leave: string } | { readonly leave: undefined; readonly replaced: readonly DatabaseReplaced[] };

export class ClusterTracker {
  readonly #dbs: readonly string[];
  readonly #views = new Map<string, ClusterView>();
  #store: ReplicaStore | undefined;
  /** Updates that arrive while the monitor's reply is being applied (same chunk of the stream). */
  #queued: unknown[][] | undefined;

  constructor(dbs: readonly string[]) {
    this.#dbs = dbs;
  }

  /** What has been read so far, per database. */
  view(db: string): ClusterView {
    return this.#views.get(db) ?? EMPTY_VIEW;
  }

  /** The attached member's rows for our databases (for logs and tests). */
  members(): MemberState[] {
    return this.#dbs.flatMap((db) => {
      const row = this.#row(db);
      return row === undefined
        ? []
        : [{ db, model: row.model, leader: row.leader, index: row.index, cid: row.cid, sid: row.sid }];
    });
  }

  /**
   * Starts the `_Server` monitor on a new connection and judges the member;
   * throws ClusterStateError when it must not be read from. Nothing is carried
   * over unless every database passes.
   */
  async attach(
    transport: MonitorTransport,
    schema: DatabaseSchema,
    remote: string,
  ): Promise<readonly DatabaseReplaced[]> {
    this.#store = undefined;
    const store = new ReplicaStore(schema, { Database: SERVER_DB_COLUMNS });
    this.#queued = [];
    let reply: unknown;
    try {
      reply = await transport.request('monitor_cond', [
        SERVER_DB,
        CLUSTER_MONITOR_ID,
        { Database: [{ columns: SERVER_DB_COLUMNS }] },
      ]);
    } finally {
      const queued = this.#queued;
      this.#queued = undefined;
      store.replaceAll('update2', reply ?? {}, 'initial');
      for (const params of queued) store.applyUpdates('update2', params[1]);
    }
    this.#store = store;
    const update = this.#judge();
    if (update.leave !== undefined) {
      this.#store = undefined;
      throw new ClusterStateError(remote, `not reading from ${remote}: ${update.leave}`);
    }
    return update.replaced;
  }

  /** An update2 of the `_Server` monitor on the attached member. */
  notify(params: readonly unknown[]): TrackerUpdate {
    if (this.#queued !== undefined) {
      this.#queued.push([...params]);
      return { leave: undefined, replaced: [] };
    }
    const store = this.#store;
    if (store === undefined) return { leave: undefined, replaced: [] };
    store.applyUpdates('update2', params[1]);
    return this.#judge();
  }

  /** The connection is gone: its rows no longer say anything. */
  detach(): void {
    this.#store = undefined;
  }

  #row(db: string): ReturnType<typeof toServerDatabase> | undefined {
    const rows = this.#store?.snapshot().tables['Database']?.values() ?? [];
    for (const row of rows) if (row['name'] === db) return toServerDatabase(row);
    return undefined;
  }

  #judge(): TrackerUpdate {
    const next = new Map<string, ClusterView>();
    const replaced: DatabaseReplaced[] = [];
    for (const db of this.#dbs) {
      const verdict = judgeMember(db, this.#row(db), this.view(db));
      if (!verdict.ok) return { leave: verdict.reason };
      next.set(db, verdict.view);
      if (verdict.replaced !== undefined) replaced.push({ db, ...verdict.replaced });
    }
    for (const [db, view] of next) this.#views.set(db, view);
    return { leave: undefined, replaced };
  }
}
