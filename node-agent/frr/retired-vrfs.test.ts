import { describe, expect, it } from 'vitest';
import { emptyRetiredVrfs, retireVrfs } from './retired-vrfs.ts';

// What FRR 10.7.1 printed after the e2e's withdrawal: the stanzas stayed, empty.
const running = [
  'frr version 10.7.1',
  'vrf vrf-1010100',
  'exit-vrf',
  '!',
  'vrf vrf-20000',
  ' vni 20000',
  'exit-vrf',
  '!',
  'vrf vrf-30000',
  ' ip route 10.9.0.0/24 blackhole',
  'exit-vrf',
  '!',
  'vrf tenant',
  'exit-vrf',
  '!',
].join('\n');

describe('emptyRetiredVrfs', () => {
  it('names only the retired VRFs FRR shows as an empty block', () => {
    const retired = new Set(['vrf-1010100', 'vrf-20000', 'vrf-30000', 'vrf-40000']);
    // vrf-20000 still has its VNI, vrf-30000 holds someone's route, vrf-40000 is not printed, tenant is not ours.
    expect(emptyRetiredVrfs(running, retired)).toEqual(['vrf-1010100']);
  });

  it('names a VRF once when two daemons print its block', () => {
    const twice = `${running}\nvrf vrf-1010100\nexit-vrf\n`;
    expect(emptyRetiredVrfs(twice, new Set(['vrf-1010100']))).toEqual(['vrf-1010100']);
  });

  it('finds nothing on FRR 8.4, which prints no VRF without configuration', () => {
    expect(emptyRetiredVrfs('frr version 8.4.4\n!\nrouter bgp 65100\nexit\n', new Set(['vrf-1010100']))).toEqual([]);
  });

  it('never names a VRF that was not retired', () => {
    expect(emptyRetiredVrfs(running, new Set())).toEqual([]);
  });
});

describe('retireVrfs', () => {
  it('retires the VRFs an apply took away and keeps the earlier ones', () => {
    const out = retireVrfs(new Set(['vrf-1']), new Set(['vrf-2', 'vrf-3']), new Set(['vrf-3']));
    expect([...out].sort()).toEqual(['vrf-1', 'vrf-2']);
  });

  it('retires a VRF whose stanza the apply changed and that is not wanted: the first apply after a restart', () => {
    const out = retireVrfs(new Set(), new Set(), new Set(['vrf-3']), [
      'vrf vrf-2',
      'vrf vrf-3',
      'router bgp 65000 vrf vrf-2',
    ]);
    expect([...out]).toEqual(['vrf-2']);
  });

  it('a VRF wanted again is no longer retired', () => {
    expect([...retireVrfs(new Set(['vrf-1', 'vrf-2']), new Set(), new Set(['vrf-2']))]).toEqual(['vrf-1']);
  });
});
