// OvnIndex's row store: a network's rows must come out in the replica's order so
// that the mirror gives for one network what it gives over the whole snapshot.

/** Converted rows of one table with their replica order (insertion sequence). */
export class Table<R extends { uuid: string }> {
  readonly rows = new Map<string, R>();
  readonly #seq = new Map<string, number>();
  #next = 0;
  set(row: R): void {
    if (!this.#seq.has(row.uuid)) this.#seq.set(row.uuid, this.#next++);
    this.rows.set(row.uuid, row);
  }
  /** Removes the row but keeps its place: a modify removes, then sets the new version where the old one was. */
  delete(uuid: string): void {
    this.rows.delete(uuid);
  }
  /** Forgets a removed row's place. */
  forget(uuid: string): void {
    this.#seq.delete(uuid);
  }
  clear(): void {
    this.rows.clear();
    this.#seq.clear();
  }
  /** The rows of these uuids that exist, in replica order. */
  ordered(uuids: Iterable<string>): R[] {
    const out: R[] = [];
    for (const u of new Set(uuids)) {
      const r = this.rows.get(u);
      if (r !== undefined) out.push(r);
    }
    return out.sort((a, b) => (this.#seq.get(a.uuid) ?? 0) - (this.#seq.get(b.uuid) ?? 0));
  }
}
