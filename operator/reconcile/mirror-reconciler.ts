// The mirror, level-triggered and keyed once for the whole of OVN: read OVN's
// parts and the informer caches, then the pure steps of mirror/ (buildDesired,
// keepValidDesired, planMirror, holdDeletesWhileUnsynced, the mass-delete hold,
// dropWritesAlreadyMade), then the writes (mirror-writer.ts), then the report:
// problems to the ProblemBook (→ conditions), new ones as Warning Events
// (event-memory.ts keeps them one Event each), metrics and logs
// (mirror-report.ts). This file sequences the units and does the I/O that is
// left: Events. Bursts of OVSDB updates coalesce in the work queue into one pass.
import type { Backend, EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import { objectKey } from '../../crds/object-key.ts';
import type { ReconcileResult } from '../../lib/controller/controller.ts';
import type { EventRecorder } from '../../lib/kube/events.ts';
import type { KubeClient } from '../../lib/kube/kube-client.ts';
import type { KubeObject } from '../../lib/kube/resource.ts';
import { errorMessage, type Logger } from '../../lib/log.ts';
import { desiredFromParts, type MirrorOutput } from '../mirror/build-desired.ts';
import { dropWritesAlreadyMade, isOwnEcho, type EchoedObject } from '../mirror/echo-filter.ts';
import { holdDeletesWhileUnsynced } from '../mirror/hold-deletes.ts';
import { keepValidDesired } from '../mirror/keep-valid-desired.ts';
import { DEFAULT_MASS_DELETE_POLICY, type MassDeletePolicy } from '../mirror/mass-delete-guard.ts';
import { heldProblems, MassDeleteHold, type LiveLists } from '../mirror/mass-delete-hold.ts';
import type { MirrorNotice, MirrorProblem } from '../mirror/mirror-problem.ts';
import { planMirror } from '../mirror/plan-mirror.ts';
import type { NodeNameMode } from '../ovn-source/node-names.ts';
import type { Live } from '../object-key.ts';
import type { OperatorMetrics } from '../operator-metrics.ts';
import { EventMemory } from './event-memory.ts';
import { MirrorReport } from './mirror-report.ts';
import { MirrorWriter } from './mirror-writer.ts';
import { OvnPartsReader, type OvnRowsSource } from './ovn-parts-reader.ts';
import { withoutImpostorLabels } from './ownership.ts';
import type { ProblemBook } from './problem-book.ts';
import { readRecordedEvents } from './recorded-events.ts';
import { WriteExpectations } from './write-expectations.ts';

export { DEFAULT_FULL_RESYNC_MS } from './ovn-parts-reader.ts';
export { DEFAULT_WRITE_CONCURRENCY } from './mirror-writer.ts';

/** What the reconciler needs from the OVN adapter. */
export interface MirrorSource extends OvnRowsSource {
  isSynced(): boolean;
  /** When an OVN database was last seen re-created (new cluster id); the mass-deletion guard holds what follows. */
  replacedAt?(): number | undefined;
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
  /** The backend of a network without spec.backend. */
  readonly defaultBackend?: Backend | undefined;
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
const CONFIRM_POLL_MS = 1000;

/** The live objects by `Kind/name`. */
function liveByKey(live: LiveLists): Map<string, KubeObject> {
  const byKey = new Map<string, KubeObject>();
  for (const [kind, list] of [
    ['EvpnVrf', live.vrfs],
    ['EvpnNetwork', live.networks],
    ['EvpnPortSet', live.portSets],
  ] as const) {
    for (const obj of list) byKey.set(objectKey(kind, obj.metadata.name), obj);
  }
  return byKey;
}

export class MirrorReconciler {
  readonly #o: MirrorReconcilerOptions;
  readonly #now: () => number;
  readonly #expect = new WriteExpectations();
  readonly #parts: OvnPartsReader;
  readonly #hold = new MassDeleteHold();
  readonly #writer: MirrorWriter;
  readonly #eventMemory = new EventMemory();
  readonly #report: MirrorReport;

  constructor(options: MirrorReconcilerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#parts = new OvnPartsReader({
      source: options.source,
      nodeNames: options.nodeNames,
      metrics: options.metrics,
      fullResyncMs: options.fullResyncMs,
    });
    this.#writer = new MirrorWriter({
      client: options.client,
      expect: this.#expect,
      metrics: options.metrics,
      log: options.log,
      concurrency: options.writeConcurrency,
    });
    this.#report = new MirrorReport(options.metrics, options.log);
  }

  /** An informer event that only echoes this reconciler's own write or delete. */
  isOwnEcho(kind: string, obj: EchoedObject, deleted = false): boolean {
    return isOwnEcho(this.#expect, kind, obj, deleted);
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
    const live: LiveLists = {
      vrfs: withoutImpostorLabels(o.vrfs.list()),
      networks: withoutImpostorLabels(o.networks.list()),
      portSets: withoutImpostorLabels(o.portSets.list()),
    };
    const built = desiredFromParts(this.#parts.read(), {
      ...live,
      ...(o.l3vniOffset === undefined ? {} : { l3vniOffset: o.l3vniOffset }),
      defaultBackend: o.defaultBackend,
    });
    // Nothing the API server would refuse is written, and nothing is pruned because its new spec is bad.
    const valid = keepValidDesired(built, live);
    const desired = { ...built, ...valid.desired, problems: [...built.problems, ...valid.problems] };
    const { deletes, held, nextCheckInMs } = this.#planDeletes(live, built, desired);
    const plan = deletes.plan;

    const byKey = liveByKey(live);
    this.#expect.pruneDeletes(new Set(byKey.keys()));
    const todo = dropWritesAlreadyMade({ applies: plan.applies, deletes: deletes.guard.deletes }, byKey, this.#expect);
    this.#expect.forget(todo.stale);

    const { errors, pruneConflicts } = await this.#writer.write(todo, byKey, signal);
    this.#report.latency(since, todo.deletes.length + todo.applies.length - errors.length);
    await this.#reportProblems([...desired.problems, ...held], built.notices, byKey, signal);
    this.#report.skipped(plan.skipped);
    this.#report.desired(desired);
    if (todo.deletes.length + todo.applies.length > 0 || errors.length > 0) {
      o.log.info(
        {
          applied: todo.applies.length,
          deleted: todo.deletes.length,
          failed: errors.length,
          pendingDeletes: this.#hold.missingSince.size,
          problems: desired.problems.length,
        },
        'mirror reconciled',
      );
    }
    if (errors.length > 0) {
      const first = errors[0];
      throw new Error(`${errors.length} mirror write(s) failed; first: ${errorMessage(first)}`, { cause: first });
    }
    return this.#requeue(nextCheckInMs, pruneConflicts);
  }

  /** The plan, and its deletes held while OVN is not synced or while a mass deletion is held. */
  #planDeletes(live: LiveLists, built: MirrorOutput, desired: MirrorOutput) {
    const o = this.#o;
    const now = this.#now();
    this.#hold.adopt(live);
    const plan = planMirror({ desired, live, missingSince: this.#hold.missingSince, now, graceMs: o.pruneGraceMs });
    const unsynced = holdDeletesWhileUnsynced({
      synced: o.source.isSynced(),
      deletes: plan.deletes,
      missingSince: plan.missingSince,
      previouslyMissing: this.#hold.missingSince,
      nextCheckInMs: plan.nextCheckInMs,
      now,
    });
    if (unsynced.held > 0) o.log.info({ deletes: unsynced.held }, 'ovn not synced, holding deletes');
    const policy = o.massDelete ?? DEFAULT_MASS_DELETE_POLICY;
    const guard = this.#hold.guard({
      deletes: unsynced.deletes,
      missingSince: unsynced.missingSince,
      live,
      desired: built,
      now,
      policy,
      sourceReplaced: now - (o.source.replacedAt?.() ?? -Infinity) < policy.holdMs,
    });
    this.#report.heldDeletes(guard.held.length, guard.transition, {
      mirrored: guard.mirrored,
      why: guard.why,
      deletes: guard.deletes.length,
    });
    // While deletes are held, look every second: an annotation alone does not start a mirror pass.
    const nextCheckInMs =
      guard.releaseInMs === undefined
        ? unsynced.nextCheckInMs
        : Math.min(unsynced.nextCheckInMs ?? Infinity, guard.releaseInMs, CONFIRM_POLL_MS);
    return {
      deletes: { plan, guard },
      held: heldProblems(guard.held, guard.heldSince, guard.releaseInMs, now),
      nextCheckInMs,
    };
  }

  /** When to look again: a due delete, a prune conflict, or the next full pass. */
  #requeue(nextCheckInMs: number | undefined, pruneConflicts: number): ReconcileResult | undefined {
    const forDeletes =
      pruneConflicts > 0 ? Math.min(nextCheckInMs ?? Infinity, PRUNE_CONFLICT_RETRY_MS) : (nextCheckInMs ?? Infinity);
    const retryMs = Math.min(forDeletes, this.#parts.untilFullPass());
    return retryMs === Infinity ? undefined : { requeueAfterMs: Math.max(10, Math.ceil(retryMs)) };
  }

  /** Problems to the book (→ conditions) and the metrics; new ones and notices as Events, once each. */
  async #reportProblems(
    problems: readonly MirrorProblem[],
    notices: readonly MirrorNotice[],
    live: ReadonlyMap<string, KubeObject>,
    signal: AbortSignal,
  ): Promise<void> {
    const fresh = this.#o.problems.replace(problems);
    if (this.#eventMemory.wantsPastEvents(fresh.length, notices.length))
      this.#eventMemory.setRecordedBefore(await this.#pastEvents(signal));
    this.#report.problems(problems, fresh);
    for (const p of fresh) {
      // Reported before this process started (restart, failover).
      if (this.#eventMemory.recordedBefore(p)) continue;
      this.#report.problemFound(p);
      this.#o.events.warning(this.#regarding(p, live), p.reason, 'Mirror', p.message);
    }
    for (const n of this.#eventMemory.noticesToRecord(notices))
      this.#o.events.normal(this.#regarding(n, live), n.reason, 'Mirror', n.message);
    this.#eventMemory.endPass();
  }

  #regarding(p: { kind: string; name: string }, live: ReadonlyMap<string, KubeObject>) {
    const uid = live.get(objectKey(p.kind, p.name))?.metadata.uid;
    return { apiVersion: API_GROUP_VERSION, kind: p.kind, name: p.name, ...(uid === undefined ? {} : { uid }) };
  }

  async #pastEvents(signal: AbortSignal): Promise<Set<string>> {
    const o = this.#o;
    try {
      return await readRecordedEvents(
        o.client,
        { namespace: o.eventNamespace ?? 'default', reportingController: o.reportingController },
        signal,
      );
    } catch (err) {
      o.log.warn({ err: errorMessage(err) }, 'cannot list past events; problems will be reported again');
      return new Set();
    }
  }
}
