// OvsdbClient: one logical session with a database that survives connection
// loss. It owns the connection lifecycle (connect, echo probe, reconnect with
// backoff) and resumes every replica on each new connection. A clustered
// database is given as its member list: the client reads from one member at a
// time, leaves it when it fails or its `_Server` row says it is cut off or
// behind (cluster-tracker.ts, cluster-follower.ts), and moves to the next one.
import { EventEmitter } from 'node:events';
import { computeBackoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { ClusterFollower } from './cluster-follower.ts';
import { ClusterTracker, type DatabaseReplaced, type MemberState } from './cluster-tracker.ts';
import type { ClusterView } from './cluster-member.ts';
import {
  NO_SESSION,
  silentLogger,
  type ClientEvents,
  type ClientStats,
  type ConnectionState,
  type OvsdbClientOptions,
  type OvsdbLogger,
  type SessionCounters,
} from './client-options.ts';
import { ClusterStateError, DisconnectedError } from './errors.ts';
import { DbList, MemberConnector, type MemberConnection, type NotificationHandler } from './member-connector.ts';
import { decodeTransactResults, encodeOperation, type Operation, type TransactResults } from './operations.ts';
import type { Row } from './replica-store.ts';
import type { MonitorSpec, Replica } from './replica.ts';
import { ReplicaSet } from './replica-set.ts';
import type { Remote } from './remote.ts';
import type { RpcConnection, RpcCounters } from './rpc-connection.ts';
import type { DatabaseSchema } from './schema.ts';
import { SchemaCache } from './schema-cache.ts';

export class OvsdbClient extends EventEmitter<ClientEvents> {
  /** The members, in this process's order. */
  readonly remotes: readonly Remote[];
  readonly #connector: MemberConnector;
  readonly #tracker: ClusterTracker;
  readonly #follower: ClusterFollower;
  readonly #backoff: BackoffOptions;
  readonly #log: OvsdbLogger;
  readonly #replicas = new ReplicaSet();
  readonly #counters: RpcCounters = { echoesAnswered: 0, echoesSent: 0, messagesReceived: 0, messagesSent: 0 };
  readonly #notify: NotificationHandler = (conn, method, params) => {
    this.#onNotification(conn, method, params);
  };
  readonly #schemas = new SchemaCache();
  #conn: RpcConnection | undefined;
  #state: ConnectionState = 'connecting';
  #attempt = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #attemptInFlight: Promise<void> | undefined;
  readonly #session: SessionCounters = { ...NO_SESSION };

  private constructor(options: OvsdbClientOptions) {
    super();
    this.#tracker = new ClusterTracker(options.databases ?? []);
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#log = options.logger ?? silentLogger;
    this.#connector = new MemberConnector(options, this.#tracker, this.#counters, this.#backoff, this.#log);
    this.remotes = this.#connector.remotes;
    this.#follower = new ClusterFollower(this, this.#tracker, this.#replicas, this.#log);
  }

  /**
   * Connects and checks that the wanted databases are served. Rejects with a
   * ConnectError ("cannot connect to unix:/x/nb.sock: ENOENT", "database X not
   * served by ...") instead of retrying: a wrong address at start-up is a configuration error.
   */
  static async connect(options: OvsdbClientOptions): Promise<OvsdbClient> {
    const client = new OvsdbClient(options);
    const { conn, replaced } = await client.#connector.connectFirst(client.#notify);
    client.#adopt(conn, false, replaced);
    return client;
  }

  /** The member currently used (or tried next). */
  get remote(): Remote {
    return this.#connector.remote;
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
      ...this.#session,
    };
  }

  async listDbs(): Promise<string[]> {
    return DbList.parse(await this.#request('list_dbs', []));
  }

  /** The schema of `db`, fetched once per connection. */
  getSchema(db: string): Promise<DatabaseSchema> {
    return this.#schemas.get(db, () => this.#connected().request('get_schema', [db]));
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
    return this.#replicas.open(conn, schema, spec, (id) => this.#closeMonitor(id));
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
    const replicas = this.#replicas.takeAll();
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
   * Resumes every replica on the (already adopted) connection, with fresh schemas.
   * A failure drops the connection, which schedules the next attempt.
   */
  async #resumeReplicas(conn: RpcConnection, replicas: readonly Replica[]): Promise<void> {
    try {
      await this.#replicas.resume(conn, replicas, (db) => this.getSchema(db));
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
    this.#schemas.clear();
    this.#replicas.forgetUnsupported();
    this.#attempt = 0;
    this.#session.connects++;
    this.#session.connectedSince = new Date();
    conn.once('close', (reason) => {
      this.#onConnectionLost(conn, reason);
    });
    for (const r of replaced) this.#follower.onReplaced(r);
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

  #onNotification(conn: RpcConnection, method: string, params: unknown[]): void {
    if (this.#follower.handleNotification(conn, method, params)) return;
    const id = params[0];
    const replica = this.#replicas.get(id);
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
    this.#schemas.clear();
    this.#session.connectedSince = undefined;
    if (this.#state === 'closed') return;
    this.#session.disconnects++;
    this.#session.lastError = reason.message;
    this.#log.warn({ remote: this.remote.text, err: reason.message }, 'ovsdb disconnected');
    this.#setState('disconnected');
    this.emit('disconnected', reason);
    for (const replica of this.#replicas.list()) replica.detach(reason);
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
    this.#session.reconnectAttempts++;
    this.#setState('connecting');
    let next: MemberConnection | undefined;
    try {
      next = await this.#connector.connectNext(() => this.#isClosed(), this.#notify);
      if (next === undefined) return;
    } catch (err) {
      if (this.#isClosed()) return;
      const reason = err instanceof Error ? err : new Error(String(err));
      this.#session.lastError = reason.message;
      const log =
        reason instanceof ClusterStateError ? this.#log.warn.bind(this.#log) : this.#log.debug.bind(this.#log);
      log({ remote: this.remote.text, err: reason.message, attempt: this.#attempt }, 'ovsdb reconnect failed');
      this.#setState('disconnected');
      this.emit('connectFailed', reason);
      this.#scheduleReconnect();
      return;
    }
    // Connected before monitors resume, so that consumers reacting to 'resynced' can use the client.
    const replicas = this.#replicas.list();
    this.#adopt(next.conn, true, next.replaced);
    await this.#resumeReplicas(next.conn, replicas);
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
