// A monitored subset of one database, kept current by the client across reconnects.
// Consumers either follow 'change' batches (edge) or, level-triggered, treat any
// 'change' as "something changed" and read snapshot(), which is cheap: unchanged
// tables keep returning the same Map.
import { EventEmitter } from 'node:events';
import { encodeDatum, type OvsdbInput } from './datum.ts';
import { RpcError, SchemaMismatchError } from './errors.ts';
import { ZERO_UUID } from './messages.ts';
import { ReplicaStore, type ChangeBatch, type Row, type Snapshot, type UpdateFormat } from './replica-store.ts';
import type { DatabaseSchema } from './schema.ts';

export type MonitorMethod = 'monitor_cond_since' | 'monitor_cond' | 'monitor';
export const MONITOR_METHODS: readonly MonitorMethod[] = ['monitor_cond_since', 'monitor_cond', 'monitor'];

export type ConditionFunction = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'includes' | 'excludes';
export type Condition = readonly [column: string, fn: ConditionFunction, value: OvsdbInput];

export interface MonitorTableSpec {
  /** Columns to replicate; omitted or empty: all columns. */
  readonly columns?: readonly string[];
  /** Server-side filter (monitor_cond and later); rows must match all conditions. */
  readonly where?: readonly Condition[];
}

export interface MonitorSpec<Rows extends Record<string, Row> = Record<string, Row>> {
  readonly db: string;
  /** Table → columns, or a full table spec. */
  readonly tables: { readonly [T in keyof Rows & string]: readonly string[] | MonitorTableSpec };
  /** Methods to try in order; a server answering "unknown method" moves on to the next. */
  readonly methods?: readonly MonitorMethod[];
}

export type ReplicaState = 'syncing' | 'synced' | 'stale' | 'closed';

export interface ResyncInfo {
  readonly method: MonitorMethod;
  /** monitor_cond_since only: the server still had our last transaction and sent just the changes since. */
  readonly found: boolean;
}

export interface ReplicaEvents<Rows extends Record<string, Row>> {
  /** One batch per server update (or per resync); only emitted when something changed. */
  change: [batch: ChangeBatch<Rows>];
  /** The first snapshot is in. */
  synced: [];
  /** Monitoring resumed after a reconnect; a 'change' with the difference precedes it. */
  resynced: [info: ResyncInfo];
  /** The connection is down; the rows are the last known state. */
  stale: [reason: Error];
  /** A row did not match the schema; it is left out (or kept at its last good version). */
  rowError: [error: SchemaMismatchError];
}

/** What the replica needs from the client: one request on the current connection. */
export interface MonitorTransport {
  request(method: string, params: readonly unknown[]): Promise<unknown>;
}

/** Returns true when the server does not implement `method`. */
export function isUnknownMethod(err: unknown): boolean {
  return err instanceof RpcError && err.error === 'unknown method';
}

export class Replica<Rows extends Record<string, Row> = Record<string, Row>> extends EventEmitter<ReplicaEvents<Rows>> {
  readonly db: string;
  /** The monitor's json-value id, unique per client. */
  readonly id: string;
  readonly #store: ReplicaStore;
  readonly #where: ReadonlyMap<string, readonly Condition[]>;
  readonly #methods: readonly MonitorMethod[];
  readonly #onClose: (replica: Replica<Rows>) => Promise<void>;
  #schema: DatabaseSchema;
  #state: ReplicaState = 'syncing';
  #method: MonitorMethod | undefined;
  #lastTxnId = ZERO_UUID;
  #everSynced = false;
  #queue: [method: string, params: unknown[]][] | undefined;
  readonly #recentErrors: SchemaMismatchError[] = [];

  /** @internal Created by OvsdbClient.monitor. */
  constructor(
    id: string,
    schema: DatabaseSchema,
    spec: MonitorSpec<Rows>,
    onClose: (replica: Replica<Rows>) => Promise<void>,
  ) {
    super();
    this.id = id;
    this.db = spec.db;
    this.#schema = schema;
    this.#methods = spec.methods ?? MONITOR_METHODS;
    this.#onClose = onClose;
    const columns: Record<string, readonly string[]> = {};
    const where = new Map<string, readonly Condition[]>();
    for (const [table, tableSpec] of Object.entries<readonly string[] | MonitorTableSpec>(spec.tables)) {
      const ts: MonitorTableSpec = isColumnList(tableSpec) ? { columns: tableSpec } : tableSpec;
      columns[table] = ts.columns ?? [];
      if (ts.where !== undefined && ts.where.length > 0) where.set(table, ts.where);
    }
    this.#store = new ReplicaStore(schema, columns);
    this.#where = where;
    // Reject bad conditions now rather than on the wire.
    this.#monitorRequests(true);
  }

  get state(): ReplicaState {
    return this.#state;
  }
  /** The negotiated monitor method (after the first sync). */
  get method(): MonitorMethod | undefined {
    return this.#method;
  }
  get lastTxnId(): string {
    return this.#lastTxnId;
  }
  /** Increases with every change batch. */
  get version(): number {
    return this.#store.version;
  }
  /** Schema mismatches seen so far (most recent last, at most 100). */
  get errors(): readonly SchemaMismatchError[] {
    return this.#recentErrors;
  }

  snapshot(): Snapshot<Rows> {
    return this.#store.snapshot() as unknown as Snapshot<Rows>;
  }

  table<T extends keyof Rows & string>(table: T): ReadonlyMap<string, Rows[T]> {
    return this.snapshot().tables[table];
  }

