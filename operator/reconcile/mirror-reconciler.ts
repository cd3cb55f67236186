// The mirror, level-triggered and keyed once for the whole of OVN: read the
// snapshot and the informer caches, then the pure steps of mirror/ (buildDesired,
// planMirror, holdDeletesWhileUnsynced, dropWritesAlreadyMade), then delete,
// then apply. This file only does the I/O. Bursts of OVSDB updates coalesce in the work queue into
// one pass. Problems go to the ProblemBook (→ conditions) and, when new, become
// Warning Events and error counts.
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import { API_GROUP_VERSION, OPERATOR_FIELD_MANAGER } from '../../crds/index.ts';
import type { ReconcileResult } from '../../lib/controller/controller.ts';
import { applyObject, deleteObject } from '../../lib/kube/apply.ts';
import type { EventRecorder } from '../../lib/kube/events.ts';
import type { KubeClient } from '../../lib/kube/kube-client.ts';
import { coreResources, resourcePath, type KubeObject } from '../../lib/kube/resource.ts';
import { errorMessage, type Logger } from '../../lib/log.ts';
import { buildDesired, type MirrorProblem } from '../mirror/build-desired.ts';
import type { OvnSnapshot } from '../ovn-source/ovn-snapshot.ts';
import { keepNodeName, withNodeNames, type NodeNameMode } from '../ovn-source/node-names.ts';
import type { OperatorMetrics } from '../operator-metrics.ts';
import { evpnResources } from '../../crds/resources.ts';
import type { Live } from '../object-key.ts';
import { desiredFingerprint, planMirror, type DesiredObject, type MirrorKind, type PlannedDelete } from '../mirror/plan-mirror.ts';
import { errorCodeOf, type ProblemBook } from './problem-book.ts';
import { WriteExpectations } from './write-expectations.ts';
import { dropWritesAlreadyMade, isOwnEcho, objectKey, type EchoedObject, type WritesToDo } from '../mirror/echo-filter.ts';
import { holdDeletesWhileUnsynced } from '../mirror/hold-deletes.ts';

