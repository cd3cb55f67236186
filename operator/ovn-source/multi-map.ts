/**
 * A key → set of values index. Most keys have one value (a port's switch, a
 * port name's binding): those are kept without a Set, which costs ~200 bytes
 * each (30,000 keys at 10,000 ports).
 */
export class MultiMap<K, V> {
  readonly #one = new Map<K, V>();
  readonly #many = new Map<K, Set<V>>();
  add(k: K, v: V): void {
    const s = this.#many.get(k);
    if (s !== undefined) {
      s.add(v);
      return;
    }
    if (!this.#one.has(k)) {
      this.#one.set(k, v);
      return;
    }
    const first = this.#one.get(k) as V;
    if (first === v) return;
    this.#one.delete(k);
    this.#many.set(k, new Set([first, v]));
  }
  delete(k: K, v: V): void {
    if (this.#one.has(k)) {
      if (this.#one.get(k) === v) this.#one.delete(k);
      return;
    }
    const s = this.#many.get(k);
    if (s === undefined) return;
    s.delete(v);
    if (s.size === 0) this.#many.delete(k);
  }
  get(k: K): ReadonlySet<V> {
    if (this.#one.has(k)) return new Set([this.#one.get(k) as V]);
    return this.#many.get(k) ?? EMPTY;
  }
  *keys(): IterableIterator<K> {
    yield* this.#one.keys();
    yield* this.#many.keys();
  }
  clear(): void {
    this.#one.clear();
    this.#many.clear();
  }
}
const EMPTY: ReadonlySet<never> = new Set();
