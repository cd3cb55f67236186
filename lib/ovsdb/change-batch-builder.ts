// Collects the rows added, modified and removed by one application of updates,
// per table, into the ChangeBatch the replica store returns.
import type { ChangeBatch, ChangeKind, Row } from './replica-store.ts';

export class BatchBuilder {
  readonly #tables = new Map<string, { added: Row[]; modified: { old: Row; new: Row }[]; removed: Row[] }>();

  #table(name: string): { added: Row[]; modified: { old: Row; new: Row }[]; removed: Row[] } {
    let t = this.#tables.get(name);
    if (t === undefined) {
      t = { added: [], modified: [], removed: [] };
      this.#tables.set(name, t);
    }
    return t;
  }
  added(table: string, row: Row): void {
    this.#table(table).added.push(row);
  }
  modified(table: string, old: Row, row: Row): void {
    this.#table(table).modified.push({ old, new: row });
  }
  removed(table: string, row: Row): void {
    this.#table(table).removed.push(row);
  }
  get empty(): boolean {
    return this.#tables.size === 0;
  }
  tableNames(): string[] {
    return [...this.#tables.keys()];
  }
  build(version: number, kind: ChangeKind): ChangeBatch {
    return { version, kind, tables: Object.fromEntries(this.#tables) };
  }
}
