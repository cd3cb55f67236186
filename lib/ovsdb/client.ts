// OvsdbClient: one logical session with an ovsdb-server that survives connection
// loss. It owns the connection lifecycle (connect, echo probe, reconnect with
// backoff) and resumes every replica on each new connection.
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { computeBackoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { ConnectError, DisconnectedError } from './errors.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from './framer.ts';
import { decodeTransactResults, encodeOperation, type Operation, type TransactResults } from './operations.ts';
import type { Row } from './replica-store.ts';
import { Replica, type MonitorMethod, type MonitorSpec, type MonitorTransport } from './replica.ts';
import { parseRemote, type Remote, type SslFiles } from './remote.ts';
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
  /** unix:PATH, tcp:HOST:PORT or ssl:HOST:PORT */
  readonly remote: string;
  /** Key, certificate and CA files of an ssl: remote. */
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
}

const DbList = z.array(z.string());

export class OvsdbClient extends EventEmitter<ClientEvents> {
  readonly remote: Remote;
  readonly #options: OvsdbClientOptions;
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
    this.remote = parseRemote(options.remote);
    this.#options = options;
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
    const conn = await client.#open();
    try {
      await client.#handshake(conn);
    } catch (err) {
      conn.close();
      throw err;
    }
    client.#adopt(conn, false);
    return client;
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
  async monitor<Rows extends Record<string, Row> = Record<string, Row>>(spec: MonitorSpec<Rows>): Promise<Replica<Rows>> {
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
    if (conn === undefined || this.#state !== 'connected') throw new DisconnectedError(`not connected to ${this.remote.text} (${this.#state})`);
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

  #open(): Promise<RpcConnection> {
    return RpcConnection.open(this.remote, {
      connectTimeoutMs: this.#options.connectTimeoutMs ?? 5000,
      probeIntervalMs: this.#options.probeIntervalMs ?? 5000,
      maxMessageBytes: this.#options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      counters: this.#counters,
      ssl: this.#options.ssl,
    });
  }

  /** Checks that the wanted databases are served on a new connection. */
  async #handshake(conn: RpcConnection): Promise<void> {
    conn.on('notification', (method, params) => {
      this.#onNotification(conn, method, params);
    });
    const served = DbList.parse(await conn.request('list_dbs', []));
    for (const db of this.#options.databases ?? []) {
      if (!served.includes(db)) {
        throw new ConnectError(this.remote.text, `database ${db} not served by ${this.remote.text} (it serves: ${served.join(', ')})`, 'ENODB');
      }
    }
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
      conn.close(new DisconnectedError(`resuming monitors on ${this.remote.text} failed: ${reason.message}`, { cause: reason }));
    }
  }

  #adopt(conn: RpcConnection, reconnect: boolean): void {
    this.#conn = conn;
    this.#schemas = new Map();
    this.#unsupported = new Set();
    this.#attempt = 0;
    this.#connects++;
    this.#connectedSince = new Date();
    conn.once('close', (reason) => {
      this.#onConnectionLost(conn, reason);
    });
    this.#setState('connected');
    this.#log.info({ remote: this.remote.text, reconnect }, 'ovsdb connected');
    this.emit('connected', { reconnect });
  }

  #onNotification(conn: RpcConnection, method: string, params: unknown[]): void {
    const id = params[0];
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
    try {
      conn = await this.#open();
      if (this.#isClosed()) {
        conn.close();
        return;
      }
      await this.#handshake(conn);
      if (this.#isClosed()) {
        conn.close();
        return;
      }
    } catch (err) {
      conn?.close();
      if (this.#isClosed()) return;
      const reason = err instanceof Error ? err : new Error(String(err));
      this.#lastError = reason.message;
      this.#log.debug({ remote: this.remote.text, err: reason.message, attempt: this.#attempt }, 'ovsdb reconnect failed');
      this.#setState('disconnected');
      this.emit('connectFailed', reason);
      this.#scheduleReconnect();
      return;
    }
    // Connected before monitors resume, so that consumers reacting to 'resynced' can use the client.
    const replicas = [...this.#replicas.values()];
    this.#adopt(conn, true);
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
