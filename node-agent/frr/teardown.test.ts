import { describe, expect, it } from 'vitest';
import { planVrfTeardown } from './teardown.ts';

describe('planVrfTeardown', () => {
  it('reloads FRR without the removed VRFs first, then deletes their kernel devices', () => {
    expect(planVrfTeardown(['vrf-1'], ['vrf-3', 'vrf-1', 'vrf-2'])).toEqual([
      { kind: 'reload-frr', removedVrfs: ['vrf-2', 'vrf-3'] },
      { kind: 'delete-kernel-vrf', vrf: 'vrf-2' },
      { kind: 'delete-kernel-vrf', vrf: 'vrf-3' },
    ]);
  });

  it('plans nothing when no VRF goes away', () => {
    expect(planVrfTeardown(['a', 'b'], ['b'])).toEqual([]);
  });
});