/** What the reconciler needs from the OVN adapter. */
export interface MirrorSource {
  snapshot(): OvnSnapshot;
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
  /** Parallel writes per phase. */
  readonly writeConcurrency?: number;
  readonly now?: () => number;
}

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
  #firstPass = true;

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
    const vrfs = o.vrfs.list();
    const networks = o.networks.list();
    const portSets = o.portSets.list();
    const desired = buildDesired({
      snapshot: withNodeNames(o.source.snapshot(), o.nodeNames),
      networks, vrfs, nodeNameOf: keepNodeName,
      ...(o.l3vniOffset === undefined ? {} : { l3vniOffset: o.l3vniOffset }),
    });
    const plan = planMirror({ desired, live: { vrfs, networks, portSets }, missingSince: this.#missingSince, now: this.#now(), graceMs: o.pruneGraceMs });
    const hold = holdDeletesWhileUnsynced({
      synced: o.source.isSynced(), deletes: plan.deletes, missingSince: plan.missingSince,
      previouslyMissing: this.#missingSince, nextCheckInMs: plan.nextCheckInMs, now: this.#now(),
    });
    this.#missingSince = hold.missingSince;
    if (hold.held > 0) o.log.info({ deletes: hold.held }, 'ovn not synced, holding deletes');

    const live = new Map<string, KubeObject>();
    for (const [kind, list] of [['EvpnVrf', vrfs], ['EvpnNetwork', networks], ['EvpnPortSet', portSets]] as const) {
      for (const obj of list) live.set(objectKey(kind, obj.metadata.name), obj);
    }
    this.#expect.pruneDeletes(new Set(live.keys()));
    const todo = dropWritesAlreadyMade({ applies: plan.applies, deletes: hold.deletes }, live, this.#expect);
    this.#expect.forget(todo.stale);

    const errors = await this.#write(todo, live, signal);
    const writes = todo.deletes.length + todo.applies.length - errors.length;
    if (since !== undefined && writes > 0) o.metrics.ovnToCrLatency.observe({}, (performance.now() - since) / 1000);
    await this.#report(desired.problems, live, signal);
    this.#noteSkipped(plan.skipped);
    o.metrics.mirroredObjects.set({ kind: 'EvpnVrf' }, desired.vrfs.size);
    o.metrics.mirroredObjects.set({ kind: 'EvpnNetwork' }, desired.networks.size);
    o.metrics.mirroredObjects.set({ kind: 'EvpnPortSet' }, desired.portSets.size);
    if (todo.deletes.length + todo.applies.length > 0 || errors.length > 0) {
      o.log.info({ applied: todo.applies.length, deleted: todo.deletes.length, failed: errors.length, pendingDeletes: this.#missingSince.size, problems: desired.problems.length }, 'mirror reconciled');
    }
    if (errors.length > 0) {
      const first = errors[0];
      throw new Error(`${errors.length} mirror write(s) failed; first: ${errorMessage(first)}`, { cause: first });
    }
    return hold.nextCheckInMs === undefined ? undefined : { requeueAfterMs: Math.max(10, Math.ceil(hold.nextCheckInMs)) };
  }

  /** Removes, then updates and creates: VRFs before the networks that use them, networks before their port sets. */
  async #write(todo: WritesToDo, live: ReadonlyMap<string, KubeObject>, signal: AbortSignal): Promise<unknown[]> {
    const limit = this.#o.writeConcurrency ?? 8;
    const errors: unknown[] = [];
    errors.push(...(await runLimited(todo.deletes, limit, (d) => this.#delete(d, signal))));
    for (const kind of ['EvpnVrf', 'EvpnNetwork', 'EvpnPortSet'] as const) {
      errors.push(...(await runLimited(todo.applies.filter((a) => a.kind === kind), limit, (a) => this.#apply(a, live.get(objectKey(kind, a.name)), signal))));
    }
    return errors;
  }

  async #apply(d: DesiredObject, current: KubeObject | undefined, signal: AbortSignal): Promise<void> {
    const key = `${d.kind}/${d.name}`;
    const result = await applyObject<KubeObject>(this.#o.client, RESOURCE[d.kind], { metadata: { name: d.name, labels: { ...d.labels } }, spec: d.spec }, {
      fieldManager: OPERATOR_FIELD_MANAGER, force: true, signal,
    });
    this.#expect.recordWrite(key, current?.metadata.resourceVersion, result.metadata.resourceVersion, desiredFingerprint(d));
    this.#o.metrics.mirrorWrites.inc({ kind: d.kind, verb: current === undefined ? 'create' : 'update' });
    this.#o.log.debug({ kind: d.kind, name: d.name, created: current === undefined }, 'applied mirrored object');
  }

  async #delete(d: PlannedDelete, signal: AbortSignal): Promise<void> {
    await deleteObject(this.#o.client, RESOURCE[d.kind], { name: d.name }, signal);
    this.#expect.recordDelete(`${d.kind}/${d.name}`, d.uid);
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

  async #report(problems: readonly MirrorProblem[], live: ReadonlyMap<string, KubeObject>, signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const fresh = o.problems.replace(problems);
    if (this.#firstPass && fresh.length > 0) this.#recordedEvents = await this.#loadRecordedEvents(signal);
    const current = new Map<string, number>();
    for (const p of problems) current.set(errorCodeOf(p.message), (current.get(errorCodeOf(p.message)) ?? 0) + 1);
    for (const code of new Set([...current.keys(), ...this.#codesSeen])) {
      this.#codesSeen.add(code);
      o.metrics.problems.set({ code }, current.get(code) ?? 0);
    }
    for (const p of fresh) {
      o.metrics.errors.inc({ code: errorCodeOf(p.message) });
      const obj = live.get(`${p.kind}/${p.name}`);
      // Reported before this process started (restart, failover).
      if (this.#recordedEvents.has(eventIdentity(p.kind, p.name, p.reason, p.message.slice(0, 1024)))) continue;
      o.log.warn({ kind: p.kind, name: p.name, reason: p.reason, code: errorCodeOf(p.message), detail: p.message }, 'ovn association problem');
      o.events.warning(
        { apiVersion: API_GROUP_VERSION, kind: p.kind, name: p.name, ...(obj?.metadata.uid === undefined ? {} : { uid: obj.metadata.uid }) },
        p.reason, 'Mirror', p.message,
      );
    }
    this.#firstPass = false;
    this.#recordedEvents.clear();
  }

  #noteSkipped(skipped: readonly { kind: MirrorKind; name: string; reason: string }[]): void {
    const now = new Set(skipped.map((s) => `${s.kind}/${s.name}`));
    for (const s of skipped) {
      const key = `${s.kind}/${s.name}`;
      if (this.#skippedLogged.has(key)) continue;
      this.#o.log.warn({ kind: s.kind, name: s.name, why: s.reason }, 'mirrored object not written');
    }
    this.#skippedLogged = now;
  }
}

interface RecordedEvent {
  readonly reportingController?: string;
  readonly reason?: string;
  readonly note?: string;
  readonly regarding?: { readonly kind: string; readonly name: string };
}

const eventIdentity = (kind: string, name: string, reason: string, note: string): string => JSON.stringify([kind, name, reason, note]);
