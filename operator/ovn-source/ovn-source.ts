// Adapter: the OVN NB and SB databases as one OvnSnapshot plus a "changed"
// signal. Connecting is strict (a missing socket or a remote that serves the
// wrong database is a configuration error, reported once, at start-up); once
// running, the OVSDB client reconnects with backoff and resyncs by itself, and
// the snapshot stays at the last known rows meanwhile. Clustered databases are
// given as member lists; the client never reads a member that is cut off from
// its cluster or behind what was already read, and reports a re-created
// database (new cluster id), which holds the deletes it would cause.
import { EventEmitter } from 'node:events';
import { errorMessage, type Logger } from '../../lib/log.ts';
import type { OvnSnapshot } from './ovn-snapshot.ts';
import type { NetworkRows } from './network-rows.ts';
import {
  MONITOR_METHODS,
  OvsdbClient,
  type MonitorMethod,
  type Replica,
  type Row,
  type SslFiles,
} from '../../lib/ovsdb/index.ts';
import { NB_DB, nbTables, SB_DB, sbTables, type NbRows, type SbRows } from './ovn-rows.ts';
import { OvnIndex } from './ovn-index.ts';
import { keyTables, ovnKeyPort, type KeyRows } from './ovn-key-rows.ts';
import type { OvnKeyPort } from '../ovn-keys/ovn-key-sync.ts';

export interface OvnSourceOptions {
  /** The OVN_Northbound database as ovn-nbctl --db takes it: one remote, or the members of a cluster comma-separated. */
  readonly nbRemote: string;
  readonly sbRemote: string;
  readonly log: Logger;
  readonly connectTimeoutMs?: number;
  /** A member silent this long is left for the next one (the client's echo goes out at half of it); default 5000. */
  readonly probeIntervalMs?: number;
  /** Key, certificate and CA for ssl: remotes. */
  readonly ssl?: SslFiles | undefined;
}

export interface OvnSourceEvents {
  /** Some monitored row changed (or a resync brought differences). */
  change: [];
  /** Both databases are connected and synced, or one of them is not any more. */
  health: [synced: boolean];
}

/** Both databases use the client's default (monitor_cond_since, then fallbacks). */
const SB_MONITOR_METHODS: readonly MonitorMethod[] = MONITOR_METHODS;

/** Start-up failure, with a message meant for the person who started the process. */
export class OvnStartupError extends Error {
  override name = 'OvnStartupError';
}

interface Db<Rows extends Record<string, Row>> {
  readonly client: OvsdbClient;
  readonly replica: Replica<Rows>;
}

/** The ovn backend's rows (ovn-key-rows.ts): their own replica on the NB connection, and the NB schema version. */
interface KeyDb {
  readonly replica: Replica<KeyRows>;
  readonly schemaVersion: string;
}

async function openKeyDb(nb: Db<NbRows>): Promise<KeyDb> {
  const replica = await nb.client.monitor<KeyRows>({ db: NB_DB, tables: keyTables });
  return { replica, schemaVersion: (await nb.client.getSchema(NB_DB)).version };
}

/** One database to open: where, which tables, and the flag that named it (for start-up errors). */
interface DbTarget {
  readonly flag: string;
  readonly remote: string;
  readonly db: string;
  readonly tables: Record<string, readonly string[]>;
  readonly methods?: readonly MonitorMethod[];
}

async function openDb<Rows extends Record<string, Row>>(
  target: DbTarget,
  options: OvnSourceOptions,
): Promise<Db<Rows>> {
  const { flag, remote, db, tables, methods } = target;
  let client: OvsdbClient;
  try {
    client = await OvsdbClient.connect({
      remote,
      ssl: options.ssl,
      databases: [db],
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      // The client echoes after its interval of silence and waits as long again: half of ours each.
      probeIntervalMs: Math.max(1, Math.round((options.probeIntervalMs ?? 5000) / 2)),
      logger: options.log.child({ component: 'ovsdb', db }),
    });
  } catch (err) {
    const why = errorMessage(err);
    throw new OvnStartupError(`${flag} ${remote}: ${why}`, { cause: err });
  }
  try {
    const replica = await client.monitor<Rows>({
      db,
      tables: tables as { [T in keyof Rows & string]: readonly string[] },
      ...(methods === undefined ? {} : { methods }),
    });
    return { client, replica };
  } catch (err) {
    await client.close();
    const why = errorMessage(err);
    throw new OvnStartupError(`${flag} ${remote}: cannot monitor ${db} (${Object.keys(tables).join(', ')}): ${why}`, {
      cause: err,
    });
  }
}

export class OvnSource extends EventEmitter<OvnSourceEvents> {
  readonly #nb: Db<NbRows>;
  readonly #sb: Db<SbRows>;
  readonly #keys: KeyDb;
  /** The converted rows, indexed by network: the one copy of OVN the mirror reads besides the replicas. */
  readonly #index = new OvnIndex();
  readonly #log: Logger;
  /** performance.now() of the oldest OVSDB update not yet taken by the mirror. */
  #pendingSince: number | undefined;
  #synced = true;
  #replacedAt: number | undefined;

