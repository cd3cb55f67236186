import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import { diffKernelState, planSize } from './diff-kernel-state.ts';
import { OWNED_LINK_GROUP, ownerAlias } from '../kernel/ownership.ts';
import { NodeConfig } from './node-config.ts';
import { renderKernelState, VRF_UNREACHABLE_METRIC } from './render-kernel-state.ts';
import { selectApplicable } from './select-applicable.ts';

const node = NodeConfig.parse({ nodeName: 'node-1', vtepIp: '10.0.0.1' });
const vrf = (name: string, vni: number): EvpnVrf => ({ apiVersion: API_GROUP_VERSION, kind: 'EvpnVrf', metadata: { name }, spec: { vni } });
const net = (name: string, spec: EvpnNetwork['spec']): EvpnNetwork => ({ apiVersion: API_GROUP_VERSION, kind: 'EvpnNetwork', metadata: { name }, spec });
const ports: EvpnPortSet = { apiVersion: API_GROUP_VERSION, kind: 'EvpnPortSet', metadata: { name: 'a.node-1' },
  spec: { network: 'net-a', nodeName: 'node-1', ports: [{ name: 'p1', mac: '02:00:00:00:01:01', ips: ['10.101.0.11', '192.168.9.9'] }] } };

describe('renderKernelState', () => {
  const vrfs = [vrf('vrf-10100', 10100), vrf('vrf-20000', 20000)];
  const networks = [
    net('net-a', { type: 'l2', vni: 10101, vrf: 'vrf-10100', vlanId: 101, mtu: 1450, subnets: [{ cidr: '10.101.0.0/24', gateway: '10.101.0.1' }], routes: [{ type: 'prefix', destination: '10.20.0.0/24', nexthop: '10.101.0.11' }] }),
    net('net-c', { type: 'l3', vrf: 'vrf-20000', vlanId: 200, subnets: [{ cidr: '10.200.0.0/24', gateway: '10.200.0.1' }] }),
  ];
  const r = renderKernelState(node, vrfs, networks, [ports]);

  it('renders the VRF devices with the default table and the unreachable default', () => {
    expect(r.desired.links.find((l) => l.name === 'vrf-10100')).toMatchObject({ kind: 'vrf', table: 1010100 });
    expect(r.desired.links.find((l) => l.name === 'vx3-10100')).toMatchObject({ kind: 'vxlan', vni: 10100, local: '10.0.0.1', port: 4789, learning: false, master: 'br3-10100' });
    expect(r.desired.routes).toContainEqual({ table: 1010100, dst: 'default', type: 'unreachable', metric: VRF_UNREACHABLE_METRIC, family: 4 });
  });

  it('puts the L2VNI as an untagged pvid access port and gives the IRB a bridge self VLAN', () => {
    expect(r.desired.bridgeVlans).toContainEqual({ dev: 'vx-10101', vid: 101, pvid: true, untagged: true });
    expect(r.desired.bridgeVlans).toContainEqual({ dev: 'br-evpn', vid: 101, self: true });
    expect(r.desired.links.find((l) => l.name === 'br-evpn')).toMatchObject({ address: node.anycastGatewayMac, vlanFiltering: true });
    expect(r.desired.links.find((l) => l.name === 'br-evpn.101')).toMatchObject({ kind: 'vlan', link: 'br-evpn', vlanId: 101, master: 'vrf-10100', mtu: 1450 });
    expect(r.desired.addrs).toContainEqual({ dev: 'br-evpn.101', address: '10.101.0.1/24' });
  });

  it('turns local ports into static FDB entries and neighbours inside the subnet only', () => {
    expect(r.desired.fdb).toEqual([{ dev: 'evpn-uplink', mac: '02:00:00:00:01:01', vlan: 101, master: true, state: 'static' }]);
    expect(r.desired.neighbors).toEqual([{ dev: 'br-evpn.101', dst: '10.101.0.11', lladdr: '02:00:00:00:01:01', state: 'permanent' }]);
  });

  it('routes an l3 network\'s subnet into its VRF, and port association routes too', () => {
    expect(r.desired.routes).toContainEqual({ table: 1020000, dst: '10.200.0.0/24', dev: 'br-evpn.200' });
    expect(r.desired.routes).toContainEqual({ table: 1010100, dst: '10.20.0.0/24', via: '10.101.0.11' });
    expect(r.desired.links.some((l) => l.name.startsWith('vx-') && l.name !== 'vx-10101')).toBe(false);
  });

  it('keeps every name within 15 characters even at the largest numbers', () => {
    const big = renderKernelState(node, [vrf('v', 16777215)], [net('n', { type: 'l2', vni: 16777214, vrf: 'v', vlanId: 4094 })], []);
    for (const l of big.desired.links) expect(l.name.length).toBeLessThanOrEqual(15);
  });

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

  it('renders nothing at all when nothing is desired, so teardown leaves a clean node', () => {
    expect(renderKernelState(node, [], [], []).desired.links).toEqual([]);
  });
});

describe('selectApplicable', () => {
  it('refuses the newcomer that claims a VLAN in use, and the holder keeps working', () => {
    const older = net('b', { type: 'l2', vni: 12, vrf: 'v', vlanId: 5 });
    older.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    const newer = net('a', { type: 'l2', vni: 11, vrf: 'v', vlanId: 5 });
    newer.metadata.creationTimestamp = '2026-02-01T00:00:00Z';
    const s = selectApplicable([vrf('v', 10)], [newer, older, net('c', { type: 'l2', vni: 13, vrf: 'v', vlanId: 6 })]);
    expect(s.networks.map((n) => n.metadata.name).sort()).toEqual(['b', 'c']);
    expect(s.rejectedNetworks.get('a')?.message).toBe('EVPN-004: VLAN 5 is already used by EvpnNetwork b');
  });
  it('refuses an L2VNI equal to an L3VNI (measured: one VNI cannot be both)', () => {
    const s = selectApplicable([vrf('v', 10)], [net('a', { type: 'l2', vni: 10, vrf: 'v', vlanId: 5 })]);
    expect(s.rejectedNetworks.get('a')?.message).toContain('one VNI cannot be both');
  });
  it('reports a missing VRF as EVPN-003', () => {
    const s = selectApplicable([], [net('a', { type: 'l3', vrf: 'nope', vlanId: 5 })]);
    expect(s.rejectedNetworks.get('a')).toMatchObject({ code: 'EVPN-003', reason: 'VrfNotFound' });
  });
  it('skips a mirrored network OVN gives no VLAN path (flat/Geneve), not a user l3 network without VLAN', () => {
    const s = selectApplicable([vrf('v', 10)], [net('a', { type: 'l2', vni: 11, vrf: 'v', source: { association: 'network', networkId: 'a' } }), net('u', { type: 'l3', vrf: 'v' })]);
    expect(s.rejectedNetworks.get('a')).toMatchObject({ code: 'EVPN-001', reason: 'NoProviderPath' });
    expect(s.networks.map((n) => n.metadata.name)).toEqual(['u']);
  });
});
