// The mirror, level-triggered and keyed once for the whole of OVN: read the
// snapshot and the informer caches, then the pure steps of mirror/ (buildDesired,
// planMirror, holdDeletesWhileUnsynced, dropWritesAlreadyMade), then delete,
// then apply. This file only does the I/O. Bursts of OVSDB updates coalesce in the work queue into
// one pass. Problems go to the ProblemBook (→ conditions) and, when new, become
// Warning Events and error counts.
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import { API_GROUP_VERSION, EvpnErrorCode, OPERATOR_FIELD_MANAGER } from '../../crds/index.ts';
import type { ReconcileResult } from '../../lib/controller/controller.ts';
import { applyObject, deleteObject, getObject } from '../../lib/kube/apply.ts';
import { isConflict, isNotFound } from '../../lib/kube/kube-client.ts';
import type { EventRecorder } from '../../lib/kube/events.ts';
import type { KubeClient } from '../../lib/kube/kube-client.ts';
import { coreResources, resourcePath, type KubeObject } from '../../lib/kube/resource.ts';
import { errorMessage, type Logger } from '../../lib/log.ts';
import { desiredFromParts, ovnPartsOf, type MirrorProblem, type OvnParts } from '../mirror/build-desired.ts';
import { IncrementalParts } from '../mirror/incremental-parts.ts';
import type { NetworkRows } from '../ovn-source/network-rows.ts';
import type { OvnSnapshot } from '../ovn-source/ovn-snapshot.ts';
import { withNodeNames, type NodeNameMode } from '../ovn-source/node-names.ts';
import type { OperatorMetrics } from '../operator-metrics.ts';
import { evpnResources } from '../../crds/resources.ts';
import type { Live } from '../object-key.ts';
import { desiredFingerprint, planMirror, type DesiredObject, type MirrorKind, type PlannedDelete } from '../mirror/plan-mirror.ts';
import { errorCodeOf, type ProblemBook } from './problem-book.ts';
import { WriteExpectations } from './write-expectations.ts';
import { dropWritesAlreadyMade, isOwnEcho, type EchoedObject, type WritesToDo } from '../mirror/echo-filter.ts';
import { holdDeletesWhileUnsynced } from '../mirror/hold-deletes.ts';
import { keepValidDesired } from '../mirror/keep-valid-desired.ts';
import { CONFIRM_DELETE_ANNOTATION, DEFAULT_MASS_DELETE_POLICY, guardMassDeletes, heldSinceFromConditions, type MassDeletePolicy } from '../mirror/mass-delete-guard.ts';
import { isMirroredObject, type LiveObject } from '../mirror/plan-mirror.ts';
import { isImpostor, withoutImpostorLabels } from './ownership.ts';
import { objectKey } from '../../crds/object-key.ts';

/** What the reconciler needs from the OVN adapter. */
export interface MirrorSource {
  snapshot(): OvnSnapshot;
  /**
   * OVN's rows by network, when the source indexes them: each pass then
   * recomputes only the networks changed since the last one, and every
   * `fullResyncMs` all of them from a fresh read of the databases (`resync`).
   */
  networkRows?(): NetworkRows & { resync(): void };
  isSynced(): boolean;
  takePendingSince(): number | undefined;
  restorePendingSince(t: number | undefined): void;
}

/** What it needs from an informer. */
export interface ObjectCache<T> {
  list(): T[];
}

export interface MirrorReconcilerOptions {
  readonly client: KubeClient;
  readonly source: MirrorSource;
  readonly vrfs: ObjectCache<Live<EvpnVrf>>;
  readonly networks: ObjectCache<Live<EvpnNetwork>>;
  readonly portSets: ObjectCache<Live<EvpnPortSet>>;
  readonly problems: ProblemBook;
  readonly events: EventRecorder;
  /** The recorder's reportingController, to recognise our own past events. */
  readonly reportingController: string;
  /** Where events about these cluster-scoped objects go (default: default). */
  readonly eventNamespace?: string;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  readonly nodeNames: NodeNameMode;
  readonly l3vniOffset?: number | undefined;
  readonly pruneGraceMs: number;
  /** The mass-deletion guard (mirror/mass-delete-guard.ts). */
  readonly massDelete?: MassDeletePolicy;
  /** Parallel writes per phase. */
  readonly writeConcurrency?: number;
  /** How often every network is recomputed from a fresh read of OVN (default 5 min). */
  readonly fullResyncMs?: number;
  readonly now?: () => number;
}

