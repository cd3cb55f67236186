import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue } from './work-queue.ts';

interface Gate {
  promise: Promise<void>;
  open: () => void;
}
function gate(): Gate {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('WorkQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('coalesces a synchronous burst of the same key into one run', async () => {
    const seen: string[] = [];
    const q = new WorkQueue({ process: (k) => (seen.push(k), Promise.resolve()) });
    for (let i = 0; i < 100; i++) q.add('a');
    q.add('b');
    await q.idle();
    expect(seen).toEqual(['a', 'b']);
  });

  it('never runs one key twice at once, and reruns a key added while in flight exactly once', async () => {
    const g = gate();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const q = new WorkQueue({
      concurrency: 4,
      process: async () => {
        running++;
        runs++;
        maxRunning = Math.max(maxRunning, running);
        if (runs === 1) await g.promise;
        running--;
      },
    });
    q.add('a');
    await flush();
    expect(q.inFlightCount).toBe(1);
    q.add('a');
    q.add('a');
    q.add('a');
    await flush();
    expect(runs).toBe(1);
    g.open();
    await q.idle();
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('runs different keys in parallel up to the concurrency limit', async () => {
    const gates = new Map<string, Gate>();
    const q = new WorkQueue({
      concurrency: 2,
      process: (k) => {
        const g = gate();
        gates.set(k, g);
        return g.promise;
      },
    });
    q.add('a');
    q.add('b');
    q.add('c');
    await flush();
    expect(q.inFlightCount).toBe(2);
    expect(q.pendingCount).toBe(1);
    gates.get('a')?.open();
    await flush();
    expect([...gates.keys()]).toEqual(['a', 'b', 'c']);
    gates.get('b')?.open();
    gates.get('c')?.open();
    await q.idle();
  });

  it('backs off exponentially per key with bounded jitter, and forget resets it', () => {
    const q = new WorkQueue({
      process: () => Promise.resolve(),
      baseDelayMs: 10,
      maxDelayMs: 1000,
      jitter: 0.5,
      random: () => 1,
    });
    const delays = Array.from({ length: 9 }, () => q.addRateLimited('a'));
    expect(delays).toEqual([15, 30, 60, 120, 240, 480, 960, 1000, 1000]);
    expect(q.failures('a')).toBe(9);
    expect(q.addRateLimited('b')).toBe(15);
    q.forget('a');
    expect(q.failures('a')).toBe(0);
    expect(q.backoffDelay(0)).toBe(15);
  });

  it('runs a rate-limited key only after its delay', async () => {
    const seen: number[] = [];
    const q = new WorkQueue({ process: () => (seen.push(Date.now()), Promise.resolve()), baseDelayMs: 100, jitter: 0 });
    const start = Date.now();
    q.addRateLimited('a');
    await vi.advanceTimersByTimeAsync(99);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen.map((t) => t - start)).toEqual([100]);
    q.addRateLimited('a');
    await vi.advanceTimersByTimeAsync(199);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen.map((t) => t - start)).toEqual([100, 300]);
  });

  it('addAfter keeps the earliest deadline for a key', async () => {
    const seen: number[] = [];
    const q = new WorkQueue({ process: () => (seen.push(Date.now()), Promise.resolve()) });
    const start = Date.now();
    q.addAfter('a', 500);
    q.addAfter('a', 1000);
    q.addAfter('a', 200);
    expect(q.delayedCount).toBe(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(seen.map((t) => t - start)).toEqual([200]);
  });

  it('shutdown waits for in-flight work, drops pending and delayed keys and refuses new ones', async () => {
    const g = gate();
    const seen: string[] = [];
    const q = new WorkQueue({
      process: async (k) => {
        seen.push(k);
        if (k === 'a') await g.promise;
      },
    });
    q.add('a');
    q.add('b');
    q.addAfter('c', 10);
    await flush();
    let done = false;
    const closing = q.shutdown().then(() => (done = true));
    q.add('d');
    await flush();
    expect(done).toBe(false);
    g.open();
    await closing;
    await vi.advanceTimersByTimeAsync(100);
    expect(seen).toEqual(['a']);
    expect(q.isShuttingDown).toBe(true);
  });

  it('reports a rejected process call and keeps working', async () => {
    const errors: string[] = [];
    const seen: string[] = [];
    const q = new WorkQueue({
      process: (k) => {
        seen.push(k);
        return k === 'bad' ? Promise.reject(new Error('boom')) : Promise.resolve();
      },
      onProcessError: (k) => errors.push(k),
    });
    q.add('bad');
    q.add('good');
    await q.idle();
    expect(errors).toEqual(['bad']);
    expect(seen).toEqual(['bad', 'good']);
  });

  it('shutdown with drainPending processes what was queued before it, but nothing added after', async () => {
    const g = gate();
    const seen: string[] = [];
    const q = new WorkQueue({
      process: async (k) => {
        seen.push(k);
        if (k === 'a' && seen.length === 1) await g.promise;
      },
    });
    q.add('a');
    q.add('b');
    await flush();
    q.add('a');
    const closing = q.shutdown({ drainPending: true });
    q.add('c');
    g.open();
    await closing;
    expect(seen).toEqual(['a', 'b', 'a']);
  });
});
