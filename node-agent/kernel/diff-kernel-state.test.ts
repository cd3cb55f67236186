// diffKernelState over a whole rendered node; each kind's cases are in diff/.
import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import { NodeConfig } from '../inputs/node-config.ts';
import { diffKernelState, planSize } from './diff-kernel-state.ts';
import { OWNED_LINK_GROUP, ownerAlias } from './ownership.ts';
import { renderKernelState } from './render-kernel-state.ts';

const node = NodeConfig.parse({ nodeName: 'node-1', vtepIp: '10.0.0.1' });
const vrf = (name: string, vni: number): EvpnVrf => ({ apiVersion: API_GROUP_VERSION, kind: 'EvpnVrf', metadata: { name }, spec: { vni } });
const net = (name: string, spec: EvpnNetwork['spec']): EvpnNetwork => ({ apiVersion: API_GROUP_VERSION, kind: 'EvpnNetwork', metadata: { name }, spec });
const ports: EvpnPortSet = { apiVersion: API_GROUP_VERSION, kind: 'EvpnPortSet', metadata: { name: 'a.node-1' },
  spec: { network: 'net-a', nodeName: 'node-1', ports: [{ name: 'p1', mac: '02:00:00:00:01:01', ips: ['10.101.0.11', '192.168.9.9'] }] } };

describe('diffKernelState', () => {
  const vrfs = [vrf('vrf-10100', 10100), vrf('vrf-20000', 20000)];
  const networks = [
    net('net-a', { type: 'l2', vni: 10101, vrf: 'vrf-10100', vlanId: 101, mtu: 1450, subnets: [{ cidr: '10.101.0.0/24', gateway: '10.101.0.1' }], routes: [{ type: 'prefix', destination: '10.20.0.0/24', nexthop: '10.101.0.11' }] }),
    net('net-c', { type: 'l3', vrf: 'vrf-20000', vlanId: 200, subnets: [{ cidr: '10.200.0.0/24', gateway: '10.200.0.1' }] }),
  ];
  const r = renderKernelState(node, vrfs, networks, [ports]);

  it('plans creation from scratch, links before what hangs off them', () => {
    const plan = diffKernelState(r.desired, { links: [], bridgePorts: [], addrs: [], routes: [], neighbors: [], fdb: [] });
    expect(plan.linkDeletes).toEqual([]);
    const created = plan.linkCreates.map((o) => (o.op === 'createLink' ? o.link.name : ''));
    expect(created.indexOf('vrf-10100')).toBeLessThan(created.indexOf('br3-10100'));
    expect(created.indexOf('br-evpn')).toBeLessThan(created.indexOf('br-evpn.101'));
    expect(created).not.toContain('evpn-ovs'); // born with evpn-uplink
    expect(planSize(plan)).toBeGreaterThan(20);
  });

  it('never plans anything for a link whose name is taken by a foreign link', () => {
    const foreign = { index: 7, name: 'vrf-10100', kind: 'vrf', slaveKind: null, mtu: 1500, address: null, master: null, link: null, linkNetnsId: null, alias: null, group: 0, up: true, operstate: 'up' as const, vrf: { table: 5 } };
    const plan = diffKernelState(r.desired, { links: [foreign], bridgePorts: [], addrs: [], routes: [], neighbors: [], fdb: [] });
    expect(plan.blocked).toEqual(['vrf-10100']);
    expect(plan.linkDeletes).toEqual([]);
  });

  it('leaves VLANs and FDB entries of the uplink peer alone once it is plugged into a provider bridge', () => {
    const link = (index: number, name: string, kind: string, master: number | null, owned: boolean) => ({
      index, name, kind, slaveKind: null, mtu: 1500, address: null, master, link: null, linkNetnsId: null,
      alias: owned ? ownerAlias('x') : null, group: owned ? OWNED_LINK_GROUP : 0, up: true, operstate: 'up' as const,
    });
    const links = [link(1, 'br-prov', 'bridge', null, false), link(2, 'evpn-ovs', 'veth', 1, true)];
    const vlan = { vid: 101, pvid: false, untagged: false };
    const plan = diffKernelState({ ...r.desired, bridgeVlans: [], fdb: [] }, {
      links, addrs: [], routes: [], neighbors: [],
      bridgePorts: [{ index: 2, name: 'evpn-ovs', master: 1, vlans: [vlan], learning: true, neighSuppress: false }],
      fdb: [{ index: 2, mac: '02:00:00:00:09:09', vlan: 101, dst: null, vni: null, port: null, master: 1, self: false, externLearn: false, state: 0x40, states: ['noarp'], flags: 0 }],
    });
    expect(plan.removes.filter((o) => o.op === 'delBridgeVlan' || o.op === 'delFdb')).toEqual([]);
  });
});
