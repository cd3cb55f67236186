import { describe, expect, it } from 'vitest';
import { computeBackoffDelay, DEFAULT_BACKOFF } from './backoff.ts';

describe('computeBackoffDelay', () => {
  const options = { initialMs: 100, maxMs: 5000, multiplier: 2, jitter: 0.5 };

  it.each([
    { attempt: 0, max: 100 },
    { attempt: 1, max: 200 },
    { attempt: 3, max: 800 },
    { attempt: 6, max: 5000 },
    { attempt: 50, max: 5000 },
  ])('attempt $attempt: between half of and $max ms', ({ attempt, max }) => {
    expect(computeBackoffDelay(attempt, options, () => 0)).toBe(max);
    expect(computeBackoffDelay(attempt, options, () => 0.999999)).toBe(Math.round(max * 0.5));
  });

  it('grows exponentially without jitter and stays capped', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7].map((a) => computeBackoffDelay(a, { ...options, jitter: 0 }));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  it('spreads delays for the same attempt (jitter)', () => {
    const seen = new Set(Array.from({ length: 50 }, () => computeBackoffDelay(4, DEFAULT_BACKOFF)));
    expect(seen.size).toBeGreaterThan(10);
    for (const d of seen) expect(d).toBeLessThanOrEqual(1600);
  });
});
