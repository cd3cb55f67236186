// Getting a connection to one member of the database: which member is next,
// opening its socket, and the handshake that checks it serves our databases and
// may be read from. OvsdbClient decides when to connect; this decides where and how.
import { z } from 'zod';
import { computeBackoffDelay, type BackoffOptions } from './backoff.ts';
import { SERVER_DB, type ClusterTracker, type DatabaseReplaced } from './cluster-tracker.ts';
import type { OvsdbClientOptions, OvsdbLogger } from './client-options.ts';
import { ClusterStateError, ConnectError } from './errors.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from './framer.ts';
import type { MonitorTransport } from './replica.ts';
import { parseRemoteList, shuffleMembers, type Remote } from './remote.ts';
import { RpcConnection, type RpcCounters } from './rpc-connection.ts';
import { parseDatabaseSchema } from './schema.ts';

export const DbList = z.array(z.string());

/** Called for every notification of a connection, from its handshake on. */
export type NotificationHandler = (conn: RpcConnection, method: string, params: unknown[]) => void;

export interface MemberConnection {
  readonly conn: RpcConnection;
  readonly replaced: readonly DatabaseReplaced[];
}

export class MemberConnector {
  /** The members, in this process's order. */
  readonly remotes: readonly Remote[];
  readonly #options: OvsdbClientOptions;
  readonly #tracker: ClusterTracker;
  readonly #counters: RpcCounters;
  readonly #backoff: BackoffOptions;
  readonly #log: OvsdbLogger;
  #member = 0;

  constructor(
    options: OvsdbClientOptions,
    tracker: ClusterTracker,
    counters: RpcCounters,
    backoff: BackoffOptions,
    log: OvsdbLogger,
  ) {
    this.remotes = shuffleMembers(parseRemoteList(options.remote));
    this.#options = options;
    this.#tracker = tracker;
    this.#counters = counters;
    this.#backoff = backoff;
    this.#log = log;
  }

  /** The member currently used (or tried next). */
  get remote(): Remote {
    return this.remotes[this.#member] ?? (this.remotes[0] as Remote);
  }

  /**
   * Each member once, in order. Wrong addresses everywhere fail at once (a
   * configuration error); a cluster whose members answer but none may be read
   * from (no quorum yet) is waited for, with the backoff.
   */
  async connectFirst(onNotification: NotificationHandler): Promise<MemberConnection> {
    for (let round = 0; ; round++) {
      const failures: ConnectError[] = [];
      for (let i = 0; i < this.remotes.length; i++) {
        if (round > 0 || i > 0) this.#advance();
        try {
          return await this.#openMember(onNotification);
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

  /**
   * The next member, for a reconnect. Resolves undefined (the connection closed) if
   * the client was closed meanwhile; on failure closes the connection and rejects.
   */
  async connectNext(
    isClosed: () => boolean,
    onNotification: NotificationHandler,
  ): Promise<MemberConnection | undefined> {
    let conn: RpcConnection | undefined;
    this.#advance();
    try {
      conn = await this.#open();
      if (isClosed()) {
        conn.close();
        return undefined;
      }
      const replaced = await this.#handshake(conn, onNotification);
      if (isClosed()) {
        conn.close();
        return undefined;
      }
      return { conn, replaced };
    } catch (err) {
      conn?.close();
      throw err;
    }
  }

  async #openMember(onNotification: NotificationHandler): Promise<MemberConnection> {
    const conn = await this.#open();
    try {
      return { conn, replaced: await this.#handshake(conn, onNotification) };
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
  async #handshake(conn: RpcConnection, onNotification: NotificationHandler): Promise<readonly DatabaseReplaced[]> {
    conn.on('notification', (method, params) => {
      onNotification(conn, method, params);
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
}

export function transportOf(conn: RpcConnection): MonitorTransport {
  return { request: (method, params) => conn.request(method, params) };
}
