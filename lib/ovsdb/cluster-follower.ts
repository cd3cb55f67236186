// How the client follows the `_Server` rows of the member it reads from: a
// database re-created under it makes its replicas start over, and a member that
// says it is cut off or behind is left (its connection closed) for the next one.
import type { EventEmitter } from 'node:events';
import { CLUSTER_MONITOR_ID, SERVER_DB, type ClusterTracker, type DatabaseReplaced } from './cluster-tracker.ts';
import type { ClientEvents, OvsdbLogger } from './client-options.ts';
import { DisconnectedError } from './errors.ts';
import type { Remote } from './remote.ts';
import type { ReplicaSet } from './replica-set.ts';
import type { RpcConnection } from './rpc-connection.ts';

/** The client, as seen from here: where it is connected and whom to tell. */
export type FollowingClient = EventEmitter<ClientEvents> & { readonly remote: Remote };

export class ClusterFollower {
  readonly #client: FollowingClient;
  readonly #tracker: ClusterTracker;
  readonly #replicas: ReplicaSet;
  readonly #log: OvsdbLogger;

  constructor(client: FollowingClient, tracker: ClusterTracker, replicas: ReplicaSet, log: OvsdbLogger) {
    this.#client = client;
    this.#tracker = tracker;
    this.#replicas = replicas;
    this.#log = log;
  }

  /** Handles a notification of the `_Server` monitor; false if it belongs to another monitor. */
  handleNotification(conn: RpcConnection, method: string, params: unknown[]): boolean {
    if (params[0] !== CLUSTER_MONITOR_ID) return false;
    if (method === 'update2') this.#onClusterUpdate(conn, params);
    else if (method === 'monitor_canceled')
      conn.close(new DisconnectedError(`server canceled the ${SERVER_DB} monitor`));
    return true;
  }

  /** The same monitors on a re-created database would resume from a transaction it never had: start over. */
  onReplaced(r: DatabaseReplaced): void {
    for (const replica of this.#replicas.list()) if (replica.db === r.db) replica.forgetTxnId();
    this.#log.warn(
      { remote: this.#client.remote.text, db: r.db, from: r.from, to: r.to },
      'ovsdb database re-created (new cluster id)',
    );
    this.#client.emit('databaseReplaced', r);
  }

  #onClusterUpdate(conn: RpcConnection, params: unknown[]): void {
    const update = this.#tracker.notify(params);
    const reason = update.leave ?? (update.replaced.length > 0 ? 'the database was re-created' : undefined);
    if (update.leave === undefined) for (const r of update.replaced) this.onReplaced(r);
    if (reason === undefined) return;
    const remote = this.#client.remote.text;
    this.#log.warn({ remote, reason }, 'leaving ovsdb member');
    this.#client.emit('memberLeft', { remote, reason });
    conn.close(new DisconnectedError(`left ${remote}: ${reason}`));
  }
}
