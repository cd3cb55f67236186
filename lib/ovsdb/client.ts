// OvsdbClient: one logical session with a database that survives connection
// loss. It owns the connection lifecycle (connect, echo probe, reconnect with
// backoff) and resumes every replica on each new connection. A clustered
// database is given as its member list: the client reads from one member at a
// time, leaves it when it fails or its `_Server` row says it is cut off or
// behind (cluster-tracker.ts), and moves to the next one.
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { computeBackoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import {
  CLUSTER_MONITOR_ID,
  ClusterTracker,
  SERVER_DB,
  type DatabaseReplaced,
  type MemberState,
} from './cluster-tracker.ts';
import type { ClusterView } from './cluster-member.ts';
import { ClusterStateError, ConnectError, DisconnectedError } from './errors.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from './framer.ts';
import { decodeTransactResults, encodeOperation, type Operation, type TransactResults } from './operations.ts';
import type { Row } from './replica-store.ts';
import { Replica, type MonitorMethod, type MonitorSpec, type MonitorTransport } from './replica.ts';
import { parseRemoteList, shuffleMembers, type Remote, type SslFiles } from './remote.ts';
import { RpcConnection, type RpcCounters } from './rpc-connection.ts';
import { parseDatabaseSchema, type DatabaseSchema } from './schema.ts';

/** The subset of a pino logger the client uses. */
export interface OvsdbLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const silentLogger: OvsdbLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined };

export interface OvsdbClientOptions {
  /** unix:PATH, tcp:HOST:PORT or ssl:HOST:PORT, or several members of a cluster, comma-separated; tried in a random order. */
  readonly remote: string;
  /** Key, certificate and CA files of an ssl: remote, and optionally the server name its certificate must carry. */
  readonly ssl?: SslFiles | undefined;
  /** Databases that must be served; connect() rejects (and reconnects retry) otherwise. */
  readonly databases?: readonly string[];
  /** Echo after this much inbound silence, and declare the peer dead after as much again. 0 disables. Default 5000. */
  readonly probeIntervalMs?: number;
  /** Default 5000. */
  readonly connectTimeoutMs?: number;
  readonly backoff?: Partial<BackoffOptions>;
  /** Largest single JSON-RPC message accepted. Default 128 MiB. */
  readonly maxMessageBytes?: number;
  readonly logger?: OvsdbLogger;
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface ClientStats extends RpcCounters {
  readonly state: ConnectionState;
  /** Successful connections, the first included. */
  readonly connects: number;
  readonly disconnects: number;
  readonly reconnectAttempts: number;
  readonly lastError: string | undefined;
  readonly connectedSince: Date | undefined;
}

export interface ClientEvents {
  state: [state: ConnectionState];
  connected: [info: { reconnect: boolean }];
  disconnected: [reason: Error];
  reconnecting: [info: { attempt: number; delayMs: number }];
  connectFailed: [reason: Error];
  /** A member was left because its `_Server` row says it must not be read from. */
  memberLeft: [info: { remote: string; reason: string }];
  /** A database's cluster id changed (re-created); its replicas resync from scratch. */
  databaseReplaced: [info: DatabaseReplaced];
}

const DbList = z.array(z.string());

export class OvsdbClient extends EventEmitter<ClientEvents> {
  /** The members, in this process's order. */
  readonly remotes: readonly Remote[];
  readonly #options: OvsdbClientOptions;
  readonly #tracker: ClusterTracker;
  #member = 0;
  readonly #backoff: BackoffOptions;
  readonly #log: OvsdbLogger;
  readonly #replicas = new Map<string, Replica>();
  readonly #counters: RpcCounters = { echoesAnswered: 0, echoesSent: 0, messagesReceived: 0, messagesSent: 0 };
  #schemas = new Map<string, Promise<DatabaseSchema>>();
  #unsupported = new Set<MonitorMethod>();
  #conn: RpcConnection | undefined;
  #state: ConnectionState = 'connecting';
  #nextMonitorId = 1;
  #attempt = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #attemptInFlight: Promise<void> | undefined;
  #connects = 0;
  #disconnects = 0;
  #reconnectAttempts = 0;
  #lastError: string | undefined;
  #connectedSince: Date | undefined;

  private constructor(options: OvsdbClientOptions) {
    super();
    this.remotes = shuffleMembers(parseRemoteList(options.remote));
    this.#options = options;
    this.#tracker = new ClusterTracker(options.databases ?? []);
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#log = options.logger ?? silentLogger;
  }

