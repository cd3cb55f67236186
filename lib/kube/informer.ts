// Why our own informer and not client-node's makeInformer/ListWatch (2.0.1):
//  - a 410 delivered as a watch ERROR event only clears the resourceVersion; the
//    relist then happens in the done handler, but any other error (a 500, a
//    reset socket, a failed list) just fires `error` and stops the informer for
//    good: the caller must restart it by hand, and the stock Watch reports a
//    410-on-connect as a bare statusCode on an Error;
//  - it does not ask for bookmarks, so a quiet resource's resourceVersion gets
//    old and every reconnect after compaction costs a full relist;
//  - its update callback gets only the new object.
// This one: list (paged, consistent read) → watch from the list's RV with
// allowWatchBookmarks → on 410 relist and emit add/update/delete diffs against
// the cache (deletes missed while disconnected are not lost) → on any other
// error or closure, re-watch from the last RV with capped exponential backoff.
import { errorFields, silentLogger, type Logger } from '../log.ts';
import { isGone, KubeApiError, type KubeClient, type KubeStatus, type QueryValue } from './kube-client.ts';
import { objectKey, resourcePath, type KubeObject, type ResourceRef } from './resource.ts';
import { abortableSleep } from '../abortable-sleep.ts';

export interface InformerOptions {
  readonly client: KubeClient;
  readonly resource: ResourceRef;
  /** Only this namespace; all namespaces (or cluster-scoped) when unset. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly log?: Logger;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Server-side watch timeout; randomised per watch between this and twice it, like client-go. */
  readonly watchTimeoutSeconds?: number;
  /**
   * Applied to every object as it is received, before it is cached or handed to
   * a handler (client-go's SetTransform), e.g. managed-fields.ts#summarizeManagedFields.
   */
  readonly transform?: (obj: KubeObject) => KubeObject;
}

export interface InformerHandlers<T> {
  add?: (obj: T) => void;
  update?: (oldObj: T, newObj: T) => void;
  delete?: (obj: T) => void;
}

export interface InformerStats {
  lists: number;
  watches: number;
  relistsAfterGone: number;
  watchErrors: number;
}

const sleep = abortableSleep;

class GoneError extends Error {}

/** The error of a watch ERROR event: GoneError for 410 (relist), else the API error. */
function watchError(status: KubeStatus): Error {
  if (status.code === 410) return new GoneError(status.message ?? 'resourceVersion expired');
  return new KubeApiError(
    status.code ?? 500,
    status.reason ?? 'WatchError',
    status.message ?? 'watch error event',
    status,
  );
}

export class Informer<T extends KubeObject = KubeObject> {
  readonly resource: ResourceRef;
  readonly stats: InformerStats = { lists: 0, watches: 0, relistsAfterGone: 0, watchErrors: 0 };
  private readonly options: InformerOptions;
  private readonly log: Logger;
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private resourceVersion: string | undefined;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private stopController = new AbortController();
  private watchController: AbortController | undefined;
  private paused: { until: Promise<void>; resume: () => void } | undefined;
  private loop: Promise<void> | undefined;

  constructor(options: InformerOptions) {
    this.options = options;
    this.resource = options.resource;
    this.log = (options.log ?? silentLogger()).child({ component: 'informer', resource: options.resource.plural });
  }

  /** Handlers run synchronously in event order; a throwing handler is logged, not fatal. */
  on(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
  }

