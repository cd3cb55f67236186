// informers → key functions → per-key work queue → reconcile(key). Level-
// triggered: the reconciler gets only a key and reads the current state from
// the informer caches; it never sees which event fired.
import { errorFields, silentLogger, type Logger } from '../log.ts';
import type { MetricsRegistry } from '../metrics.ts';
import type { Informer } from '../kube/informer.ts';
import { objectKey, type KubeObject } from '../kube/resource.ts';
import { WorkQueue } from './work-queue.ts';

export interface ReconcileResult {
  /** Reconcile this key again after the delay even if nothing changes (polling outside state). */
  readonly requeueAfterMs?: number;
}

/** Bad input that a retry cannot fix: recorded (as a condition, by the reconciler) and not retried. */
export class TerminalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

export type ReconcileOutcome = 'success' | 'requeue' | 'error' | 'terminal';

export interface ReconcileEvent {
  readonly controller: string;
  readonly key: string;
  readonly outcome: ReconcileOutcome;
  readonly durationMs: number;
  readonly error?: unknown;
}

export type Reconcile = (key: string, signal: AbortSignal) => Promise<ReconcileResult | undefined>;

/** Maps an object to the keys to reconcile: itself by default, its owner for owned objects. */
export type KeyFunc<T> = (obj: T) => string | readonly string[] | undefined;

export interface ControllerOptions {
  /** Metric label and log field, e.g. `evpn-vrf`. */
  readonly name: string;
  readonly reconcile: Reconcile;
  readonly concurrency?: number;
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly log?: Logger;
  readonly metrics?: MetricsRegistry;
  /**
   * Re-enqueue every cached object this often, even without events: state outside
   * the apiserver (kernel, FRR, OVN) can drift without any watch noticing.
   */
  readonly resyncPeriodMs?: number;
  /** Called after every reconcile, for callers' own accounting. */
  readonly onReconcile?: (event: ReconcileEvent) => void;
}

const durationBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly options: ControllerOptions;
  private readonly log: Logger;
  private readonly informers: Informer[] = [];
  private readonly resyncers: (() => void)[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly stopController = new AbortController();
  private synced: Promise<void> | undefined;
  private readonly recordMetrics: (event: ReconcileEvent) => void;

  constructor(options: ControllerOptions) {
    this.options = options;
    this.name = options.name;
    this.log = (options.log ?? silentLogger()).child({ component: 'controller', controller: options.name });
    this.queue = new WorkQueue({
      process: (key) => this.processKey(key),
      concurrency: options.concurrency ?? 1,
      baseDelayMs: options.baseBackoffMs ?? 100,
      maxDelayMs: options.maxBackoffMs ?? 300_000,
    });
    this.recordMetrics = options.metrics === undefined ? () => undefined : makeMetricsHook(options.metrics);
  }

  /**
   * Feeds an informer into the queue. `keyFunc` maps each added, updated or deleted
   * object to keys (default: the object's own key); updates enqueue both the old
   * and the new object's keys, so a change of owner reconciles both owners.
   */
  watch<T extends KubeObject>(informer: Informer<T>, keyFunc: KeyFunc<T> = objectKey): void {
    const enqueue = (obj: T): void => {
      const keys = keyFunc(obj);
      if (keys === undefined) return;
      for (const k of typeof keys === 'string' ? [keys] : keys) this.queue.add(k);
    };
    informer.on({
      add: enqueue,
      update: (oldObj, newObj) => {
        enqueue(oldObj);
        enqueue(newObj);
      },
      delete: enqueue,
    });
    this.informers.push(informer as unknown as Informer);
    this.resyncers.push(() => {
      for (const obj of informer.list()) enqueue(obj);
    });
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(key: string, delayMs: number): void {
    this.queue.addAfter(key, delayMs);
  }

  /** Starts the informers and waits for their first list; reconciles begin only after that. */
  async start(): Promise<void> {
    for (const inf of this.informers) inf.start();
    this.synced ??= Promise.all(this.informers.map((i) => i.waitForSync())).then(() => undefined);
    await this.synced;
    const period = this.options.resyncPeriodMs ?? 0;
    if (period > 0 && this.resyncTimer === undefined && !this.stopController.signal.aborted) {
      this.resyncTimer = setInterval(() => {
        for (const resync of this.resyncers) resync();
      }, period);
      this.resyncTimer.unref();
    }
    this.log.info({ informers: this.informers.length, resyncPeriodMs: period }, 'caches synced, reconciling');
  }

  hasSynced(): boolean {
    return this.informers.every((i) => i.hasSynced());
  }

  /** Stops taking work, aborts the signal passed to reconcile, waits for in-flight reconciles, stops the informers. */
  async stop(): Promise<void> {
    this.stopController.abort();
    clearInterval(this.resyncTimer);
    await this.queue.shutdown();
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  private async processKey(key: string): Promise<void> {
    // Events can arrive before start(); hold them until the caches are complete,
    // or a reconcile would plan deletes from a half-filled cache.
    if (this.synced === undefined) {
      this.queue.addAfter(key, 100);
      return;
    }
    await this.synced;
    const started = performance.now();
    let outcome: ReconcileOutcome;
    let error: unknown;
    try {
      const result = await this.options.reconcile(key, this.stopController.signal);
      this.queue.forget(key);
      if (result?.requeueAfterMs !== undefined && result.requeueAfterMs >= 0) {
        outcome = 'requeue';
        this.queue.addAfter(key, result.requeueAfterMs);
      } else {
        outcome = 'success';
      }
    } catch (err) {
      error = err;
      if (err instanceof TerminalError) {
        outcome = 'terminal';
        this.queue.forget(key);
        this.log.warn({ key, ...errorFields(err) }, 'reconcile failed permanently, not retrying');
      } else {
        outcome = 'error';
        const delayMs = this.queue.addRateLimited(key);
        this.log.warn(
          { key, delayMs, failures: this.queue.failures(key), ...errorFields(err) },
          'reconcile failed, will retry',
        );
      }
    }
    const event: ReconcileEvent = {
      controller: this.name,
      key,
      outcome,
      durationMs: performance.now() - started,
      ...(error === undefined ? {} : { error }),
    };
    this.recordMetrics(event);
    this.options.onReconcile?.(event);
  }
}

function makeMetricsHook(registry: MetricsRegistry): (event: ReconcileEvent) => void {
  const total = registry.counter('controller_reconcile_total', 'Reconciles by controller and outcome.', [
    'controller',
    'outcome',
  ]);
  const errors = registry.counter(
    'controller_reconcile_errors_total',
    'Reconciles that failed (retried or terminal).',
    ['controller'],
  );
  const duration = registry.histogram(
    'controller_reconcile_duration_seconds',
    'Time spent in reconcile.',
    ['controller'],
    durationBuckets,
  );
  return (event) => {
    total.inc({ controller: event.controller, outcome: event.outcome });
    if (event.outcome === 'error' || event.outcome === 'terminal') errors.inc({ controller: event.controller });
    duration.observe({ controller: event.controller }, event.durationMs / 1000);
  };
}
