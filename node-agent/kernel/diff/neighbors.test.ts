import { describe, expect, it } from 'vitest';
import type { Neighbor, NeighborSpec } from '../netlink/neigh-codec.ts';
import type { KindPlan } from './context.ts';
import { diffNeighbors } from './neighbors.ts';
import { ctx, neigh, NUD_REACHABLE } from '../../../test/fixtures/node-agent/kernel-diff.ts';

const want: NeighborSpec = { dev: 'br-evpn.101', dst: '10.101.0.11', lladdr: '02:00:00:00:01:01', state: 'permanent' };

describe('diffNeighbors: from → to', () => {
  const cases: { name: string; from: Neighbor[]; to: NeighborSpec[]; cycled?: string[]; plan: Partial<KindPlan> }[] = [
    {
      name: 'none → a port neighbour: replaced in',
      from: [],
      to: [want],
      plan: { creates: [{ op: 'replaceNeighbor', neighbor: want }] },
    },
    {
      name: 'the same entry, MAC in upper case → nothing',
      from: [neigh(3, '10.101.0.11', '02:00:00:00:01:01'.toUpperCase())],
      to: [want],
      plan: {},
    },
    {
      name: 'the same entry on a link this pass cycles → put back',
      from: [neigh(3, '10.101.0.11', '02:00:00:00:01:01')],
      to: [want],
      cycled: ['br-evpn.101'],
      plan: { creates: [{ op: 'replaceNeighbor', neighbor: want }] },
    },
    {
      name: 'another MAC → replaced (no delete first)',
      from: [neigh(3, '10.101.0.11', '02:00:00:00:09:09')],
      to: [want],
      plan: { creates: [{ op: 'replaceNeighbor', neighbor: want }] },
    },
    {
      name: 'a permanent entry nobody wants → removed',
      from: [neigh(3, '10.101.0.12', '02:00:00:00:01:02')],
      to: [],
      plan: {
        removes: [
          { op: 'delNeighbor', neighbor: { dev: 'br-evpn.101', dst: '10.101.0.12', lladdr: '02:00:00:00:01:02' } },
        ],
      },
    },
    {
      name: 'a learnt (reachable) entry → left alone',
      from: [neigh(3, '10.101.0.12', '02:00:00:00:01:02', { state: NUD_REACHABLE })],
      to: [],
      plan: {},
    },
    {
      name: 'a zebra entry (extern_learn) → left alone',
      from: [neigh(3, '10.101.0.12', '02:00:00:00:01:02', { flags: 0x10 })],
      to: [],
      plan: {},
    },
    {
      name: 'an entry on a foreign link → left alone',
      from: [neigh(5, '10.101.0.12', '02:00:00:00:01:02')],
      to: [],
      plan: {},
    },
  ];
  it.each(cases)('$name', ({ from, to, cycled, plan }) => {
    expect(diffNeighbors(to, from, ctx(cycled))).toEqual({ removes: [], creates: [], ...plan });
  });
});
