// The schemas of one connection, fetched once per database. A fetch that fails is
// forgotten, so the next call asks again; a new connection starts a new cache.
import { parseDatabaseSchema, type DatabaseSchema } from './schema.ts';

export class SchemaCache {
  #schemas = new Map<string, Promise<DatabaseSchema>>();

  /** The schema of `db`; `fetch` (called at once, so it may throw) asks the server when it is not cached. */
  get(db: string, fetch: () => Promise<unknown>): Promise<DatabaseSchema> {
    let schema = this.#schemas.get(db);
    if (schema === undefined) {
      schema = fetch().then(parseDatabaseSchema);
      this.#schemas.set(db, schema);
      schema.catch(() => {
        if (this.#schemas.get(db) === schema) this.#schemas.delete(db);
      });
    }
    return schema;
  }

  /** Forgets every schema; fetches still in flight are not cached. */
  clear(): void {
    this.#schemas = new Map();
  }
}
