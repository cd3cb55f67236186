import { describe, expect, it } from 'vitest';
import type { EvpnNetworkSpec } from '../../crds/index.ts';
import { desiredFingerprint } from '../mirror/plan-mirror.ts';
import { WriteExpectations } from './write-expectations.ts';

const netSpec: EvpnNetworkSpec = { type: 'l2', vni: 16_000_001, vrf: 'vrf-10100', vlanId: 7 };

describe('WriteExpectations', () => {
  const d = { kind: 'EvpnNetwork' as const, name: 'net-a', labels: {}, spec: netSpec };
  it('skips a write the cache has not caught up with, and stops once it has', () => {
    const e = new WriteExpectations();
    e.recordWrite('EvpnNetwork/net-a', '5', '6', desiredFingerprint(d));
    expect(e.alreadyWritten('EvpnNetwork/net-a', '5', desiredFingerprint(d))).toBe(true);
    expect(
      e.alreadyWritten('EvpnNetwork/net-a', '5', desiredFingerprint({ ...d, spec: { ...netSpec, vlanId: 9 } })),
    ).toBe(false);
    expect(e.alreadyWritten('EvpnNetwork/net-a', '6', desiredFingerprint(d))).toBe(false);
    expect(e.alreadyWritten('EvpnNetwork/net-a', '5', desiredFingerprint(d))).toBe(false);
  });
  it('forgets a delete once told it is stale, and a write when the object is deleted', () => {
    const e = new WriteExpectations();
    e.recordWrite('EvpnNetwork/net-a', '5', '6', desiredFingerprint(d));
    e.recordDelete('EvpnNetwork/net-a', 'uid-1');
    expect(e.write('EvpnNetwork/net-a')).toBeUndefined();
    expect(e.deleted('EvpnNetwork/net-a')).toEqual({ uid: 'uid-1' });
    e.forget({ writes: [], deletes: ['EvpnNetwork/net-a'] });
    expect(e.deleted('EvpnNetwork/net-a')).toBeUndefined();
    expect(e.size).toBe(0);
  });
});
