// A per-key work queue in the shape of client-go's workqueue, but push-based
// (the queue calls `process`), which fits a single-threaded event loop better
// than Get/Done. Invariants:
//  - a key is pending at most once (bursts coalesce);
//  - a key is processed by at most one worker at a time; a key added while in
//    flight is processed once more after the current run ends;
//  - failures back off per key, exponentially with jitter, until `forget`.

export type ProcessKey<K> = (key: K) => Promise<void>;

export interface WorkQueueOptions<K> {
  readonly process: ProcessKey<K>;
  /** Workers running in parallel (different keys). */
  readonly concurrency?: number;
  /** First retry delay of `addRateLimited`; doubled per failure. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Fraction of the delay added at random (0.1 = up to +10%), so retries of many keys spread out. */
  readonly jitter?: number;
  readonly random?: () => number;
  /** Called if `process` rejects; the controller normally catches its own errors. */
  readonly onProcessError?: (key: K, err: unknown) => void;
}

export class WorkQueue<K extends string = string> {
  private readonly process: ProcessKey<K>;
  private readonly concurrency: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private readonly onProcessError: (key: K, err: unknown) => void;

  // A Set keeps insertion order: FIFO with deduplication.
  private readonly pending = new Set<K>();
  private readonly inFlight = new Set<K>();
  private readonly dirtyInFlight = new Set<K>();
  private readonly delayed = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  private readonly failureCounts = new Map<K, number>();
  private pumpScheduled = false;
  private shuttingDown = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: WorkQueueOptions<K>) {
    this.process = options.process;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 300_000;
    this.jitter = options.jitter ?? 0.1;
    this.random = options.random ?? Math.random;
    this.onProcessError = options.onProcessError ?? (() => undefined);
  }

  /** Queues the key now (or once more after its current run). */
  add(key: K): void {
    if (this.shuttingDown) return;
    if (this.inFlight.has(key)) {
      this.dirtyInFlight.add(key);
      return;
    }
    this.pending.add(key);
    this.schedulePump();
  }

  /** Queues the key after `delayMs`; an earlier pending deadline for the same key wins. */
  addAfter(key: K, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing !== undefined) {
      if (existing.at <= at) return;
      clearTimeout(existing.timer);
    }
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { at, timer });
  }

  /** Requeues a failed key with per-key exponential backoff; returns the delay used. */
  addRateLimited(key: K): number {
    const failures = this.failureCounts.get(key) ?? 0;
    this.failureCounts.set(key, failures + 1);
    const delay = this.backoffDelay(failures);
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets the key's failure count (call after a success). */
  forget(key: K): void {
    this.failureCounts.delete(key);
  }

  failures(key: K): number {
    return this.failureCounts.get(key) ?? 0;
  }

  backoffDelay(failures: number): number {
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(failures, 52));
    return Math.min(this.maxDelayMs, Math.round(exp * (1 + this.jitter * this.random())));
  }

  get pendingCount(): number {
    return this.pending.size;
  }
  get inFlightCount(): number {
    return this.inFlight.size;
  }
  get delayedCount(): number {
    return this.delayed.size;
  }
  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Resolves when nothing is pending or in flight (delayed keys don't count). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops accepting keys, drops delayed keys and waits for in-flight work. Pending
   * keys are dropped too (the next start relists and sees them again: the loop is
   * level-triggered) unless `drainPending`, which processes them first.
   */
  async shutdown(options: { drainPending?: boolean } = {}): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    if (options.drainPending !== true) {
      this.pending.clear();
      this.dirtyInFlight.clear();
    }
    await this.idle();
  }

  private isIdle(): boolean {
    return this.pending.size === 0 && this.inFlight.size === 0;
  }

  // Deferring to a microtask lets a synchronous burst of adds coalesce before work starts.
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight.size < this.concurrency) {
      const next = this.pending.values().next();
      if (next.done === true) break;
      const key = next.value;
      this.pending.delete(key);
      this.inFlight.add(key);
      void this.runOne(key);
    }
    this.notifyIdle();
  }

  private async runOne(key: K): Promise<void> {
    try {
      await this.process(key);
    } catch (err) {
      this.onProcessError(key, err);
    } finally {
      this.inFlight.delete(key);
      if (this.dirtyInFlight.delete(key)) this.pending.add(key);
      this.pump();
    }
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
