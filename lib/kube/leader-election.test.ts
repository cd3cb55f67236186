import { describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from './kube-client.ts';
import {
  defaultLeaseTiming,
  LeaderElector,
  leadershipDeadline,
  leaseDurationSecondsOf,
  takeoverAllowedAt,
  toleratedClockRateRatio,
  validateLeaseTiming,
  type LeaseTiming,
} from './leader-election.ts';

const timings: readonly LeaseTiming[] = [
  defaultLeaseTiming,
  { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 },
  { leaseDurationMs: 1_500, renewDeadlineMs: 1_400, retryPeriodMs: 100 },
  { leaseDurationMs: 137_000, renewDeadlineMs: 107_000, retryPeriodMs: 26_000 },
];

describe('validateLeaseTiming', () => {
  it('accepts retryPeriod < renewDeadline < leaseDuration', () => {
    for (const t of timings)
      expect(() => {
        validateLeaseTiming(t);
      }).not.toThrow();
  });

  it('rejects a renewDeadline that is not shorter than leaseDuration, naming both', () => {
    expect(() => {
      validateLeaseTiming({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
    }).toThrow(/renewDeadline \(10000 ms\) must be shorter than leaseDuration \(10000 ms\)/);
    expect(() => {
      validateLeaseTiming({ leaseDurationMs: 10_000, renewDeadlineMs: 12_000, retryPeriodMs: 2_000 });
    }).toThrow(/before another candidate may take the lease/);
  });

  it('rejects a retryPeriod that leaves no second try, and non-positive or non-finite durations', () => {
    expect(() => {
      validateLeaseTiming({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 10_000 });
    }).toThrow(/retryPeriod \(10000 ms\) must be shorter than renewDeadline/);
    expect(() => {
      validateLeaseTiming({ leaseDurationMs: 15_000, renewDeadlineMs: 0, retryPeriodMs: -1 });
    }).toThrow(/must be a positive number/);
    expect(() => {
      validateLeaseTiming({ leaseDurationMs: Number.NaN, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
    }).toThrow(/leaseDurationMs must be a positive number of milliseconds, got NaN/);
  });

  it('is enforced by the LeaderElector constructor', () => {
    const client = new KubeClient(new KubeConfig());
    const base = { client, namespace: 'default', name: 'x', identity: 'me', onStartedLeading: () => undefined };
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 5_000, renewDeadlineMs: 5_000 })).toThrow(
      /renewDeadline \(5000 ms\) must be shorter than leaseDuration \(5000 ms\)/,
    );
    // A leaseDuration shorter than the default renewDeadline alone is caught too.
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 8_000 })).toThrow(/renewDeadline \(10000 ms\)/);
    expect(
      () => new LeaderElector({ ...base, leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 }),
    ).not.toThrow();
  });
});

describe('lease timing arithmetic', () => {
  it('records the lease duration in whole seconds, rounded up', () => {
    expect(leaseDurationSecondsOf({ leaseDurationMs: 15_000, renewDeadlineMs: 1, retryPeriodMs: 1 })).toBe(15);
    expect(leaseDurationSecondsOf({ leaseDurationMs: 1_500, renewDeadlineMs: 1, retryPeriodMs: 1 })).toBe(2);
    expect(leaseDurationSecondsOf({ leaseDurationMs: 1, renewDeadlineMs: 1, retryPeriodMs: 1 })).toBe(1);
  });

  it('a leader stops strictly before any candidate may take over, however late the commit and the observation', () => {
    // S: our round starts; C >= S: the apiserver commits our PUT; O >= C: another
    // candidate first reads that record. It may write only at takeoverAllowedAt(O).
    for (const t of timings) {
      for (const startedAt of [0, 1_000.5, 1e9]) {
        for (const commitDelay of [0, 1, t.renewDeadlineMs / 2, t.renewDeadlineMs]) {
          for (const observeDelay of [0, 1, t.leaseDurationMs * 3]) {
            const observedAt = startedAt + commitDelay + observeDelay;
            const stopsAt = leadershipDeadline(startedAt, t);
            const takeover = takeoverAllowedAt(observedAt, leaseDurationSecondsOf(t));
            expect(stopsAt).toBeLessThan(takeover);
            expect(takeover - stopsAt).toBeGreaterThanOrEqual(leaseDurationSecondsOf(t) * 1000 - t.renewDeadlineMs);
          }
        }
      }
    }
  });

  it('tolerates a candidate clock running faster by less than leaseDuration / renewDeadline, and no more', () => {
    const t = defaultLeaseTiming;
    const ratio = toleratedClockRateRatio(t);
    expect(ratio).toBe(1.5);
    // In real time: the leader stops renewDeadline after S on a true clock; a
    // candidate whose clock runs `rate` times too fast waits leaseDuration / rate.
    const realTakeover = (observedAt: number, rate: number): number =>
      observedAt + takeoverAllowedAt(0, leaseDurationSecondsOf(t)) / rate;
    const startedAt = 0;
    expect(leadershipDeadline(startedAt, t)).toBeLessThan(realTakeover(startedAt, ratio * 0.99));
    expect(leadershipDeadline(startedAt, t)).not.toBeLessThan(realTakeover(startedAt, ratio));
  });

  it('measures the deadline from the start of the last successful round, not from its answer', () => {
    const t = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };
    expect(leadershipDeadline(10_000, t)).toBe(12_000);
    expect(takeoverAllowedAt(10_000, leaseDurationSecondsOf(t))).toBe(13_000);
  });
});
