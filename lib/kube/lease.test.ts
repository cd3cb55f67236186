import { describe, expect, it } from 'vitest';
import { claimedLease, newLease, releasedLease, type Lease } from './lease.ts';

const held = (holder: string | null, transitions = 3): Lease => ({
  metadata: { name: 'op', namespace: 'ns', resourceVersion: '7' },
  spec: {
    holderIdentity: holder,
    leaseDurationSeconds: 15,
    acquireTime: 'T0',
    renewTime: 'T1',
    leaseTransitions: transitions,
  },
});

describe('lease records', () => {
  it('renews our own lease: acquireTime and transitions stay, resourceVersion is kept for the conditional PUT', () => {
    expect(claimedLease(held('me'), 'me', 15, 'T2')).toEqual({
      ...held('me'),
      spec: { ...held('me').spec, renewTime: 'T2' },
    });
  });
  it("takes over another holder's or a released lease: a new acquireTime and one more transition", () => {
    for (const from of ['other', null]) {
      expect(claimedLease(held(from), 'me', 15, 'T2').spec).toEqual({
        holderIdentity: 'me',
        leaseDurationSeconds: 15,
        acquireTime: 'T2',
        renewTime: 'T2',
        leaseTransitions: 4,
      });
    }
  });
  it('creates with no transitions and releases with no holder', () => {
    expect(newLease({ name: 'op', namespace: 'ns' }, 'me', 15, 'T0').spec).toEqual({
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      acquireTime: 'T0',
      renewTime: 'T0',
      leaseTransitions: 0,
    });
    expect(releasedLease(held('me'), 'T9').spec).toMatchObject({
      holderIdentity: null,
      leaseDurationSeconds: 1,
      renewTime: 'T9',
      acquireTime: 'T9',
    });
  });
});