const PRUNE_CONFLICT_RETRY_MS = 200;
export const DEFAULT_FULL_RESYNC_MS = 5 * 60_000;
/** Server-side applies in flight per phase: the initial mirror of 6,000 objects is bound by round trips, not by the API server. */
export const DEFAULT_WRITE_CONCURRENCY = 32;
const CONFIRM_POLL_MS = 1000;

const RESOURCE = { EvpnVrf: evpnResources.vrfs, EvpnNetwork: evpnResources.networks, EvpnPortSet: evpnResources.portSets } as const;

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

export class MirrorReconciler {
  readonly #o: MirrorReconcilerOptions;
  readonly #expect = new WriteExpectations();
  readonly #now: () => number;
  #missingSince = new Map<string, number>();
  #massHeldSince: number | undefined;
  /** A prune met a changed object (409): look again soon, with the informer's newer copy. */
  #pruneConflicts = 0;
  #noticesSeen = new Set<string>();
  #firstPass = true;
  #parts: IncrementalParts | undefined;
  /** When the last full pass began (performance.now()). */
  #lastFullPass = -Infinity;

  /** An informer event that only echoes this reconciler's own write or delete. */
  isOwnEcho(kind: string, obj: EchoedObject, deleted = false): boolean {
    return isOwnEcho(this.#expect, kind, obj, deleted);
  }
  #skippedLogged = new Set<string>();
  readonly #codesSeen = new Set<string>();
  #recordedEvents = new Set<string>();

  constructor(options: MirrorReconcilerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async reconcile(signal: AbortSignal): Promise<ReconcileResult | undefined> {
    const since = this.#o.source.takePendingSince();
    try {
      return await this.#reconcile(signal, since);
    } catch (err) {
      this.#o.source.restorePendingSince(since);
      throw err;
    }
  }

  async #reconcile(signal: AbortSignal, since: number | undefined): Promise<ReconcileResult | undefined> {
    const o = this.#o;
    // A labelled object our field manager never applied is a user's copy: seen as user-authored from here on.
    const vrfs = withoutImpostorLabels(o.vrfs.list());
    const networks = withoutImpostorLabels(o.networks.list());
    const portSets = withoutImpostorLabels(o.portSets.list());
    const built = desiredFromParts(this.#ovnParts(), {
      networks, vrfs, ...(o.l3vniOffset === undefined ? {} : { l3vniOffset: o.l3vniOffset }),
    });
    // Nothing the API server would refuse is written, and nothing is pruned because its new spec is bad.
    const valid = keepValidDesired(built, { vrfs, networks, portSets });
    const desired = { ...built, ...valid.desired, problems: [...built.problems, ...valid.problems] };
    const now = this.#now();
    this.#adoptHeldDeletes({ vrfs, networks, portSets });
    const plan = planMirror({ desired, live: { vrfs, networks, portSets }, missingSince: this.#missingSince, now, graceMs: o.pruneGraceMs });
    const hold = holdDeletesWhileUnsynced({
      synced: o.source.isSynced(), deletes: plan.deletes, missingSince: plan.missingSince,
      previouslyMissing: this.#missingSince, nextCheckInMs: plan.nextCheckInMs, now,
    });
    if (hold.held > 0) o.log.info({ deletes: hold.held }, 'ovn not synced, holding deletes');
    const guard = this.#guardMassDeletes(hold.deletes, hold.missingSince, { vrfs, networks, portSets }, built, now);
    this.#missingSince = guard.missingSince;
    const heldProblems = this.#heldProblems(guard.held, guard.heldSince, guard.releaseInMs, now);
    // While deletes are held, look every second: an annotation alone does not start a mirror pass.
    const nextCheckInMs = guard.releaseInMs === undefined ? hold.nextCheckInMs : Math.min(hold.nextCheckInMs ?? Infinity, guard.releaseInMs, CONFIRM_POLL_MS);

    const live = new Map<string, KubeObject>();
    for (const [kind, list] of [['EvpnVrf', vrfs], ['EvpnNetwork', networks], ['EvpnPortSet', portSets]] as const) {
      for (const obj of list) live.set(objectKey(kind, obj.metadata.name), obj);
    }
    this.#expect.pruneDeletes(new Set(live.keys()));
    const todo = dropWritesAlreadyMade({ applies: plan.applies, deletes: guard.deletes }, live, this.#expect);
    this.#expect.forget(todo.stale);

    this.#pruneConflicts = 0;
    const errors = await this.#write(todo, live, signal);
    const writes = todo.deletes.length + todo.applies.length - errors.length;
    if (since !== undefined && writes > 0) o.metrics.ovnToCrLatency.observe({}, (performance.now() - since) / 1000);
    await this.#report([...desired.problems, ...heldProblems], built.notices, live, signal);
    this.#noteSkipped(plan.skipped);
    o.metrics.mirroredObjects.set({ kind: 'EvpnVrf' }, desired.vrfs.size);
    o.metrics.mirroredObjects.set({ kind: 'EvpnNetwork' }, desired.networks.size);
    o.metrics.mirroredObjects.set({ kind: 'EvpnPortSet' }, desired.portSets.size);
    o.metrics.mirroredPorts.set({}, [...desired.portSets.values()].reduce((n, p) => n + p.ports.length, 0));
    if (todo.deletes.length + todo.applies.length > 0 || errors.length > 0) {
      o.log.info({ applied: todo.applies.length, deleted: todo.deletes.length, failed: errors.length, pendingDeletes: this.#missingSince.size, problems: desired.problems.length }, 'mirror reconciled');
    }
    if (errors.length > 0) {
      const first = errors[0];
      throw new Error(`${errors.length} mirror write(s) failed; first: ${errorMessage(first)}`, { cause: first });
    }
    return this.#requeue(nextCheckInMs);
  }

  /** When to look again: a due delete, a prune conflict, or the next full pass. */
  #requeue(nextCheckInMs: number | undefined): ReconcileResult | undefined {
    const forDeletes = this.#pruneConflicts > 0 ? Math.min(nextCheckInMs ?? Infinity, PRUNE_CONFLICT_RETRY_MS) : nextCheckInMs ?? Infinity;
    const retryMs = Math.min(forDeletes, this.#untilFullPass());
    return retryMs === Infinity ? undefined : { requeueAfterMs: Math.max(10, Math.ceil(retryMs)) };
  }

  /**
   * OVN's parts: from the source's index, recomputing the networks changed since
   * the last pass (all of them, from a fresh read, every fullResyncMs); from a
   * whole snapshot when the source keeps no index.
   */
  #ovnParts(): OvnParts {
    const o = this.#o;
    const rows = o.source.networkRows?.();
    if (rows === undefined) return ovnPartsOf(withNodeNames(o.source.snapshot(), o.nodeNames));
    this.#parts ??= new IncrementalParts({ mapSnapshot: (s) => withNodeNames(s, o.nodeNames) });
    if (this.#untilFullPass() <= 0) {
      // The first pass reads the index as the source built it at start: already a full read.
      if (this.#lastFullPass !== -Infinity) rows.resync();
      this.#lastFullPass = performance.now();
    }
    const parts = this.#parts.update(rows);
    o.metrics.mirrorNetworksRecomputed.inc({}, this.#parts.lastRecomputed);
    return parts;
  }

  /** Milliseconds until the next full pass is due (Infinity without an index). */
  #untilFullPass(): number {
    if (this.#o.source.networkRows === undefined) return Infinity;
    return this.#lastFullPass + (this.#o.fullResyncMs ?? DEFAULT_FULL_RESYNC_MS) - performance.now();
  }

  /**
   * A restarted (or newly elected) operator adopts the deletes an earlier
   * process held: those objects have been missing at least since the hold
   * began, so they are past their prune grace and held again at once, with the
   * same condition, instead of flipping to "healthy" and back.
   */
  #adoptHeldDeletes(live: LiveLists): void {
    if (this.#massHeldSince !== undefined) return;
    for (const [kind, list] of [['EvpnVrf', live.vrfs], ['EvpnNetwork', live.networks], ['EvpnPortSet', live.portSets]] as const) {
      for (const obj of list) {
        const since = heldSinceFromConditions([obj as { status?: { conditions?: { reason?: string; message?: string }[] } }]);
        const key = objectKey(kind, obj.metadata.name);
        if (since !== undefined && !this.#missingSince.has(key)) this.#missingSince.set(key, since);
      }
    }
  }

  #guardMassDeletes(
    deletes: readonly PlannedDelete[], missingSince: ReadonlyMap<string, number>, live: LiveLists,
    desired: { vrfs: ReadonlyMap<string, unknown>; networks: ReadonlyMap<string, unknown>; portSets: ReadonlyMap<string, unknown> }, now: number,
  ): ReturnType<typeof guardMassDeletes> {
    const all = [...live.vrfs.map((v) => ['EvpnVrf', v] as const), ...live.networks.map((n) => ['EvpnNetwork', n] as const), ...live.portSets.map((p) => ['EvpnPortSet', p] as const)];
    const mirrored = all.filter(([, obj]) => isMirroredObject(obj));
    const confirmed = new Set(mirrored.filter(([, obj]) => obj.metadata.annotations?.[CONFIRM_DELETE_ANNOTATION] === 'true').map(([kind, obj]) => objectKey(kind, obj.metadata.name)));
    this.#massHeldSince ??= heldSinceFromConditions(mirrored.map(([, obj]) => obj as { status?: { conditions?: { reason?: string; message?: string }[] } }));
    const wasHeld = this.#massHeldSince !== undefined;
    // A port set whose network is still wanted goes because its ports moved (a node drained): not a loss to guard.
    const networkOf = new Map(live.portSets.map((p) => [p.metadata.name, p.spec.network]));
    const isPortMove = (d: PlannedDelete): boolean => d.kind === 'EvpnPortSet' && desired.networks.has(networkOf.get(d.name) ?? '');
    const guarded = guardMassDeletes({
      deletes: deletes.filter((d) => !isPortMove(d)), mirroredCount: mirrored.length, sourceEmpty: desired.vrfs.size + desired.networks.size + desired.portSets.size === 0,
      confirmed, heldSince: this.#massHeldSince, missingSince, previouslyMissing: this.#missingSince, now,
      policy: this.#o.massDelete ?? DEFAULT_MASS_DELETE_POLICY,
    });
    const guard = { ...guarded, deletes: [...deletes.filter(isPortMove), ...guarded.deletes] };
    this.#massHeldSince = guard.heldSince;
    this.#o.metrics.heldDeletes.set({}, guard.held.length);
    if (guard.held.length > 0 && !wasHeld) this.#o.log.warn({ held: guard.held.length, mirrored: mirrored.length, why: guard.why }, 'mass deletion held');
    if (guard.held.length === 0 && wasHeld && guard.deletes.length > 0) this.#o.log.warn({ deletes: guard.deletes.length }, 'mass deletion hold over, deleting');
    return guard;
  }

  /** A condition (SourceDegraded) and an Event on each held network and VRF; port sets are counted in the metric. */
  #heldProblems(held: readonly PlannedDelete[], heldSince: number | undefined, releaseInMs: number | undefined, now: number): MirrorProblem[] {
    if (held.length === 0 || heldSince === undefined) return [];
    const until = new Date(now + (releaseInMs ?? 0)).toISOString();
    return held.filter((d) => d.kind !== 'EvpnPortSet').map((d): MirrorProblem => ({
      kind: d.kind as MirrorProblem['kind'], name: d.name, reason: 'DeletesHeld', keptLastGood: true,
      message: `${EvpnErrorCode.NotFound}: gone from OVN, but its delete is held: a mass deletion began at ` +
        `${new Date(heldSince).toISOString()}; it is deleted at ${until} if OVN stays this way, or now with the annotation ${CONFIRM_DELETE_ANNOTATION}=true`,
    }));
  }

  /** Associations accepted with a fallback: one Normal Event each, while they last. */
  #notify(notices: readonly MirrorProblem[], live: ReadonlyMap<string, KubeObject>): void {
    const now = new Set<string>();
    for (const n of notices) {
      const id = eventIdentity(n.kind, n.name, n.reason, n.message);
      now.add(id);
      // Seen in this process, or recorded before it started (restart, failover).
      if (this.#noticesSeen.has(id) || this.#recordedEvents.has(eventIdentity(n.kind, n.name, n.reason, n.message.slice(0, 1024)))) continue;
      const uid = live.get(objectKey(n.kind, n.name))?.metadata.uid;
      this.#o.events.normal({ apiVersion: API_GROUP_VERSION, kind: n.kind, name: n.name, ...(uid === undefined ? {} : { uid }) }, n.reason, 'Mirror', n.message);
    }
    this.#noticesSeen = now;
  }

  /** Removes, then updates and creates: VRFs before the networks that use them, networks before their port sets. */
  async #write(todo: WritesToDo, live: ReadonlyMap<string, KubeObject>, signal: AbortSignal): Promise<unknown[]> {
    const limit = this.#o.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY;
    const errors: unknown[] = [];
    errors.push(...(await runLimited(todo.deletes, limit, (d) => this.#delete(d, live.get(objectKey(d.kind, d.name))?.metadata.resourceVersion, signal))));
    for (const kind of ['EvpnVrf', 'EvpnNetwork', 'EvpnPortSet'] as const) {
      errors.push(...(await runLimited(todo.applies.filter((a) => a.kind === kind), limit, (a) => this.#apply(a, live.get(objectKey(kind, a.name)), signal))));
    }
    return errors;
  }

  async #apply(d: DesiredObject, current: KubeObject | undefined, signal: AbortSignal): Promise<void> {
    const key = objectKey(d.kind, d.name);
    // No force on create: should a user's object of this name appear before our cache shows it, the apiserver
    // answers with a conflict instead of handing us its fields. Force on update only: `current` is ours (labelled
    // and applied by our field manager, see ownership.ts), and OVN is the source of its spec, so fields a person
    // changed on a mirrored object are taken back.
    const result = await applyObject<KubeObject>(this.#o.client, RESOURCE[d.kind], { metadata: { name: d.name, labels: { ...d.labels } }, spec: d.spec }, {
      fieldManager: OPERATOR_FIELD_MANAGER, force: current !== undefined, signal,
    });
    this.#expect.recordWrite(key, current?.metadata.resourceVersion, result.metadata.resourceVersion, desiredFingerprint(d));
    this.#o.metrics.mirrorWrites.inc({ kind: d.kind, verb: current === undefined ? 'create' : 'update' });
    this.#o.log.debug({ kind: d.kind, name: d.name, created: current === undefined }, 'applied mirrored object');
  }

  async #delete(d: PlannedDelete, resourceVersion: string | undefined, signal: AbortSignal): Promise<void> {
    // Only the object the plan looked at: not a namesake created since (uid), not one changed since (resourceVersion:
    // a person may just have taken it over). Our own status writes change the resourceVersion too, so on 409 the
    // object is read again and deleted only if it is still the same object and still ours.
    const resource = RESOURCE[d.kind];
    try {
      if (!(await deleteObject(this.#o.client, resource, { name: d.name }, signal, { uid: d.uid, resourceVersion }))) return;
    } catch (err) {
      if (!isConflict(err)) throw err;
      const fresh = await getObject<KubeObject>(this.#o.client, resource, { name: d.name }, signal).catch((e: unknown) => {
        if (isNotFound(e)) return undefined;
        throw e;
      });
      if (fresh === undefined) return;
      const stillOurs = fresh.metadata.uid === d.uid && fresh.metadata.deletionTimestamp === undefined && !isImpostor(fresh) && isMirroredObject(fresh as LiveObject);
      if (!stillOurs) {
        this.#o.log.warn({ kind: d.kind, name: d.name }, 'prune skipped: the object was replaced or taken over since it was read');
        this.#pruneConflicts++;
        return;
      }
      try {
        await deleteObject(this.#o.client, resource, { name: d.name }, signal, { uid: d.uid, resourceVersion: fresh.metadata.resourceVersion });
      } catch (again) {
        if (!isConflict(again)) throw again;
        this.#o.log.info({ kind: d.kind, name: d.name }, 'prune deferred: the object keeps changing');
        this.#pruneConflicts++;
        return;
      }
    }
    this.#expect.recordDelete(objectKey(d.kind, d.name), d.uid);
    this.#o.metrics.mirrorWrites.inc({ kind: d.kind, verb: 'delete' });
    this.#o.log.info({ kind: d.kind, name: d.name }, 'pruned mirrored object no longer in OVN');
  }

  /**
   * Events this controller already recorded (still within the apiserver's event
   * TTL), read once after start so a restart or failover does not repeat them.
   */
  async #loadRecordedEvents(signal: AbortSignal): Promise<Set<string>> {
    const seen = new Set<string>();
    try {
      const list = await this.#o.client.listAll<RecordedEvent>(resourcePath(coreResources.events, { namespace: this.#o.eventNamespace ?? 'default' }), {}, signal);
      for (const e of list.items) {
        if (e.reportingController !== this.#o.reportingController || e.regarding === undefined) continue;
        seen.add(eventIdentity(e.regarding.kind, e.regarding.name, e.reason ?? '', e.note ?? ''));
      }
    } catch (err) {
      this.#o.log.warn({ err: errorMessage(err) }, 'cannot list past events; problems will be reported again');
    }
    return seen;
  }

  async #report(problems: readonly MirrorProblem[], notices: readonly MirrorProblem[], live: ReadonlyMap<string, KubeObject>, signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const fresh = o.problems.replace(problems);
    if (this.#firstPass && (fresh.length > 0 || notices.length > 0)) this.#recordedEvents = await this.#loadRecordedEvents(signal);
    const current = new Map<string, number>();
    for (const p of problems) current.set(errorCodeOf(p.message), (current.get(errorCodeOf(p.message)) ?? 0) + 1);
    for (const code of new Set([...current.keys(), ...this.#codesSeen])) {
      this.#codesSeen.add(code);
      o.metrics.problems.set({ code }, current.get(code) ?? 0);
    }
    for (const p of fresh) {
      o.metrics.errors.inc({ code: errorCodeOf(p.message) });
      const obj = live.get(objectKey(p.kind, p.name));
      // Reported before this process started (restart, failover).
      if (this.#recordedEvents.has(eventIdentity(p.kind, p.name, p.reason, p.message.slice(0, 1024)))) continue;
      o.log.warn({ kind: p.kind, name: p.name, reason: p.reason, code: errorCodeOf(p.message), detail: p.message }, 'ovn association problem');
      o.events.warning(
        { apiVersion: API_GROUP_VERSION, kind: p.kind, name: p.name, ...(obj?.metadata.uid === undefined ? {} : { uid: obj.metadata.uid }) },
        p.reason, 'Mirror', p.message,
      );
    }
    this.#notify(notices, live);
    this.#firstPass = false;
    this.#recordedEvents.clear();
  }

  #noteSkipped(skipped: readonly { kind: MirrorKind; name: string; reason: string }[]): void {
    const now = new Set(skipped.map((s) => objectKey(s.kind, s.name)));
    for (const s of skipped) {
      const key = objectKey(s.kind, s.name);
      if (this.#skippedLogged.has(key)) continue;
      this.#o.log.warn({ kind: s.kind, name: s.name, why: s.reason }, 'mirrored object not written');
    }
    this.#skippedLogged = now;
  }
}

interface LiveLists {
  readonly vrfs: readonly Live<EvpnVrf>[];
  readonly networks: readonly Live<EvpnNetwork>[];
  readonly portSets: readonly Live<EvpnPortSet>[];
}

interface RecordedEvent {
  readonly reportingController?: string;
  readonly reason?: string;
  readonly note?: string;
  readonly regarding?: { readonly kind: string; readonly name: string };
}

const eventIdentity = (kind: string, name: string, reason: string, note: string): string => JSON.stringify([kind, name, reason, note]);
