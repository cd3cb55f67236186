import { describe, expect, it } from 'vitest';
import { statusNeedsWrite } from './apply.ts';
import { formatMicroTime } from './events.ts';

describe('statusNeedsWrite', () => {
  const cond = {
    type: 'Ready',
    status: 'True',
    reason: 'R',
    message: 'm',
    lastTransitionTime: 't',
    observedGeneration: 2,
  };
  it.each([
    ['no status yet', undefined, { observedGeneration: 1 }, true],
    ['identical', { observedGeneration: 2, conditions: [cond] }, { observedGeneration: 2, conditions: [cond] }, false],
    [
      'fields the manager does not own are ignored',
      { observedGeneration: 2, other: 'x' },
      { observedGeneration: 2 },
      false,
    ],
    ['a changed condition message', { conditions: [cond] }, { conditions: [{ ...cond, message: 'n' }] }, true],
    ['a new generation', { observedGeneration: 2 }, { observedGeneration: 3 }, true],
  ])('%s', (_name, current, desired, expected) => {
    expect(statusNeedsWrite(current, desired)).toBe(expected);
  });
});

describe('formatMicroTime', () => {
  it('writes microseconds as events.k8s.io expects', () => {
    expect(formatMicroTime(new Date('2025-01-02T03:04:05.678Z'))).toBe('2025-01-02T03:04:05.678000Z');
  });
});