  get<T extends keyof Rows & string>(table: T, uuid: string): Rows[T] | undefined {
    return this.#store.get(table, uuid) as Rows[T] | undefined;
  }

  /** Resolves once the first snapshot is in (immediately if it already is). */
  whenSynced(): Promise<void> {
    if (this.#everSynced) return Promise.resolve();
    return new Promise((resolve) => this.once('synced', resolve));
  }

  /** Stops monitoring (monitor_cancel if connected) and detaches from the client. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    await this.#onClose(this);
    this.removeAllListeners();
  }

  /** @internal Starts (or resumes) monitoring on a fresh connection; resolves when the snapshot is applied. */
  async attach(transport: MonitorTransport, schema: DatabaseSchema, unsupported: Set<MonitorMethod>): Promise<void> {
    if (this.#state === 'closed') return;
    if (schema !== this.#schema) {
      this.#schema = schema;
      this.#store.setSchema(schema);
    }
    this.#queue = [];
    try {
      for (const method of this.#methods) {
        if (unsupported.has(method)) continue;
        if (method === 'monitor' && this.#where.size > 0) {
          throw new Error(`monitor of ${this.db} has conditions but the server only offers plain "monitor"`);
        }
        let reply: unknown;
        try {
          reply = await transport.request(method, this.#params(method));
        } catch (err) {
          if (isUnknownMethod(err)) {
            unsupported.add(method);
            continue;
          }
          throw err;
        }
        if (this.#isClosed()) return;
        this.#method = method;
        this.#applyReply(method, reply);
        const queued = this.#queue;
        this.#queue = undefined;
        for (const [m, params] of queued) this.notify(m, params);
        return;
      }
      throw new Error(`server offers none of the monitor methods ${this.#methods.join(', ')}`);
    } finally {
      this.#queue = undefined;
    }
  }

  // A method, so TypeScript does not narrow #state across awaits.
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  /** @internal The database was re-created: the next attach asks for everything (found=false), not for changes since a transaction it never had. */
  forgetTxnId(): void {
    this.#lastTxnId = ZERO_UUID;
  }

  /** @internal The connection dropped. */
  detach(reason: Error): void {
    if (this.#state === 'closed' || this.#state === 'stale') return;
    this.#state = 'stale';
    this.emit('stale', reason);
  }

  /** @internal An update/update2/update3 notification for this monitor. */
  notify(method: string, params: unknown[]): void {
    if (this.#state === 'closed') return;
    if (this.#queue !== undefined) {
      this.#queue.push([method, params]);
      return;
    }
    if (method === 'update3') {
      if (typeof params[1] === 'string') this.#lastTxnId = params[1];
      this.#emitResult(this.#store.applyUpdates('update2', params[2]));
    } else if (method === 'update2' || method === 'update') {
      this.#emitResult(this.#store.applyUpdates(method, params[1]));
    }
  }

  /** @internal Encoded monitor params, for tests and logs. */
  #params(method: MonitorMethod): unknown[] {
    const requests = this.#monitorRequests(method !== 'monitor');
    if (method === 'monitor_cond_since') return [this.db, this.id, requests, this.#lastTxnId];
    return [this.db, this.id, requests];
  }

  #monitorRequests(withWhere: boolean): Record<string, unknown[]> {
    const requests: Record<string, unknown[]> = {};
    for (const table of this.#store.tableNames()) {
      const request: Record<string, unknown> = { columns: this.#store.columns(table) };
      const where = this.#where.get(table);
      if (withWhere && where !== undefined) request.where = where.map((c) => this.#encodeCondition(table, c));
      requests[table] = [request];
    }
    return requests;
  }

  #encodeCondition(table: string, [column, fn, value]: Condition): unknown[] {
    const type = this.#schema.tables.get(table)?.columns.get(column)?.type;
    if (type === undefined) throw new Error(`condition on unknown column ${table}.${column}`);
    // A scalar comparison against a set column compares with a one-element set, which encodeDatum handles.
    return [column, fn, encodeDatum(type, value)];
  }

  #applyReply(method: MonitorMethod, reply: unknown): void {
    const kind = this.#everSynced ? 'resync' : 'initial';
    let found = false;
    if (method === 'monitor_cond_since') {
      if (
        !Array.isArray(reply) ||
        reply.length !== 3 ||
        typeof reply[0] !== 'boolean' ||
        typeof reply[1] !== 'string'
      ) {
        throw new Error(`malformed monitor_cond_since reply: ${JSON.stringify(reply).slice(0, 120)}`);
      }
      found = reply[0];
      this.#lastTxnId = reply[1];
      this.#emitResult(
        found ? this.#store.applyUpdates('update2', reply[2]) : this.#store.replaceAll('update2', reply[2], kind),
      );
    } else {
      const format: UpdateFormat = method === 'monitor_cond' ? 'update2' : 'update';
      this.#emitResult(this.#store.replaceAll(format, reply, kind));
    }
    this.#state = 'synced';
    if (kind === 'initial') {
      this.#everSynced = true;
      this.emit('synced');
    } else {
      this.emit('resynced', { method, found });
    }
  }

  #emitResult(result: { batch: ChangeBatch | undefined; errors: SchemaMismatchError[] }): void {
    for (const error of result.errors) {
      this.#recentErrors.push(error);
      if (this.#recentErrors.length > 100) this.#recentErrors.shift();
      this.emit('rowError', error);
    }
    if (result.batch !== undefined) this.emit('change', result.batch as unknown as ChangeBatch<Rows>);
  }
}

function isColumnList(spec: readonly string[] | MonitorTableSpec): spec is readonly string[] {
  return Array.isArray(spec);
}
