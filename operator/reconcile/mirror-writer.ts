// The mirror's writes to the apiserver: deletes first, then applies, VRFs
// before the networks that use them, networks before their port sets; each
// phase with bounded parallelism. Every write is recorded in the write
// expectations, so the informer's echo of it does not start another pass.
import { OPERATOR_FIELD_MANAGER } from '../../crds/index.ts';
import { objectKey } from '../../crds/object-key.ts';
import { evpnResources } from '../../crds/resources.ts';
import { applyObject, deleteObject, getObject } from '../../lib/kube/apply.ts';
import { isConflict, isNotFound, type KubeClient } from '../../lib/kube/kube-client.ts';
import type { KubeObject } from '../../lib/kube/resource.ts';
import type { Logger } from '../../lib/log.ts';
import type { WritesToDo } from '../mirror/echo-filter.ts';
import {
  desiredFingerprint,
  isMirroredObject,
  type DesiredObject,
  type LiveObject,
  type PlannedDelete,
} from '../mirror/plan-mirror.ts';
import type { OperatorMetrics } from '../operator-metrics.ts';
import { isImpostor } from './ownership.ts';
import type { WriteExpectations } from './write-expectations.ts';

/** Server-side applies in flight per phase: the initial mirror of 6,000 objects is bound by round trips, not by the API server. */
export const DEFAULT_WRITE_CONCURRENCY = 32;

const RESOURCE = {
  EvpnVrf: evpnResources.vrfs,
  EvpnNetwork: evpnResources.networks,
  EvpnPortSet: evpnResources.portSets,
} as const;

export interface MirrorWriterOptions {
  readonly client: KubeClient;
  readonly expect: WriteExpectations;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  /** Parallel writes per phase. */
  readonly concurrency?: number | undefined;
}

export interface WriteOutcome {
  readonly errors: unknown[];
  /** Prunes that met a changed object (409): the pass looks again soon, with the informer's newer copy. */
  readonly pruneConflicts: number;
}

async function runLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<unknown[]> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return errors;
}

export class MirrorWriter {
  readonly #o: MirrorWriterOptions;

  constructor(options: MirrorWriterOptions) {
    this.#o = options;
  }

  /** Removes, then updates and creates: VRFs before the networks that use them, networks before their port sets. */
  async write(todo: WritesToDo, live: ReadonlyMap<string, KubeObject>, signal: AbortSignal): Promise<WriteOutcome> {
    const limit = this.#o.concurrency ?? DEFAULT_WRITE_CONCURRENCY;
    const errors: unknown[] = [];
    let pruneConflicts = 0;
    const onConflict = (): void => {
      pruneConflicts++;
    };
    errors.push(
      ...(await runLimited(todo.deletes, limit, (d) =>
        this.#delete(d, live.get(objectKey(d.kind, d.name))?.metadata.resourceVersion, signal, onConflict),
      )),
    );
    for (const kind of ['EvpnVrf', 'EvpnNetwork', 'EvpnPortSet'] as const) {
      errors.push(
        ...(await runLimited(
          todo.applies.filter((a) => a.kind === kind),
          limit,
          (a) => this.#apply(a, live.get(objectKey(kind, a.name)), signal),
        )),
      );
    }
    return { errors, pruneConflicts };
  }

  async #apply(d: DesiredObject, current: KubeObject | undefined, signal: AbortSignal): Promise<void> {
    // No force on create: should a user's object of this name appear before our cache shows it, the apiserver
    // answers with a conflict instead of handing us its fields. Force on update only: `current` is ours (labelled
    // and applied by our field manager, see ownership.ts), and OVN is the source of its spec, so fields a person
    // changed on a mirrored object are taken back.
    const result = await applyObject<KubeObject>(
      this.#o.client,
      RESOURCE[d.kind],
      { metadata: { name: d.name, labels: { ...d.labels } }, spec: d.spec },
      {
        fieldManager: OPERATOR_FIELD_MANAGER,
        force: current !== undefined,
        signal,
      },
    );
    this.#o.expect.recordWrite(
      objectKey(d.kind, d.name),
      current?.metadata.resourceVersion,
      result.metadata.resourceVersion,
      desiredFingerprint(d),
    );
    this.#o.metrics.mirrorWrites.inc({ kind: d.kind, verb: current === undefined ? 'create' : 'update' });
    this.#o.log.debug({ kind: d.kind, name: d.name, created: current === undefined }, 'applied mirrored object');
  }

  async #delete(
    d: PlannedDelete,
    resourceVersion: string | undefined,
    signal: AbortSignal,
    onConflict: () => void,
  ): Promise<void> {
    // Only the object the plan looked at: not a namesake created since (uid), not one changed since (resourceVersion:
    // a person may just have taken it over). Our own status writes change the resourceVersion too, so on 409 the
    // object is read again and deleted only if it is still the same object and still ours.
    const resource = RESOURCE[d.kind];
    try {
      if (!(await deleteObject(this.#o.client, resource, { name: d.name }, signal, { uid: d.uid, resourceVersion })))
        return;
    } catch (err) {
      if (!isConflict(err)) throw err;
      if (!(await this.#deleteAgain(d, signal, onConflict))) return;
    }
    this.#o.expect.recordDelete(objectKey(d.kind, d.name), d.uid);
    this.#o.metrics.mirrorWrites.inc({ kind: d.kind, verb: 'delete' });
    this.#o.log.info({ kind: d.kind, name: d.name }, 'pruned mirrored object no longer in OVN');
  }

  /** After a 409: deletes the object if it is still the same one and still ours; false when it was not deleted. */
  async #deleteAgain(d: PlannedDelete, signal: AbortSignal, onConflict: () => void): Promise<boolean> {
    const resource = RESOURCE[d.kind];
    const fresh = await getObject<KubeObject>(this.#o.client, resource, { name: d.name }, signal).catch(
      (e: unknown) => {
        if (isNotFound(e)) return undefined;
        throw e;
      },
    );
    if (fresh === undefined) return false;
    const stillOurs =
      fresh.metadata.uid === d.uid &&
      fresh.metadata.deletionTimestamp === undefined &&
      !isImpostor(fresh) &&
      isMirroredObject(fresh as LiveObject);
    if (!stillOurs) {
      this.#o.log.warn(
        { kind: d.kind, name: d.name },
        'prune skipped: the object was replaced or taken over since it was read',
      );
      onConflict();
      return false;
    }
    try {
      await deleteObject(this.#o.client, resource, { name: d.name }, signal, {
        uid: d.uid,
        resourceVersion: fresh.metadata.resourceVersion,
      });
    } catch (again) {
      if (!isConflict(again)) throw again;
      this.#o.log.info({ kind: d.kind, name: d.name }, 'prune deferred: the object keeps changing');
      onConflict();
      return false;
    }
    return true;
  }
}
