// An events.k8s.io/v1 recorder. Repeats of the same event (same object, type,
// reason, action and note, or the same caller-given `key`) become one Event
// whose `series.count` grows, written at most once per `seriesIntervalMs`, so a
// crash-looping reconcile cannot flood etcd; after `dedupWindowMs` a repeat
// starts a new Event (client-go's correlator does the same). Recording never
// throws and never blocks the caller: failures are logged.
import { randomBytes } from 'node:crypto';
import { errorFields, silentLogger, type Logger } from '../log.ts';
import { mergePatchContentType } from './apply.ts';
import type { KubeClient } from './kube-client.ts';
import { coreResources, resourcePath } from './resource.ts';

export type EventType = 'Normal' | 'Warning';

export interface ObjectReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
}

export interface EventInput {
  readonly regarding: ObjectReference;
  readonly type: EventType;
  /** UpperCamelCase: `VrfProgrammed`, `FrrReloadFailed`. */
  readonly reason: string;
  /** What was being done: `Reconcile`, `Reload`. */
  readonly action: string;
  readonly note: string;
  /**
   * What counts as a repeat, instead of (type, reason, action, note): e.g. one
   * key per (object, node, reason), so a repeat with another note (an error text
   * that changes) still only grows the first Event's series.
   */
  readonly key?: string;
}

export interface EventRecorderOptions {
  readonly client: KubeClient;
  /** e.g. `ovn-evpn.io/node-agent`. */
  readonly reportingController: string;
  /** e.g. the pod or node name. */
  readonly reportingInstance: string;
  /** Namespace for events about cluster-scoped objects (client-go uses `default`). */
  readonly defaultNamespace?: string;
  readonly seriesIntervalMs?: number;
  /** An identical event after this long starts a new Event object. */
  readonly dedupWindowMs?: number;
  readonly maxTracked?: number;
  readonly log?: Logger;
  readonly now?: () => Date;
}

/** MicroTime: RFC 3339 with microseconds, as events.k8s.io requires for eventTime. */
export function formatMicroTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

interface Tracked {
  readonly name: string;
  readonly namespace: string;
  readonly firstSeen: number;
  count: number;
  lastObserved: Date;
  lastWritten: number;
  created: Promise<boolean>;
  flushTimer: NodeJS.Timeout | undefined;
}

export class EventRecorder {
  private readonly options: EventRecorderOptions;
  private readonly log: Logger;
  private readonly tracked = new Map<string, Tracked>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly now: () => Date;

  constructor(options: EventRecorderOptions) {
    this.options = options;
    this.log = (options.log ?? silentLogger()).child({ component: 'event-recorder' });
    this.now = options.now ?? (() => new Date());
  }

  record(input: EventInput): void {
    const now = this.now();
    const key = JSON.stringify([
      input.regarding.uid ?? '',
      input.regarding.kind,
      input.regarding.namespace ?? '',
      input.regarding.name,
      ...(input.key === undefined ? [input.type, input.reason, input.action, input.note] : ['key', input.key]),
    ]);
    const existing = this.tracked.get(key);
    const dedupWindowMs = this.options.dedupWindowMs ?? 10 * 60_000;
    if (existing !== undefined && now.getTime() - existing.firstSeen < dedupWindowMs) {
      existing.count++;
      existing.lastObserved = now;
      this.scheduleSeriesFlush(existing);
      return;
    }
    if (existing !== undefined) this.untrack(key, existing);
    const namespace = input.regarding.namespace ?? this.options.defaultNamespace ?? 'default';
    // The event's own name must be a valid object name even when the object it is about has none (an invalid name is
    // often what the event reports).
    const prefix = /^[a-z0-9]([-a-z0-9.]{0,200}[a-z0-9])?$/.test(input.regarding.name)
      ? input.regarding.name
      : 'invalid-name';
    const name = `${prefix}.${randomBytes(8).toString('hex')}`;
    const entry: Tracked = {
      name,
      namespace,
      firstSeen: now.getTime(),
      count: 1,
      lastObserved: now,
      lastWritten: now.getTime(),
      created: Promise.resolve(false),
      flushTimer: undefined,
    };
    entry.created = this.track(this.create(input, entry, now));
    this.tracked.set(key, entry);
    this.evictOldest();
  }

  /** Convenience for the common case. */
  normal(regarding: ObjectReference, reason: string, action: string, note: string): void {
    this.record({ regarding, type: 'Normal', reason, action, note });
  }

  warning(regarding: ObjectReference, reason: string, action: string, note: string): void {
    this.record({ regarding, type: 'Warning', reason, action, note });
  }

  /** Writes pending series counts now and waits for every outstanding write. */
  async flush(): Promise<void> {
    for (const entry of this.tracked.values()) {
      if (entry.flushTimer !== undefined) {
        clearTimeout(entry.flushTimer);
        entry.flushTimer = undefined;
        void this.track(this.patchSeries(entry));
      }
    }
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    const settle = (): void => void this.inFlight.delete(p);
    p.then(settle, settle);
    return p;
  }

  private async create(input: EventInput, entry: Tracked, now: Date): Promise<boolean> {
    const body = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: entry.name, namespace: entry.namespace },
      eventTime: formatMicroTime(now),
      reportingController: this.options.reportingController,
      reportingInstance: this.options.reportingInstance,
      action: input.action,
      reason: input.reason,
      type: input.type,
      note: input.note.slice(0, 1024),
      regarding: input.regarding,
    };
    try {
      await this.options.client.request({
        method: 'POST',
        path: resourcePath(coreResources.events, { namespace: entry.namespace }),
        body,
      });
      return true;
    } catch (err) {
      this.log.warn({ ...errorFields(err), reason: input.reason, object: input.regarding.name }, 'event create failed');
      return false;
    }
  }

  private scheduleSeriesFlush(entry: Tracked): void {
    if (entry.flushTimer !== undefined) return;
    const interval = this.options.seriesIntervalMs ?? 30_000;
    const delay = Math.max(0, entry.lastWritten + interval - this.now().getTime());
    entry.flushTimer = setTimeout(() => {
      entry.flushTimer = undefined;
      void this.track(this.patchSeries(entry));
    }, delay);
    entry.flushTimer.unref();
  }

  private async patchSeries(entry: Tracked): Promise<void> {
    if (!(await entry.created)) return;
    entry.lastWritten = this.now().getTime();
    try {
      await this.options.client.request({
        method: 'PATCH',
        path: resourcePath(coreResources.events, { namespace: entry.namespace, name: entry.name }),
        body: { series: { count: entry.count, lastObservedTime: formatMicroTime(entry.lastObserved) } },
        contentType: mergePatchContentType,
      });
    } catch (err) {
      this.log.warn({ ...errorFields(err), event: entry.name }, 'event series update failed');
    }
  }

  private untrack(key: string, entry: Tracked): void {
    if (entry.flushTimer !== undefined) {
      clearTimeout(entry.flushTimer);
      entry.flushTimer = undefined;
      void this.track(this.patchSeries(entry));
    }
    this.tracked.delete(key);
  }

  private evictOldest(): void {
    const max = this.options.maxTracked ?? 4096;
    while (this.tracked.size > max) {
      const first = this.tracked.entries().next();
      if (first.done === true) return;
      this.untrack(first.value[0], first.value[1]);
    }
  }
}
