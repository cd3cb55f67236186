import { describe, expect, it } from 'vitest';
import type { Addr, AddrSpec } from '../netlink/addr-route-codec.ts';
import { diffAddrs } from './addrs.ts';
import type { KindPlan } from './context.ts';
import { addr, ctx } from '../../../test/fixtures/node-agent/kernel-diff.ts';

describe('diffAddrs: from → to', () => {
  const cases: { name: string; from: Addr[]; to: AddrSpec[]; cycled?: string[]; plan: Partial<KindPlan> }[] = [
    {
      name: 'an IPv6 gateway on a link this pass enslaves again (the cycle drops it) → put back',
      from: [addr(3, 'fd00:101::1', 64)],
      to: [{ dev: 'br-evpn.101', address: 'fd00:101::1/64' }],
      cycled: ['br-evpn.101'],
      plan: { creates: [{ op: 'replaceAddr', addr: { dev: 'br-evpn.101', address: 'fd00:101::1/64' } }] },
    },
    {
      name: 'none → a gateway address: added',
      from: [],
      to: [{ dev: 'br-evpn.101', address: '10.101.0.1/24' }],
      plan: { creates: [{ op: 'replaceAddr', addr: { dev: 'br-evpn.101', address: '10.101.0.1/24' } }] },
    },
    {
      name: 'the same address, spelt differently → nothing',
      from: [addr(3, 'fd00:101:0:0::1', 64)],
      to: [{ dev: 'br-evpn.101', address: 'fd00:101::1/64' }],
      plan: {},
    },
    {
      name: 'another prefix length → old removed, new added',
      from: [addr(3, '10.101.0.1', 16)],
      to: [{ dev: 'br-evpn.101', address: '10.101.0.1/24' }],
      plan: {
        removes: [{ op: 'delAddr', addr: { dev: 'br-evpn.101', address: '10.101.0.1/16' } }],
        creates: [{ op: 'replaceAddr', addr: { dev: 'br-evpn.101', address: '10.101.0.1/24' } }],
      },
    },
    {
      name: 'a link-local address the kernel gave → left alone',
      from: [addr(3, 'fe80::1', 64, { scope: 253 })],
      to: [],
      plan: {},
    },
    { name: 'an address on a foreign link → left alone', from: [addr(5, '192.0.2.1', 24)], to: [], plan: {} },
    {
      name: 'an address on an owned link being deleted → not removed separately',
      from: [addr(4, '192.0.2.4', 24)],
      to: [],
      plan: {},
    },
  ];
  it.each(cases)('$name', ({ from, to, cycled, plan }) => {
    expect(diffAddrs(to, from, ctx(cycled))).toEqual({ removes: [], creates: [], ...plan });
  });
});
