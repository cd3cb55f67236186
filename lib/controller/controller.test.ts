import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MetricsRegistry } from '../metrics.ts';
import { Controller, TerminalError, type ReconcileEvent } from './controller.ts';

describe('Controller (without informers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries a throwing reconcile with growing backoff, then forgets the failures after a success', async () => {
    const calls: number[] = [];
    const events: ReconcileEvent[] = [];
    const c = new Controller({
      name: 'test',
      baseBackoffMs: 100,
      reconcile: () => {
        calls.push(Date.now());
        return calls.length < 4 ? Promise.reject(new Error('apiserver unavailable')) : Promise.resolve(undefined);
      },
      onReconcile: (e) => events.push(e),
    });
    await c.start();
    const t0 = Date.now();
    c.enqueue('ns/a');
    await vi.advanceTimersByTimeAsync(10_000);
    const gaps = calls.slice(1).map((t, i) => t - (calls[i] ?? 0));
    expect(calls[0]).toBe(t0);
    expect(gaps).toHaveLength(3);
    // 100, 200, 400 ms with up to 10% jitter
    expect(gaps[0]).toBeGreaterThanOrEqual(100);
    expect(gaps[0]).toBeLessThanOrEqual(110);
    expect(gaps[1]).toBeGreaterThanOrEqual(200);
    expect(gaps[2]).toBeGreaterThanOrEqual(400);
    expect(events.map((e) => e.outcome)).toEqual(['error', 'error', 'error', 'success']);
    expect(c.queue.failures('ns/a')).toBe(0);
    await c.stop();
  });

  it('does not retry a terminal error', async () => {
    let calls = 0;
    const c = new Controller({
      name: 'test',
      reconcile: () => {
        calls++;
        return Promise.reject(new TerminalError('spec.vni 0 is outside 1..16777215'));
      },
    });
    await c.start();
    c.enqueue('a');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(1);
    await c.stop();
  });

  it('requeues after the requested delay', async () => {
    const calls: number[] = [];
    const c = new Controller({
      name: 'test',
      reconcile: () => {
        calls.push(Date.now());
        return Promise.resolve(calls.length < 3 ? { requeueAfterMs: 5_000 } : undefined);
      },
    });
    await c.start();
    const t0 = Date.now();
    c.enqueue('a');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.map((t) => t - t0)).toEqual([0, 5_000, 10_000]);
    await c.stop();
  });

  it('records reconcile count, errors and duration per controller', async () => {
    const registry = new MetricsRegistry();
    let n = 0;
    const c = new Controller({
      name: 'vrf',
      metrics: registry,
      reconcile: () => (++n === 1 ? Promise.reject(new TerminalError('bad')) : Promise.resolve(undefined)),
    });
    await c.start();
    c.enqueue('a');
    c.enqueue('b');
    await vi.advanceTimersByTimeAsync(10);
    const text = registry.render();
    expect(text).toContain('controller_reconcile_total{controller="vrf",outcome="terminal"} 1');
    expect(text).toContain('controller_reconcile_total{controller="vrf",outcome="success"} 1');
    expect(text).toContain('controller_reconcile_errors_total{controller="vrf"} 1');
    expect(text).toContain('controller_reconcile_duration_seconds_count{controller="vrf"} 2');
    await c.stop();
  });

  it('aborts the reconcile signal on stop and waits for the reconcile to return', async () => {
    let sawAbort = false;
    const c = new Controller({
      name: 'test',
      reconcile: (_key, signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
            resolve(undefined);
          });
        }),
    });
    await c.start();
    c.enqueue('a');
    await vi.advanceTimersByTimeAsync(1);
    await c.stop();
    expect(sawAbort).toBe(true);
  });
});