  private constructor(nb: Db<NbRows>, sb: Db<SbRows>, keys: KeyDb, log: Logger) {
    super();
    this.#nb = nb;
    this.#sb = sb;
    this.#keys = keys;
    // A change to the ovn backend's rows (ours echoed, or someone else's edit) starts a pass: the key sync repairs or reports.
    keys.replica.on('change', () => this.emit('change'));
    keys.replica.on('resynced', () => {
      this.#updateHealth();
    });
    keys.replica.on('stale', () => {
      this.#updateHealth();
    });
    this.#log = log;
    this.#index.reset(nb.replica.snapshot(), sb.replica.snapshot());
    nb.replica.on('change', (batch) => {
      this.#index.applyNb(batch, () => nb.replica.snapshot());
    });
    sb.replica.on('change', (batch) => {
      this.#index.applySb(batch, () => sb.replica.snapshot());
    });
    for (const [name, db] of [
      ['nb', nb],
      ['sb', sb],
    ] as const) {
      db.replica.on('change', () => {
        this.#pendingSince ??= performance.now();
        this.emit('change');
      });
      db.replica.on('stale', (reason) => {
        this.#log.warn({ db: name, err: reason.message }, 'ovn database connection lost, keeping last known rows');
        this.#updateHealth();
      });
      db.replica.on('resynced', (info) => {
        this.#log.info({ db: name, method: info.method, found: info.found }, 'ovn database resynced');
        this.#updateHealth();
      });
      db.client.on('databaseReplaced', (info) => {
        this.#replacedAt = Date.now();
        this.#log.warn(
          { db: name, from: info.from, to: info.to },
          'ovn database re-created (new cluster id); deletes it causes are held',
        );
      });
      db.replica.on('rowError', (error) => {
        this.#log.warn(
          { db: name, table: error.table, column: error.column, uuid: error.uuid, err: error.message },
          'ovn row does not match the schema, left out',
        );
      });
    }
  }

  /** Connects to both databases and waits for their first snapshot; throws OvnStartupError. */
  static async connect(options: OvnSourceOptions): Promise<OvnSource> {
    const log = options.log.child({ component: 'ovn-source' });
    const nb = await openDb<NbRows>(
      { flag: '--ovn-nb', remote: options.nbRemote, db: NB_DB, tables: nbTables },
      options,
    );
    let sb: Db<SbRows>;
    let keys: KeyDb;
    try {
      keys = await openKeyDb(nb).catch((err: unknown) => {
        throw new OvnStartupError(
          `--ovn-nb ${options.nbRemote}: cannot monitor the ovn backend's rows: ${errorMessage(err)}`,
          {
            cause: err,
          },
        );
      });
      sb = await openDb<SbRows>(
        { flag: '--ovn-sb', remote: options.sbRemote, db: SB_DB, tables: sbTables, methods: SB_MONITOR_METHODS },
        options,
      );
    } catch (err) {
      await nb.client.close();
      throw err;
    }
    log.info({ nb: options.nbRemote, sb: options.sbRemote, nbSchema: keys.schemaVersion }, 'ovn databases synced');
    return new OvnSource(nb, sb, keys, log);
  }

  snapshot(): OvnSnapshot {
    return this.#index.snapshot();
  }

  /** The rows by network, for the incremental mirror; `resync` re-reads both replicas (the slow full pass). */
  networkRows(): NetworkRows & { resync(): void } {
    const index = this.#index;
    return {
      takeDirty: () => index.takeDirty(),
      networkIds: () => index.networkIds(),
      networkSnapshot: (id) => index.networkSnapshot(id),
      resync: () => {
        index.reset(this.#nb.replica.snapshot(), this.#sb.replica.snapshot());
      },
    };
  }

  /** When an OVN database was last seen re-created (a new RAFT cluster id), in Date.now() time. */
  replacedAt(): number | undefined {
    return this.#replacedAt;
  }

  /** Both replicas hold a current snapshot (not stale after a disconnect). */
  isSynced(): boolean {
    return (
      this.#nb.replica.state === 'synced' &&
      this.#sb.replica.state === 'synced' &&
      this.#keys.replica.state === 'synced'
    );
  }

  /** The ovn backend's NB rows and writes (operator/ovn-keys/). */
  ovnKeyPort(): OvnKeyPort {
    return ovnKeyPort(this.#nb.client, this.#keys.replica, this.#keys.schemaVersion);
  }

  /** Takes the receive time of the oldest unhandled update (for the OVN→CR latency). */
  takePendingSince(): number | undefined {
    const t = this.#pendingSince;
    this.#pendingSince = undefined;
    return t;
  }

  /** Gives a taken time back when the work it started failed. */
  restorePendingSince(t: number | undefined): void {
    if (t === undefined) return;
    this.#pendingSince = this.#pendingSince === undefined ? t : Math.min(this.#pendingSince, t);
  }

  connectionStates(): { nb: string; sb: string } {
    return { nb: this.#nb.client.state, sb: this.#sb.client.state };
  }

  async close(): Promise<void> {
    await Promise.all([this.#nb.client.close(), this.#sb.client.close()]);
    this.removeAllListeners();
  }

  #updateHealth(): void {
    const synced = this.isSynced();
    if (synced === this.#synced) return;
    this.#synced = synced;
    this.emit('health', synced);
  }
}
