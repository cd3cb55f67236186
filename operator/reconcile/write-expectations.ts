// What the operator just wrote, remembered until its informer has caught up.
// Informer caches lag writes by a watch round trip; without this, a reconcile
// that runs in that window sees the old object and writes the same thing again.
// (controller-runtime calls the same idea "expectations".)

interface ExpectedWrite {
  /** resourceVersion the object had when we wrote (undefined: it did not exist). */
  readonly before: string | undefined;
  /** resourceVersion the apiserver returned. */
  readonly after: string | undefined;
  readonly fingerprint: string;
}

export class WriteExpectations {
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
   * `fingerprint`: the cache is behind, and the write is already done.
   */
  alreadyWritten(key: string, liveVersion: string | undefined, fingerprint: string): boolean {
    const e = this.#writes.get(key);
    if (e === undefined) return false;
    if (liveVersion === e.before && e.fingerprint === fingerprint) return true;
    // The cache has our write or something newer: compare against it from now on.
    if (liveVersion !== e.before) this.#writes.delete(key);
    return false;
  }

  /** True while the cache still shows an object we deleted (same uid). */
  alreadyDeleted(key: string, liveUid: string | undefined): boolean {
    if (!this.#deletes.has(key)) return false;
    if (this.#deletes.get(key) === liveUid) return true;
    this.#deletes.delete(key);
    return false;
  }

  /**
   * True when an informer event only shows our own write coming back (the
   * object now has the resourceVersion the apiserver answered us with) or our
   * own delete: nothing changed that the mirror does not already know.
   */
  isOwnEcho(key: string, resourceVersion: string | undefined, deletedUid?: string): boolean {
    if (deletedUid !== undefined) return this.#deletes.has(key) && this.#deletes.get(key) === deletedUid;
    return resourceVersion !== undefined && this.#writes.get(key)?.after === resourceVersion;
  }

  /** Forgets deletes of objects the cache no longer has. */
  pruneDeletes(liveKeys: ReadonlySet<string>): void {
    for (const key of this.#deletes.keys()) if (!liveKeys.has(key)) this.#deletes.delete(key);
  }

  get size(): number {
    return this.#writes.size + this.#deletes.size;
  }
}
