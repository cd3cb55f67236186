import { describe, expect, it } from 'vitest';
import type { MirrorProblem } from '../mirror/mirror-problem.ts';
import { newlySkipped, problemsByCode } from './mirror-report.ts';

const p = (name: string, code: MirrorProblem['code']): MirrorProblem => ({
  kind: 'EvpnNetwork',
  name,
  reason: 'Conflict',
  code,
  message: `${code}: x`,
  keptLastGood: false,
});

describe('problemsByCode', () => {
  it('counts problems by their code field, and a code seen before and gone now as 0', () => {
    expect(
      [...problemsByCode([p('a', 'EVPN-004'), p('b', 'EVPN-004'), p('c', 'EVPN-001')], new Set(['EVPN-007']))].sort(),
    ).toEqual([
      ['EVPN-001', 1],
      ['EVPN-004', 2],
      ['EVPN-007', 0],
    ]);
    expect([...problemsByCode([], new Set())]).toEqual([]);
  });
});

describe('newlySkipped', () => {
  it('tells the skipped objects not skipped in the last pass', () => {
    const a = { kind: 'EvpnVrf' as const, name: 'vrf-1', reason: 'user object' };
    const b = { kind: 'EvpnNetwork' as const, name: 'net-1', reason: 'user object' };
    const first = newlySkipped([a], new Set());
    expect(first.fresh).toEqual([a]);
    const second = newlySkipped([a, b], first.keys);
    expect(second.fresh).toEqual([b]);
    expect([...second.keys]).toEqual(['EvpnVrf/vrf-1', 'EvpnNetwork/net-1']);
  });
});
