// The recorder's rate limiting, with a clock of the test's own: which writes it
// issues for repeats, per key and over time. The real apiserver accepting them
// is proven in events.int.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventRecorder, type EventInput } from './events.ts';
import type { KubeClient } from './kube-client.ts';

interface Sent {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

function recorder(options: { seriesIntervalMs?: number; dedupWindowMs?: number } = {}): {
  rec: EventRecorder;
  sent: Sent[];
} {
  const sent: Sent[] = [];
  const client = {
    request: (r: Sent) => {
      sent.push(r);
      return Promise.resolve({});
    },
  } as unknown as KubeClient;
  return {
    rec: new EventRecorder({
      client,
      reportingController: 'ovn-evpn.dev/test',
      reportingInstance: 'w',
      now: () => new Date(),
      ...options,
    }),
    sent,
  };
}

const regarding = { apiVersion: 'evpn.ovn-evpn.dev/v1alpha1', kind: 'EvpnNetwork', name: 'net-a', uid: 'u1' };
const failure = (note: string, reason = 'InfrastructureFailed', node = 'w1'): EventInput => ({
  regarding,
  type: 'Warning',
  reason,
  action: 'ApplyOnNode',
  note,
  key: `${node}/${reason}`,
});

describe('EventRecorder rate limiting', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("folds a flapping object's repeats (same key, other notes) into one Event and one series write per interval", async () => {
    const { rec, sent } = recorder({ seriesIntervalMs: 30_000 });
    for (let i = 0; i < 100; i++) {
      rec.record(failure(`EVPN-005: errno ${i}`));
      vi.advanceTimersByTime(100);
    }
    await vi.advanceTimersByTimeAsync(30_000);
    await rec.flush();
    expect(sent.map((s) => s.method)).toEqual(['POST', 'PATCH']);
    expect(sent[0]?.body['note']).toBe('EVPN-005: errno 0');
    expect(sent[1]?.body['series']).toMatchObject({ count: 100 });
  });

  it('gives each (object, node, reason) an Event of its own', async () => {
    const { rec, sent } = recorder();
    rec.record(failure('x'));
    rec.record(failure('x', 'FrrFailed'));
    rec.record(failure('x', 'InfrastructureFailed', 'w2'));
    rec.record(failure('y'));
    await rec.flush();
    expect(sent.filter((s) => s.method === 'POST')).toHaveLength(3);
  });

  it('starts a new Event once the dedup window is over, and closes the old series first', async () => {
    const { rec, sent } = recorder({ seriesIntervalMs: 30_000, dedupWindowMs: 600_000 });
    rec.record(failure('x'));
    await vi.advanceTimersByTimeAsync(1_000);
    rec.record(failure('x'));
    await vi.advanceTimersByTimeAsync(600_000);
    rec.record(failure('x'));
    await rec.flush();
    expect(sent.map((s) => s.method)).toEqual(['POST', 'PATCH', 'POST']);
  });

  it('without a key, a different note is a different event', async () => {
    const { rec, sent } = recorder();
    rec.warning(regarding, 'R', 'A', 'one');
    rec.warning(regarding, 'R', 'A', 'two');
    rec.warning(regarding, 'R', 'A', 'two');
    await rec.flush();
    expect(sent.map((s) => s.method)).toEqual(['POST', 'POST', 'PATCH']);
  });
});
