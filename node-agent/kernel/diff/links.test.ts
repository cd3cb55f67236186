import { describe, expect, it } from 'vitest';
import type { LinkSpec } from '../netlink/link-codec.ts';
import { OWNED_LINK_GROUP, ownerAlias } from '../ownership.ts';
import { diffLinks, type LinkPlan } from './links.ts';
import { link } from '../../../test/fixtures/node-agent/kernel-diff.ts';

const marks = { alias: ownerAlias('x'), group: OWNED_LINK_GROUP, up: true };
const empty: LinkPlan = { linkDeletes: [], linkCreates: [], updates: [], blocked: [] };

describe('diffLinks: from → to', () => {
  const cases: { name: string; from: ReturnType<typeof link>[]; to: LinkSpec[]; plan: Partial<LinkPlan> }[] = [
    {
      name: 'nothing → a VRF: created',
      from: [],
      to: [{ name: 'vrf-1', kind: 'vrf', table: 11, ...marks }],
      plan: { linkCreates: [{ op: 'createLink', link: { name: 'vrf-1', kind: 'vrf', table: 11, ...marks } }] },
    },
    {
      name: 'a matching VRF → the same: nothing',
      from: [link(1, 'vrf-1', 'vrf', { vrf: { table: 11 } })],
      to: [{ name: 'vrf-1', kind: 'vrf', table: 11, ...marks }],
      plan: {},
    },
    {
      name: 'MTU 1500 → 9000: updated in place',
      from: [link(1, 'd0', 'dummy')],
      to: [{ name: 'd0', kind: 'dummy', mtu: 9000, ...marks }],
      plan: { updates: [{ op: 'setLink', name: 'd0', change: { mtu: 9000 } }] },
    },
    {
      name: 'a VRF on table 11 → table 12: deleted and re-created',
      from: [link(1, 'vrf-1', 'vrf', { vrf: { table: 11 } })],
      to: [{ name: 'vrf-1', kind: 'vrf', table: 12, ...marks }],
      plan: {
        linkDeletes: ['vrf-1'],
        linkCreates: [{ op: 'createLink', link: { name: 'vrf-1', kind: 'vrf', table: 12, ...marks } }],
      },
    },
    {
      name: 'a dummy → a bridge of the same name: deleted and re-created',
      from: [link(1, 'x0', 'dummy')],
      to: [{ name: 'x0', kind: 'bridge', ...marks }],
      plan: {
        linkDeletes: ['x0'],
        linkCreates: [{ op: 'createLink', link: { name: 'x0', kind: 'bridge', ...marks } }],
      },
    },
    {
      name: 'a vxlan with another VNI → re-created',
      from: [link(1, 'vx-1', 'vxlan', { vxlan: { vni: 1, local: '10.0.0.1', port: 4789, learning: false } })],
      to: [{ name: 'vx-1', kind: 'vxlan', vni: 2, local: '10.0.0.1', ...marks }],
      plan: {
        linkDeletes: ['vx-1'],
        linkCreates: [{ op: 'createLink', link: { name: 'vx-1', kind: 'vxlan', vni: 2, local: '10.0.0.1', ...marks } }],
      },
    },
    {
      name: 'an owned link nobody wants → deleted',
      from: [link(1, 'old', 'dummy')],
      to: [],
      plan: { linkDeletes: ['old'] },
    },
    {
      name: 'a foreign link nobody wants → left alone',
      from: [link(1, 'eth0', 'veth', { owned: false })],
      to: [],
      plan: {},
    },
    {
      name: 'a foreign link holding a wanted name → blocked, never touched',
      from: [link(1, 'vrf-1', 'vrf', { owned: false, vrf: { table: 5 } })],
      to: [{ name: 'vrf-1', kind: 'vrf', table: 11, ...marks }],
      plan: { blocked: ['vrf-1'] },
    },
    {
      name: 'a foreign master → enslaved to ours',
      from: [link(1, 'vrf-1', 'vrf', { vrf: { table: 11 } }), link(2, 'd0', 'dummy', { master: null })],
      to: [
        { name: 'vrf-1', kind: 'vrf', table: 11, ...marks },
        { name: 'd0', kind: 'dummy', master: 'vrf-1', ...marks },
      ],
      plan: { updates: [{ op: 'setLink', name: 'd0', change: { master: 'vrf-1' } }] },
    },
    {
      name: 'a VRF re-created on another table → its port enslaved again',
      from: [
        link(1, 'vrf-1', 'vrf', { vrf: { table: 11 } }),
        link(2, 'br3-1', 'bridge', { master: 1, bridge: { vlanFiltering: true, vlanDefaultPvid: 0, stp: false } }),
      ],
      to: [
        { name: 'vrf-1', kind: 'vrf', table: 12, ...marks },
        { name: 'br3-1', kind: 'bridge', master: 'vrf-1', ...marks },
      ],
      plan: {
        linkDeletes: ['vrf-1'],
        linkCreates: [{ op: 'createLink', link: { name: 'vrf-1', kind: 'vrf', table: 12, ...marks } }],
        updates: [{ op: 'setLink', name: 'br3-1', change: { master: 'vrf-1' } }],
      },
    },
    {
      name: 'a bridge re-created → the VLAN device on it (which dies with it) re-created',
      from: [
        link(1, 'br0', 'bridge', { bridge: { vlanFiltering: false, vlanDefaultPvid: 0, stp: false } }),
        link(2, 'br0.7', 'vlan', { link: 1, vlan: { id: 7 } }),
      ],
      to: [
        { name: 'br0', kind: 'bridge', vlanFiltering: true, ...marks },
        { name: 'br0.7', kind: 'vlan', link: 'br0', vlanId: 7, ...marks },
      ],
      plan: {
        linkDeletes: ['br0', 'br0.7'],
        linkCreates: [
          { op: 'createLink', link: { name: 'br0', kind: 'bridge', vlanFiltering: true, ...marks } },
          { op: 'createLink', link: { name: 'br0.7', kind: 'vlan', link: 'br0', vlanId: 7, ...marks } },
        ],
      },
    },
    {
      name: 'nothing → a veth pair: one create, the peer gets its marks as an update',
      from: [],
      to: [
        { name: 'up0', kind: 'veth', peer: { name: 'up1' }, ...marks },
        { name: 'up1', kind: 'veth', peer: { name: 'up0' }, ...marks },
      ],
      plan: {
        linkCreates: [{ op: 'createLink', link: { name: 'up0', kind: 'veth', peer: { name: 'up1' }, ...marks } }],
        updates: [{ op: 'setLink', name: 'up1', change: marks }],
      },
    },
  ];
  it.each(cases)('$name', ({ from, to, plan }) => {
    expect(diffLinks(to, from)).toEqual({ ...empty, ...plan });
  });
});
