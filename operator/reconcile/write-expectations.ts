// What the operator just wrote, remembered until its informer has caught up.
// Informer caches lag writes by a watch round trip; without this, a reconcile
// that runs in that window sees the old object and writes the same thing again.
// (controller-runtime calls the same idea "expectations".) This is the state
// only; the decisions made from it are the pure functions of
// mirror/echo-filter.ts.
import {
  isExpectationStale,
  isWriteMade,
  type ExpectationView,
  type ExpectedWrite,
  type StaleExpectations,
} from '../mirror/echo-filter.ts';

export class WriteExpectations implements ExpectationView {
  readonly #writes = new Map<string, ExpectedWrite>();
  readonly #deletes = new Map<string, string | undefined>();

  recordWrite(key: string, before: string | undefined, after: string | undefined, fingerprint: string): void {
    this.#writes.set(key, { before, after, fingerprint });
  }

  recordDelete(key: string, uid: string | undefined): void {
    this.#deletes.set(key, uid);
    this.#writes.delete(key);
  }

  /**
   * True when `liveVersion` is the version from before our own write of exactly
   * `fingerprint`; forgets the write once the cache has moved past it.
   */
  alreadyWritten(key: string, liveVersion: string | undefined, fingerprint: string): boolean {
    const e = this.#writes.get(key);
    if (isExpectationStale(e, liveVersion)) this.#writes.delete(key);
    return isWriteMade(e, liveVersion, fingerprint);
  }

  write(key: string): ExpectedWrite | undefined {
    return this.#writes.get(key);
  }

  deleted(key: string): { readonly uid: string | undefined } | undefined {
    return this.#deletes.has(key) ? { uid: this.#deletes.get(key) } : undefined;
  }

  /** Drops what the cache has overtaken (see dropWritesAlreadyMade). */
  forget(stale: StaleExpectations): void {
    for (const key of stale.writes) this.#writes.delete(key);
    for (const key of stale.deletes) this.#deletes.delete(key);
  }

  /** Forgets deletes of objects the cache no longer has. */
  pruneDeletes(liveKeys: ReadonlySet<string>): void {
    for (const key of this.#deletes.keys()) if (!liveKeys.has(key)) this.#deletes.delete(key);
  }

  get size(): number {
    return this.#writes.size + this.#deletes.size;
  }
}
