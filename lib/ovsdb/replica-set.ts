// The client's open monitors, by monitor id, and what it does to all of them at
// once: attach a new one, resume them on a new connection, detach them when the
// connection is lost, close them with the client.
import { transportOf } from './member-connector.ts';
import type { Row } from './replica-store.ts';
import { Replica, type MonitorMethod, type MonitorSpec } from './replica.ts';
import type { RpcConnection } from './rpc-connection.ts';
import type { DatabaseSchema } from './schema.ts';

export class ReplicaSet {
  readonly #replicas = new Map<string, Replica>();
  #unsupported = new Set<MonitorMethod>();
  #nextMonitorId = 1;

  /** A new connection may be to a server that supports other monitor methods. */
  forgetUnsupported(): void {
    this.#unsupported = new Set();
  }

  /** Registers a replica for `spec` and attaches it; it is dropped again if the attach fails. */
  async open<Rows extends Record<string, Row>>(
    conn: RpcConnection,
    schema: DatabaseSchema,
    spec: MonitorSpec<Rows>,
    onClose: (id: string) => Promise<void>,
  ): Promise<Replica<Rows>> {
    const id = `${spec.db}#${this.#nextMonitorId++}`;
    const replica = new Replica<Rows>(id, schema, spec, (r) => onClose(r.id));
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

  /** Attaches `replicas` to a new connection in turn, with fresh schemas; stops if it closes. */
  async resume(
    conn: RpcConnection,
    replicas: readonly Replica[],
    getSchema: (db: string) => Promise<DatabaseSchema>,
  ): Promise<void> {
    for (const replica of replicas) {
      if (conn.closed) return;
      const schema = await getSchema(replica.db);
      await replica.attach(transportOf(conn), schema, this.#unsupported);
    }
  }

  get(id: unknown): Replica | undefined {
    return typeof id === 'string' ? this.#replicas.get(id) : undefined;
  }

  delete(id: string): boolean {
    return this.#replicas.delete(id);
  }

  list(): Replica[] {
    return [...this.#replicas.values()];
  }

  /** Empties the set and returns what it held. */
  takeAll(): Replica[] {
    const replicas = this.list();
    this.#replicas.clear();
    return replicas;
  }
}
