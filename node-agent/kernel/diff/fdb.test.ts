import { describe, expect, it } from 'vitest';
import type { FdbEntry, FdbSpec } from '../netlink/neigh-codec.ts';
import type { KindPlan } from './context.ts';
import { diffFdb } from './fdb.ts';
import { ctx, fdbEntry, NUD_PERMANENT } from '../../../test/fixtures/node-agent/kernel-diff.ts';

const want: FdbSpec = { dev: 'vx-101', mac: '02:00:00:00:01:01', vlan: 101, master: true, state: 'static' };

describe('diffFdb: from → to', () => {
  const cases: { name: string; from: FdbEntry[]; to: FdbSpec[]; cycled?: string[]; plan: Partial<KindPlan> }[] = [
    {
      name: 'the same entry on a port this pass enslaves again → put back',
      from: [fdbEntry(2, '02:00:00:00:01:01', 101, 1)],
      to: [want],
      cycled: ['vx-101'],
      plan: { creates: [{ op: 'replaceFdb', fdb: want }] },
    },
    {
      name: 'none → a static port MAC: replaced in',
      from: [],
      to: [want],
      plan: { creates: [{ op: 'replaceFdb', fdb: want }] },
    },
    {
      name: 'the same entry, MAC in upper case → nothing',
      from: [fdbEntry(2, '02:00:00:00:01:01'.toUpperCase(), 101, 1)],
      to: [want],
      plan: {},
    },
    {
      name: 'the MAC in another VLAN → old removed, new in',
      from: [fdbEntry(2, '02:00:00:00:01:01', 102, 1)],
      to: [want],
      plan: {
        removes: [{ op: 'delFdb', fdb: { dev: 'vx-101', mac: '02:00:00:00:01:01', vlan: 102, master: true } }],
        creates: [{ op: 'replaceFdb', fdb: want }],
      },
    },
    {
      name: 'a static entry nobody wants → removed',
      from: [fdbEntry(2, '02:00:00:00:01:02', 101, 1)],
      to: [],
      plan: { removes: [{ op: 'delFdb', fdb: { dev: 'vx-101', mac: '02:00:00:00:01:02', vlan: 101, master: true } }] },
    },
    {
      name: 'a learnt entry (not noarp) → left alone',
      from: [fdbEntry(2, '02:00:00:00:01:02', 101, 1, { state: 0x02 })],
      to: [],
      plan: {},
    },
    {
      name: "zebra's entry (extern_learn) → left alone",
      from: [fdbEntry(2, '02:00:00:00:01:02', 101, 1, { externLearn: true })],
      to: [],
      plan: {},
    },
    {
      name: 'a vxlan self entry (the flood list) → left alone',
      from: [fdbEntry(2, '00:00:00:00:00:00', null, null, { self: true, state: NUD_PERMANENT })],
      to: [],
      plan: {},
    },
    {
      name: 'a permanent entry → left alone',
      from: [fdbEntry(2, '02:00:00:00:01:02', 101, 1, { state: NUD_PERMANENT })],
      to: [],
      plan: {},
    },
    {
      name: "our uplink peer's entry in a foreign bridge → left alone",
      from: [fdbEntry(6, '02:00:00:00:09:09', 101, 5)],
      to: [],
      plan: {},
    },
  ];
  it.each(cases)('$name', ({ from, to, cycled, plan }) => {
    expect(diffFdb(to, from, ctx(cycled))).toEqual({ removes: [], creates: [], ...plan });
  });

  it('a static entry stranded in a VLAN its port lost → the VLAN put back for the removal, then taken away', () => {
    const stranded = fdbEntry(2, '02:00:00:00:01:02', 101, 1);
    expect(diffFdb([], [stranded], ctx(), new Map([['vx-101', new Set([102])]]))).toEqual({
      creates: [],
      removes: [
        { op: 'addBridgeVlan', vlan: { dev: 'vx-101', vid: 101 } },
        { op: 'delFdb', fdb: { dev: 'vx-101', mac: '02:00:00:00:01:02', vlan: 101, master: true } },
        { op: 'delBridgeVlan', vlan: { dev: 'vx-101', vid: 101 } },
      ],
    });
    expect(diffFdb([], [stranded], ctx(), new Map([['vx-101', new Set([101])]])).removes).toEqual([
      { op: 'delFdb', fdb: { dev: 'vx-101', mac: '02:00:00:00:01:02', vlan: 101, master: true } },
    ]);
  });
});
