import { describe, expect, it } from 'vitest';
import type { EvpnNetworkSpec } from '../../crds/index.ts';
import { WriteExpectations } from '../reconcile/write-expectations.ts';
import { dropWritesAlreadyMade, isOwnEcho } from './echo-filter.ts';
import { desiredFingerprint, type DesiredObject, type PlannedDelete } from './plan-mirror.ts';

const netSpec: EvpnNetworkSpec = { type: 'l2', vni: 16_000_001, vrf: 'vrf-10100', vlanId: 7 };
const apply: DesiredObject = { kind: 'EvpnNetwork', name: 'net-a', labels: {}, spec: netSpec };
const del: PlannedDelete = { kind: 'EvpnNetwork', name: 'net-a', uid: 'uid-1' };
const liveAt = (resourceVersion: string) => new Map([['EvpnNetwork/net-a', { metadata: { resourceVersion } }]]);

function written(before: string | undefined, after: string, d: DesiredObject = apply): WriteExpectations {
  const e = new WriteExpectations();
  e.recordWrite('EvpnNetwork/net-a', before, after, desiredFingerprint(d));
  return e;
}

describe('dropWritesAlreadyMade', () => {
  const cases: {
    name: string;
    expected: WriteExpectations;
    live: Map<string, { metadata: { resourceVersion: string } }>;
    applies: number;
    staleWrites: string[];
  }[] = [
    {
      name: 'nothing written: the apply goes ahead',
      expected: new WriteExpectations(),
      live: liveAt('5'),
      applies: 1,
      staleWrites: [],
    },
    {
      name: 'cache still before our write of the same content: skipped',
      expected: written('5', '6'),
      live: liveAt('5'),
      applies: 0,
      staleWrites: [],
    },
    {
      name: 'cache before our write, but the plan asks for other content: applied',
      expected: written('5', '6', { ...apply, spec: { ...netSpec, vlanId: 9 } }),
      live: liveAt('5'),
      applies: 1,
      staleWrites: [],
    },
    {
      name: 'cache caught up with our write: applied and the expectation is stale',
      expected: written('5', '6'),
      live: liveAt('6'),
      applies: 1,
      staleWrites: ['EvpnNetwork/net-a'],
    },
    {
      name: 'we created it and the cache has not seen it yet: skipped',
      expected: written(undefined, '6'),
      live: new Map(),
      applies: 0,
      staleWrites: [],
    },
  ];
  it.each(cases)('$name', ({ expected, live, applies, staleWrites }) => {
    const out = dropWritesAlreadyMade({ applies: [apply], deletes: [] }, live, expected);
    expect(out.applies).toHaveLength(applies);
    expect(out.stale).toEqual({ writes: staleWrites, deletes: [] });
  });

  it('skips a delete while the cache still shows the same object', () => {
    const e = new WriteExpectations();
    e.recordDelete('EvpnNetwork/net-a', 'uid-1');
    expect(dropWritesAlreadyMade({ applies: [], deletes: [del] }, new Map(), e)).toEqual({
      applies: [],
      deletes: [],
      stale: { writes: [], deletes: [] },
    });
    const other = { ...del, uid: 'uid-2' };
    expect(dropWritesAlreadyMade({ applies: [], deletes: [other] }, new Map(), e)).toEqual({
      applies: [],
      deletes: [other],
      stale: { writes: [], deletes: ['EvpnNetwork/net-a'] },
    });
  });

  it('keeps a delete nothing is known about', () => {
    expect(dropWritesAlreadyMade({ applies: [], deletes: [del] }, new Map(), new WriteExpectations()).deletes).toEqual([
      del,
    ]);
  });
});

describe('isOwnEcho', () => {
  const e = written('5', '6');
  e.recordDelete('EvpnVrf/vrf-1', 'uid-v');
  const cases: {
    name: string;
    kind: string;
    obj: { metadata: { name: string; resourceVersion?: string; uid?: string } };
    deleted: boolean;
    echo: boolean;
  }[] = [
    {
      name: 'our write coming back',
      kind: 'EvpnNetwork',
      obj: { metadata: { name: 'net-a', resourceVersion: '6' } },
      deleted: false,
      echo: true,
    },
    {
      name: 'a newer version someone else wrote',
      kind: 'EvpnNetwork',
      obj: { metadata: { name: 'net-a', resourceVersion: '7' } },
      deleted: false,
      echo: false,
    },
    {
      name: 'the same name of another kind',
      kind: 'EvpnVrf',
      obj: { metadata: { name: 'net-a', resourceVersion: '6' } },
      deleted: false,
      echo: false,
    },
    {
      name: 'our delete coming back',
      kind: 'EvpnVrf',
      obj: { metadata: { name: 'vrf-1', uid: 'uid-v' } },
      deleted: true,
      echo: true,
    },
    {
      name: 'a delete of a recreated object (other uid)',
      kind: 'EvpnVrf',
      obj: { metadata: { name: 'vrf-1', uid: 'uid-w' } },
      deleted: true,
      echo: false,
    },
    {
      name: 'a delete without a uid',
      kind: 'EvpnNetwork',
      obj: { metadata: { name: 'net-a', resourceVersion: '6' } },
      deleted: true,
      echo: false,
    },
    {
      name: 'an object without a resourceVersion',
      kind: 'EvpnNetwork',
      obj: { metadata: { name: 'net-a' } },
      deleted: false,
      echo: false,
    },
  ];
  it.each(cases)('$name', ({ kind, obj, deleted, echo }) => {
    expect(isOwnEcho(e, kind, obj, deleted)).toBe(echo);
  });
});