  start(): void {
    if (this.loop !== undefined) return;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    this.watchController?.abort();
    this.paused?.resume();
    await this.loop;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  keys(): string[] {
    return [...this.cache.keys()];
  }

  /** The resourceVersion the next watch starts from. */
  lastResourceVersion(): string | undefined {
    return this.resourceVersion;
  }

  /**
   * For tests and diagnostics: closes the current watch and does not open another
   * until `resumeWatch`. Lets a test make changes the informer cannot see.
   */
  pauseWatch(): Promise<void> {
    let resume: () => void = () => undefined;
    const until = new Promise<void>((r) => (resume = r));
    this.paused = { until, resume };
    this.watchController?.abort();
    return Promise.resolve();
  }

  /** Resumes after `pauseWatch`, from the last resourceVersion seen. */
  resumeWatch(): void {
    const p = this.paused;
    this.paused = undefined;
    p?.resume();
  }

  private isStopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private baseQuery(): Record<string, QueryValue> {
    return { labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector };
  }

  private path(): string {
    return resourcePath(this.resource, { namespace: this.options.namespace });
  }

  private async run(): Promise<void> {
    const stop = this.stopController.signal;
    const initialBackoff = this.options.initialBackoffMs ?? 800;
    const maxBackoff = this.options.maxBackoffMs ?? 30_000;
    let backoff = initialBackoff;
    while (!this.isStopped()) {
      try {
        if (this.resourceVersion === undefined) await this.relist(stop);
        if (this.paused !== undefined) await this.paused.until;
        if (this.isStopped()) break;
        const sawEvents = await this.watchOnce(stop);
        if (sawEvents) backoff = initialBackoff;
      } catch (err) {
        if (this.isStopped()) break;
        if (err instanceof GoneError || isGone(err)) {
          // The RV is older than the apiserver's history: only a relist can catch up.
          this.log.info({ resourceVersion: this.resourceVersion }, 'watch resourceVersion expired, relisting');
          this.stats.relistsAfterGone++;
          this.resourceVersion = undefined;
          continue;
        }
        this.stats.watchErrors++;
        const delay = Math.round(backoff * (1 + Math.random() * 0.2));
        this.log.warn({ ...errorFields(err), delayMs: delay }, 'list/watch failed, retrying');
        await sleep(delay, stop);
        backoff = Math.min(maxBackoff, backoff * 2);
      }
    }
  }

  private async relist(stop: AbortSignal): Promise<void> {
    const list = await this.options.client.listAll<T>(this.path(), this.baseQuery(), stop);
    this.stats.lists++;
    const fresh = new Map<string, T>();
    for (const item of list.items) fresh.set(objectKey(item), this.transform(item));
    // Deletes first: objects that vanished while we were not watching.
    for (const [key, old] of [...this.cache.entries()]) {
      if (!fresh.has(key)) {
        this.cache.delete(key);
        this.emit('delete', old);
      }
    }
    for (const [key, obj] of fresh) this.upsert(key, obj);
    this.resourceVersion = list.metadata.resourceVersion ?? '';
    this.log.debug({ count: fresh.size, resourceVersion: this.resourceVersion }, 'listed');
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  /** Returns whether any event arrived; throws GoneError on an expired RV. */
  private async watchOnce(stop: AbortSignal): Promise<boolean> {
    const controller = new AbortController();
    this.watchController = controller;
    const onStop = (): void => {
      controller.abort();
    };
    stop.addEventListener('abort', onStop, { once: true });
    const base = this.options.watchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.round(base * (1 + Math.random()));
    let sawEvents = false;
    this.stats.watches++;
    try {
      const events = this.options.client.watch<T | KubeStatus>(
        this.path(),
        { ...this.baseQuery(), resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
        controller.signal,
        (timeoutSeconds + 60) * 1000,
      );
      for await (const ev of events) {
        sawEvents = true;
        if (ev.type === 'ERROR') throw watchError(ev.object);
        const obj = ev.type === 'BOOKMARK' ? (ev.object as T) : this.transform(ev.object as T);
        const rv = obj.metadata.resourceVersion;
        if (ev.type === 'BOOKMARK') {
          if (rv !== undefined) this.resourceVersion = rv;
          continue;
        }
        const key = objectKey(obj);
        if (ev.type === 'DELETED') {
          const old = this.cache.get(key);
          this.cache.delete(key);
          this.emit('delete', old ?? obj);
        } else {
          this.upsert(key, obj);
        }
        if (rv !== undefined) this.resourceVersion = rv;
      }
    } catch (err) {
      // Our own abort (stop, pause) ends the watch quietly.
      if (controller.signal.aborted) return sawEvents;
      throw err;
    } finally {
      stop.removeEventListener('abort', onStop);
      this.watchController = undefined;
    }
    return sawEvents;
  }

  private transform(obj: T): T {
    return this.options.transform === undefined ? obj : (this.options.transform(obj) as T);
  }

  private upsert(key: string, obj: T): void {
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    if (old === undefined) this.emit('add', obj);
    else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emitUpdate(old, obj);
  }

  private emit(kind: 'add' | 'delete', obj: T): void {
    for (const h of this.handlers) {
      try {
        h[kind]?.(obj);
      } catch (err) {
        this.log.error({ ...errorFields(err), event: kind, key: objectKey(obj) }, 'informer handler threw');
      }
    }
  }

  private emitUpdate(oldObj: T, newObj: T): void {
    for (const h of this.handlers) {
      try {
        h.update?.(oldObj, newObj);
      } catch (err) {
        this.log.error({ ...errorFields(err), event: 'update', key: objectKey(newObj) }, 'informer handler threw');
      }
    }
  }
}
