// The echo filter, pure: which planned writes the operator has already made
// (its informer cache is a watch round trip behind), and which informer events
// only bring its own writes back. The state it reads is WriteExpectations.
import type { DesiredObject, PlannedDelete } from './plan-mirror.ts';
import { desiredFingerprint } from './plan-mirror.ts';
import { objectKey } from '../../crds/object-key.ts';

export interface ExpectedWrite {
  /** resourceVersion the object had when we wrote (undefined: it did not exist). */
  readonly before: string | undefined;
  /** resourceVersion the apiserver returned. */
  readonly after: string | undefined;
  readonly fingerprint: string;
}

/** Read access to what was written and deleted, by `Kind/name`. */
export interface ExpectationView {
  write(key: string): ExpectedWrite | undefined;
  deleted(key: string): { readonly uid: string | undefined } | undefined;
}

/** Expectations the cache has caught up with (or overtaken): to forget. */
export interface StaleExpectations {
  readonly writes: readonly string[];
  readonly deletes: readonly string[];
}

export interface WritesToDo {
  readonly applies: DesiredObject[];
  readonly deletes: PlannedDelete[];
  readonly stale: StaleExpectations;
}

/**
 * The plan's writes minus those already made: an apply whose live object still
 * has the resourceVersion from before our write of exactly this content, a
 * delete while the cache still shows the object we deleted (same uid). An
 * expectation whose object has moved on is returned as stale.
 */
export function dropWritesAlreadyMade(
  plan: { readonly applies: readonly DesiredObject[]; readonly deletes: readonly PlannedDelete[] },
  live: ReadonlyMap<string, { readonly metadata: { readonly resourceVersion?: string | undefined } }>,
  expected: ExpectationView,
): WritesToDo {
  const staleWrites: string[] = [];
  const staleDeletes: string[] = [];
  const deletes = plan.deletes.filter((d) => {
    const key = objectKey(d.kind, d.name);
    const e = expected.deleted(key);
    if (e === undefined) return true;
    if (e.uid === d.uid) return false;
    staleDeletes.push(key);
    return true;
  });
  const applies = plan.applies.filter((a) => {
    const key = objectKey(a.kind, a.name);
    const e = expected.write(key);
    const liveVersion = live.get(key)?.metadata.resourceVersion;
    if (isExpectationStale(e, liveVersion)) staleWrites.push(key);
    return !isWriteMade(e, liveVersion, desiredFingerprint(a));
  });
  return { applies, deletes, stale: { writes: staleWrites, deletes: staleDeletes } };
}

/**
 * True when `liveVersion` is the version from before our own write of exactly
 * `fingerprint`: the cache is behind, and the write is already done.
 */
export function isWriteMade(
  e: ExpectedWrite | undefined,
  liveVersion: string | undefined,
  fingerprint: string,
): boolean {
  return e !== undefined && liveVersion === e.before && e.fingerprint === fingerprint;
}

/** The cache has our write or something newer: compare against it from now on. */
export function isExpectationStale(e: ExpectedWrite | undefined, liveVersion: string | undefined): boolean {
  return e !== undefined && liveVersion !== e.before;
}

/** The part of an informer object the echo check reads. */
export interface EchoedObject {
  readonly metadata: {
    readonly name?: string | undefined;
    readonly resourceVersion?: string | undefined;
    readonly uid?: string | undefined;
  };
}

/**
 * True when an informer event only shows our own write coming back (the object
 * now has the resourceVersion the apiserver answered us with) or our own delete
 * (same uid): nothing changed that the mirror does not already know.
 */
export function isOwnEcho(expected: ExpectationView, kind: string, obj: EchoedObject, deleted = false): boolean {
  const key = objectKey(kind, obj.metadata.name ?? '');
  const uid = obj.metadata.uid;
  if (deleted && uid !== undefined) {
    const d = expected.deleted(key);
    return d !== undefined && d.uid === uid;
  }
  const rv = deleted ? undefined : obj.metadata.resourceVersion;
  return rv !== undefined && expected.write(key)?.after === rv;
}