  /**
   * Connects and checks that the wanted databases are served. Rejects with a
   * ConnectError ("cannot connect to unix:/x/nb.sock: ENOENT", "database X not
   * served by ...") instead of retrying: a wrong address at start-up is a configuration error.
   */
  static async connect(options: OvsdbClientOptions): Promise<OvsdbClient> {
    const client = new OvsdbClient(options);
    const { conn, replaced } = await client.#connectFirst();
    client.#adopt(conn, false, replaced);
    return client;
  }

  /** The member currently used (or tried next). */
  get remote(): Remote {
    return this.remotes[this.#member] ?? (this.remotes[0] as Remote);
  }

  /** The attached member's `_Server` rows for our databases (clustered and relay databases). */
  members(): MemberState[] {
    return this.#tracker.members();
  }

  /** The highest RAFT index read and the cluster id, per database. */
  clusterView(db: string): ClusterView {
    return this.#tracker.view(db);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get stats(): ClientStats {
    return {
      ...this.#counters,
      state: this.#state,
      connects: this.#connects,
      disconnects: this.#disconnects,
      reconnectAttempts: this.#reconnectAttempts,
      lastError: this.#lastError,
      connectedSince: this.#connectedSince,
    };
  }

  async listDbs(): Promise<string[]> {
    return DbList.parse(await this.#request('list_dbs', []));
  }

  /** The schema of `db`, fetched once per connection. */
  getSchema(db: string): Promise<DatabaseSchema> {
    let schema = this.#schemas.get(db);
    if (schema === undefined) {
      const conn = this.#connected();
      schema = conn.request('get_schema', [db]).then(parseDatabaseSchema);
      this.#schemas.set(db, schema);
      schema.catch(() => {
        if (this.#schemas.get(db) === schema) this.#schemas.delete(db);
      });
    }
    return schema;
  }

  /** Runs one transaction; resolves with one decoded result per operation or rejects with TransactionError. */
  async transact<const Ops extends readonly Operation[]>(db: string, ops: Ops): Promise<TransactResults<Ops>> {
    const schema = await this.getSchema(db);
    const encoded = ops.map((op) => encodeOperation(schema, op));
    const reply = await this.#request('transact', [db, ...encoded]);
    return decodeTransactResults(schema, ops, reply) as TransactResults<Ops>;
  }

  /** Round trip to the server. */
  async echo(): Promise<void> {
    await this.#request('echo', ['ping']);
  }

  /**
   * Starts a monitor and resolves with its replica once the initial snapshot is in
   * (its rows were emitted as one 'change' of kind "initial"). The replica follows
   * the client across reconnects until closed.
   */
  async monitor<Rows extends Record<string, Row> = Record<string, Row>>(
    spec: MonitorSpec<Rows>,
  ): Promise<Replica<Rows>> {
    const conn = this.#connected();
    const schema = await this.getSchema(spec.db);
    const id = `${spec.db}#${this.#nextMonitorId++}`;
    const replica = new Replica<Rows>(id, schema, spec, (r) => this.#closeMonitor(r.id));
    const erased = replica as unknown as Replica;
    this.#replicas.set(id, erased);
    try {
      await replica.attach(transportOf(conn), schema, this.#unsupported);
    } catch (err) {
      this.#replicas.delete(id);
      throw err;
    }
    return replica;
  }

  /** Stops reconnecting, closes the socket and every replica; leaves no timers behind. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    const conn = this.#conn;
    this.#conn = undefined;
    conn?.close();
    await this.#attemptInFlight;
    const replicas = [...this.#replicas.values()];
    this.#replicas.clear();
    await Promise.all(replicas.map((r) => r.close()));
    this.removeAllListeners();
  }

  #connected(): RpcConnection {
    const conn = this.#conn;
    if (conn === undefined || this.#state !== 'connected')
      throw new DisconnectedError(`not connected to ${this.remote.text} (${this.#state})`);
    return conn;
  }

  async #request(method: string, params: readonly unknown[]): Promise<unknown> {
    return this.#connected().request(method, params);
  }

  async #closeMonitor(id: string): Promise<void> {
    if (!this.#replicas.delete(id)) return;
    const conn = this.#conn;
    if (conn !== undefined && this.#state === 'connected') {
      await conn.request('monitor_cancel', [id]).catch((err: unknown) => {
        this.#log.debug({ id, err }, 'monitor_cancel failed');
      });
    }
  }

  /**
   * Each member once, in order. Wrong addresses everywhere fail at once (a
   * configuration error); a cluster whose members answer but none may be read
   * from (no quorum yet) is waited for, with the backoff.
   */
  async #connectFirst(): Promise<{ conn: RpcConnection; replaced: readonly DatabaseReplaced[] }> {
    for (let round = 0; ; round++) {
      const failures: ConnectError[] = [];
      for (let i = 0; i < this.remotes.length; i++) {
        if (round > 0 || i > 0) this.#advance();
        try {
          return await this.#openMember();
        } catch (err) {
          // A member that fails half-way (closes during the handshake, answers an error) is a member that failed.
          failures.push(
            err instanceof ConnectError
              ? err
              : new ConnectError(
                  this.remote.text,
                  `cannot connect to ${this.remote.text}: ${err instanceof Error ? err.message : String(err)}`,
                  undefined,
                  { cause: err },
                ),
          );
        }
      }
      const [first] = failures;
      if (first === undefined) throw new Error('no OVSDB member to connect to');
      if (!failures.some((f) => f instanceof ClusterStateError)) {
        if (failures.length === 1) throw first;
        throw new ConnectError(
          this.#options.remote,
          `cannot connect to any member of ${this.#options.remote}: ${failures.map((f) => f.message).join('; ')}`,
          first.code,
          { cause: first },
        );
      }
      const delayMs = computeBackoffDelay(round, this.#backoff);
      this.#log.warn(
        { remote: this.#options.remote, errs: failures.map((f) => f.message), delayMs },
        'no ovsdb member may be read from yet; waiting',
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  async #openMember(): Promise<{ conn: RpcConnection; replaced: readonly DatabaseReplaced[] }> {
    const conn = await this.#open();
    try {
      return { conn, replaced: await this.#handshake(conn) };
    } catch (err) {
      conn.close();
      throw err;
    }
  }

  /** ovsdb-cs moves on at every reconnect, so a member that keeps failing is not retried first. */
  #advance(): void {
    this.#member = (this.#member + 1) % this.remotes.length;
  }

  #open(): Promise<RpcConnection> {
    return RpcConnection.open(this.remote, {
      connectTimeoutMs: this.#options.connectTimeoutMs ?? 5000,
      probeIntervalMs: this.#options.probeIntervalMs ?? 5000,
      maxMessageBytes: this.#options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      counters: this.#counters,
      ssl: this.#options.ssl,
    });
  }

  /**
   * Checks that the wanted databases are served on a new connection and that
   * this member may be read from (`_Server`, where the server has it).
   */
  async #handshake(conn: RpcConnection): Promise<readonly DatabaseReplaced[]> {
    conn.on('notification', (method, params) => {
      this.#onNotification(conn, method, params);
    });
    const served = DbList.parse(await conn.request('list_dbs', []));
    for (const db of this.#options.databases ?? []) {
      if (!served.includes(db)) {
        throw new ConnectError(
          this.remote.text,
          `database ${db} not served by ${this.remote.text} (it serves: ${served.join(', ')})`,
          'ENODB',
        );
      }
    }
    // ovsdb-server before 2.9 has no _Server: nothing to follow, as with a standalone database.
    if (!served.includes(SERVER_DB) || (this.#options.databases ?? []).length === 0) return [];
    const schema = parseDatabaseSchema(await conn.request('get_schema', [SERVER_DB]));
    return this.#tracker.attach(transportOf(conn), schema, this.remote.text);
  }

  /**
   * Resumes every replica on the (already adopted) connection, with fresh schemas.
   * A failure drops the connection, which schedules the next attempt.
   */
  async #resumeReplicas(conn: RpcConnection, replicas: readonly Replica[]): Promise<void> {
    try {
      for (const replica of replicas) {
        if (conn.closed) return;
        const schema = await this.getSchema(replica.db);
        await replica.attach(transportOf(conn), schema, this.#unsupported);
      }
    } catch (err) {
      const reason = err instanceof Error ? err : new Error(String(err));
      this.#log.warn({ remote: this.remote.text, err: reason.message }, 'ovsdb monitor resume failed');
      conn.close(
        new DisconnectedError(`resuming monitors on ${this.remote.text} failed: ${reason.message}`, { cause: reason }),
      );
    }
  }

  #adopt(conn: RpcConnection, reconnect: boolean, replaced: readonly DatabaseReplaced[]): void {
    this.#conn = conn;
    this.#schemas = new Map();
    this.#unsupported = new Set();
    this.#attempt = 0;
    this.#connects++;
    this.#connectedSince = new Date();
    conn.once('close', (reason) => {
      this.#onConnectionLost(conn, reason);
    });
    for (const r of replaced) this.#onReplaced(r);
    this.#setState('connected');
    this.#log.info({ remote: this.remote.text, reconnect, members: this.#tracker.members() }, 'ovsdb connected');
    this.emit('connected', { reconnect });
    // Left during the handshake (its _Server row changed under us): 'close' fired before the listener above.
    if (conn.closed)
      this.#onConnectionLost(
        conn,
        new DisconnectedError(`connection to ${this.remote.text} closed during the handshake`),
      );
  }

  /** The same monitors on a re-created database would resume from a transaction it never had: start over. */
  #onReplaced(r: DatabaseReplaced): void {
    for (const replica of this.#replicas.values()) if (replica.db === r.db) replica.forgetTxnId();
    this.#log.warn(
      { remote: this.remote.text, db: r.db, from: r.from, to: r.to },
      'ovsdb database re-created (new cluster id)',
    );
    this.emit('databaseReplaced', r);
  }

  #onClusterUpdate(conn: RpcConnection, params: unknown[]): void {
    const update = this.#tracker.notify(params);
    const reason = update.leave ?? (update.replaced.length > 0 ? 'the database was re-created' : undefined);
    if (update.leave === undefined) for (const r of update.replaced) this.#onReplaced(r);
    if (reason === undefined) return;
    this.#log.warn({ remote: this.remote.text, reason }, 'leaving ovsdb member');
    this.emit('memberLeft', { remote: this.remote.text, reason });
    conn.close(new DisconnectedError(`left ${this.remote.text}: ${reason}`));
  }

  #onNotification(conn: RpcConnection, method: string, params: unknown[]): void {
    const id = params[0];
    if (id === CLUSTER_MONITOR_ID) {
      if (method === 'update2') this.#onClusterUpdate(conn, params);
      else if (method === 'monitor_canceled')
        conn.close(new DisconnectedError(`server canceled the ${SERVER_DB} monitor`));
      return;
    }
    const replica = typeof id === 'string' ? this.#replicas.get(id) : undefined;
    if (replica === undefined) return;
    if (method === 'monitor_canceled') {
      // The server dropped the monitor (e.g. the database was replaced): start over on a fresh connection.
      this.#log.warn({ remote: this.remote.text, monitor: id }, 'ovsdb monitor canceled by server');
      conn.close(new DisconnectedError(`server canceled monitor ${String(id)}`));
      return;
    }
    replica.notify(method, params);
  }

  #onConnectionLost(conn: RpcConnection, reason: Error): void {
    if (this.#conn !== conn) return;
    this.#conn = undefined;
    this.#tracker.detach();
    this.#schemas = new Map();
    this.#connectedSince = undefined;
    if (this.#state === 'closed') return;
    this.#disconnects++;
    this.#lastError = reason.message;
    this.#log.warn({ remote: this.remote.text, err: reason.message }, 'ovsdb disconnected');
    this.#setState('disconnected');
    this.emit('disconnected', reason);
    for (const replica of this.#replicas.values()) replica.detach(reason);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#state === 'closed') return;
    const delayMs = computeBackoffDelay(this.#attempt, this.#backoff);
    this.#attempt++;
    // The timer exists before listeners run, so a listener calling close() cancels it.
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#isClosed()) return;
      this.#attemptInFlight = this.#reconnect().finally(() => {
        this.#attemptInFlight = undefined;
      });
    }, delayMs);
    this.emit('reconnecting', { attempt: this.#attempt, delayMs });
  }

  async #reconnect(): Promise<void> {
    this.#reconnectAttempts++;
    this.#setState('connecting');
    let conn: RpcConnection | undefined;
    let replaced: readonly DatabaseReplaced[];
    this.#advance();
    try {
      conn = await this.#open();
      if (this.#isClosed()) {
        conn.close();
        return;
      }
      replaced = await this.#handshake(conn);
      if (this.#isClosed()) {
        conn.close();
        return;
      }
    } catch (err) {
      conn?.close();
      if (this.#isClosed()) return;
      const reason = err instanceof Error ? err : new Error(String(err));
      this.#lastError = reason.message;
      const log =
        reason instanceof ClusterStateError ? this.#log.warn.bind(this.#log) : this.#log.debug.bind(this.#log);
      log({ remote: this.remote.text, err: reason.message, attempt: this.#attempt }, 'ovsdb reconnect failed');
      this.#setState('disconnected');
      this.emit('connectFailed', reason);
      this.#scheduleReconnect();
      return;
    }
    // Connected before monitors resume, so that consumers reacting to 'resynced' can use the client.
    const replicas = [...this.#replicas.values()];
    this.#adopt(conn, true, replaced);
    await this.#resumeReplicas(conn, replicas);
  }

  // A method, so TypeScript does not narrow #state across awaits.
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state);
  }
}

function transportOf(conn: RpcConnection): MonitorTransport {
  return { request: (method, params) => conn.request(method, params) };
}
