import { describe, expect, it } from 'vitest';
import type { BridgeVlanSpec } from '../netlink/bridge-codec.ts';
import type { BridgePort } from '../netlink/bridge-codec.ts';
import { diffBridgeVlans } from './bridge-vlans.ts';
import type { KindPlan } from './context.ts';
import { ctx, port } from '../../../test/fixtures/node-agent/kernel-diff.ts';

const v = (vid: number, pvid = false, untagged = false) => ({ vid, pvid, untagged });

describe('diffBridgeVlans: from → to', () => {
  const cases: {
    name: string;
    from: BridgePort[];
    to: BridgeVlanSpec[];
    cycled?: string[];
    plan: Partial<KindPlan>;
  }[] = [
    {
      name: 'the same VLAN on a port this pass enslaves again → put back',
      from: [port(2, 'vx-101', 1, { vlans: [v(101, true, true)] })],
      to: [{ dev: 'vx-101', vid: 101, pvid: true, untagged: true }],
      cycled: ['vx-101'],
      plan: { creates: [{ op: 'addBridgeVlan', vlan: { dev: 'vx-101', vid: 101, pvid: true, untagged: true } }] },
    },
    {
      name: 'none → an access VLAN on an owned port: added',
      from: [port(2, 'vx-101', 1)],
      to: [{ dev: 'vx-101', vid: 101, pvid: true, untagged: true }],
      plan: { creates: [{ op: 'addBridgeVlan', vlan: { dev: 'vx-101', vid: 101, pvid: true, untagged: true } }] },
    },
    {
      name: 'the same VLAN → the same: nothing',
      from: [port(2, 'vx-101', 1, { vlans: [v(101, true, true)] })],
      to: [{ dev: 'vx-101', vid: 101, pvid: true, untagged: true }],
      plan: {},
    },
    {
      name: 'tagged → pvid untagged: re-added with the new flags',
      from: [port(2, 'vx-101', 1, { vlans: [v(101)] })],
      to: [{ dev: 'vx-101', vid: 101, pvid: true, untagged: true }],
      plan: { creates: [{ op: 'addBridgeVlan', vlan: { dev: 'vx-101', vid: 101, pvid: true, untagged: true } }] },
    },
    {
      name: 'an unwanted VLAN on an owned port → removed',
      from: [port(2, 'vx-101', 1, { vlans: [v(7)] })],
      to: [],
      plan: { removes: [{ op: 'delBridgeVlan', vlan: { dev: 'vx-101', vid: 7, pvid: false, untagged: false } }] },
    },
    {
      name: 'an unwanted VLAN on the owned bridge itself → removed with self',
      from: [port(1, 'br-evpn', 1, { vlans: [v(7)] })],
      to: [],
      plan: {
        removes: [{ op: 'delBridgeVlan', vlan: { dev: 'br-evpn', vid: 7, pvid: false, untagged: false, self: true } }],
      },
    },
    {
      name: 'VLANs of our uplink peer in a foreign bridge → left alone',
      from: [port(6, 'evpn-ovs', 5, { vlans: [v(101)] })],
      to: [],
      plan: {},
    },
    {
      name: 'VLANs of an owned link being deleted → not counted',
      from: [port(4, 'gone-0', 1, { vlans: [v(9)] })],
      to: [],
      plan: {},
    },
  ];
  it.each(cases)('$name', ({ from, to, cycled, plan }) => {
    expect(diffBridgeVlans(to, from, ctx(cycled))).toEqual({ removes: [], creates: [], ...plan });
  });
});
