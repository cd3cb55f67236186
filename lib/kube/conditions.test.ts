import { describe, expect, it } from 'vitest';
import {
  conditionsEqual,
  formatKubeTime,
  isConditionTrue,
  semanticEqual,
  setCondition,
  setConditions,
  type Condition,
} from './conditions.ts';

const t0 = new Date('2025-01-01T00:00:00.123Z');
const t1 = new Date('2025-01-01T00:05:00.000Z');

describe('setCondition', () => {
  it('adds a new condition stamped with now, second precision', () => {
    const out = setCondition(
      [],
      { type: 'Ready', status: 'True', reason: 'Converged', message: 'ok', observedGeneration: 3 },
      t0,
    );
    expect(out).toEqual([
      {
        type: 'Ready',
        status: 'True',
        reason: 'Converged',
        message: 'ok',
        observedGeneration: 3,
        lastTransitionTime: '2025-01-01T00:00:00Z',
      },
    ]);
  });

  it('keeps lastTransitionTime when only reason, message or generation change', () => {
    const first = setCondition(
      [],
      { type: 'Ready', status: 'False', reason: 'A', message: 'a', observedGeneration: 1 },
      t0,
    );
    const second = setCondition(
      first,
      { type: 'Ready', status: 'False', reason: 'B', message: 'b', observedGeneration: 2 },
      t1,
    );
    expect(second[0]?.lastTransitionTime).toBe(formatKubeTime(t0));
    expect(second[0]?.reason).toBe('B');
    expect(second[0]?.observedGeneration).toBe(2);
  });

  it('moves lastTransitionTime when the status flips', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'A', message: 'a' }, t0);
    const second = setCondition(first, { type: 'Ready', status: 'True', reason: 'A', message: 'a' }, t1);
    expect(second[0]?.lastTransitionTime).toBe(formatKubeTime(t1));
    expect(isConditionTrue(second, 'Ready')).toBe(true);
  });

  it('keeps the list sorted by type and one entry per type', () => {
    const out = setConditions(
      [],
      [
        { type: 'Ready', status: 'True', reason: 'R', message: '' },
        { type: 'BgpEstablished', status: 'True', reason: 'R', message: '' },
        { type: 'FrrConfigured', status: 'False', reason: 'R', message: '' },
        { type: 'Ready', status: 'False', reason: 'R', message: '' },
      ],
      t0,
    );
    expect(out.map((c) => `${c.type}=${c.status}`)).toEqual([
      'BgpEstablished=True',
      'FrrConfigured=False',
      'Ready=False',
    ]);
  });

  it('is idempotent: setting the same condition again gives an equal list', () => {
    const input = { type: 'Ready', status: 'True', reason: 'R', message: 'm', observedGeneration: 4 } as const;
    const once = setCondition([], input, t0);
    expect(conditionsEqual(once, setCondition(once, input, t1))).toBe(true);
  });
});

describe('conditionsEqual', () => {
  const a: Condition = { type: 'A', status: 'True', reason: 'R', message: '', lastTransitionTime: 'x' };
  const b: Condition = { type: 'B', status: 'True', reason: 'R', message: '', lastTransitionTime: 'x' };
  it('ignores order', () => {
    expect(conditionsEqual([a, b], [b, a])).toBe(true);
  });
  it('sees a changed message', () => {
    expect(conditionsEqual([a], [{ ...a, message: 'x' }])).toBe(false);
  });
  it('treats undefined as empty', () => {
    expect(conditionsEqual(undefined, [])).toBe(true);
    expect(conditionsEqual(undefined, [a])).toBe(false);
  });
});

describe('semanticEqual', () => {
  it('ignores key order and undefined fields', () => {
    expect(semanticEqual({ a: 1, b: { c: [1, 2] }, d: undefined }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
  });
  it('sees array order outside conditions and value changes', () => {
    expect(semanticEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(semanticEqual({ a: 1 }, { a: '1' })).toBe(false);
    expect(semanticEqual({ a: null }, { a: {} })).toBe(false);
  });
  it('compares conditions by type regardless of order', () => {
    const c1 = { type: 'A', status: 'True', reason: 'R', message: '', lastTransitionTime: 't' };
    const c2 = { type: 'B', status: 'False', reason: 'R', message: '', lastTransitionTime: 't' };
    expect(semanticEqual({ conditions: [c1, c2], n: 1 }, { n: 1, conditions: [c2, c1] })).toBe(true);
  });
});
