import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import { NodeConfig } from '../inputs/node-config.ts';
import { renderKernelState } from './render-kernel-state.ts';
import { VRF_UNREACHABLE_METRIC } from './render-node-devices.ts';

const node = NodeConfig.parse({ nodeName: 'node-1', vtepIp: '10.0.0.1' });
const vrf = (name: string, vni: number): EvpnVrf => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnVrf',
  metadata: { name },
  spec: { vni },
});
const net = (name: string, spec: EvpnNetwork['spec']): EvpnNetwork => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNetwork',
  metadata: { name },
  spec,
});
const ports: EvpnPortSet = {
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnPortSet',
  metadata: { name: 'a.node-1' },
  spec: {
    network: 'net-a',
    nodeName: 'node-1',
    ports: [{ name: 'p1', mac: '02:00:00:00:01:01', ips: ['10.101.0.11', '192.168.9.9'] }],
  },
};

describe('renderKernelState', () => {
  const vrfs = [vrf('vrf-10100', 10100), vrf('vrf-20000', 20000)];
  const networks = [
    net('net-a', {
      type: 'l2',
      vni: 10101,
      vrf: 'vrf-10100',
      vlanId: 101,
      mtu: 1450,
      subnets: [{ cidr: '10.101.0.0/24', gateway: '10.101.0.1' }],
      routes: [{ type: 'prefix', destination: '10.20.0.0/24', nexthop: '10.101.0.11' }],
    }),
    net('net-c', {
      type: 'l3',
      vrf: 'vrf-20000',
      vlanId: 200,
      subnets: [{ cidr: '10.200.0.0/24', gateway: '10.200.0.1' }],
    }),
  ];
  const r = renderKernelState(node, vrfs, networks, [ports]);

  it('renders the VRF devices with the default table and the unreachable default', () => {
    expect(r.desired.links.find((l) => l.name === 'vrf-10100')).toMatchObject({ kind: 'vrf', table: 1010100 });
    expect(r.desired.links.find((l) => l.name === 'vx3-10100')).toMatchObject({
      kind: 'vxlan',
      vni: 10100,
      local: '10.0.0.1',
      port: 4789,
      learning: false,
      master: 'br3-10100',
    });
    expect(r.desired.routes).toContainEqual({
      table: 1010100,
      dst: 'default',
      type: 'unreachable',
      metric: VRF_UNREACHABLE_METRIC,
      family: 4,
    });
  });

  it('puts the L2VNI as an untagged pvid access port and gives the IRB a bridge self VLAN', () => {
    expect(r.desired.bridgeVlans).toContainEqual({ dev: 'vxlan-10101', vid: 101, pvid: true, untagged: true });
    expect(r.desired.bridgeVlans).toContainEqual({ dev: 'br-evpn', vid: 101, self: true });
    expect(r.desired.links.find((l) => l.name === 'br-evpn')).toMatchObject({
      address: node.anycastGatewayMac,
      vlanFiltering: true,
    });
    expect(r.desired.links.find((l) => l.name === 'br-evpn.101')).toMatchObject({
      kind: 'vlan',
      link: 'br-evpn',
      vlanId: 101,
      master: 'vrf-10100',
      mtu: 1450,
    });
    expect(r.desired.addrs).toContainEqual({ dev: 'br-evpn.101', address: '10.101.0.1/24' });
  });

  it('turns local ports into static FDB entries and neighbours inside the subnet only', () => {
    expect(r.desired.fdb).toEqual([
      { dev: 'evpn-uplink', mac: '02:00:00:00:01:01', vlan: 101, master: true, state: 'static' },
    ]);
    expect(r.desired.neighbors).toEqual([
      { dev: 'br-evpn.101', dst: '10.101.0.11', lladdr: '02:00:00:00:01:01', state: 'permanent' },
    ]);
  });

  it("gives an l3 network's ports no FDB entry (zebra 10.7.1 would advertise it as type-2 in another VLAN's L2VNI), only their host routes", () => {
    const l3Ports: EvpnPortSet = {
      ...ports,
      spec: {
        network: 'net-c',
        nodeName: 'node-1',
        ports: [{ name: 'p3', mac: '02:00:00:00:03:01', ips: ['10.200.0.11'] }],
      },
    };
    const out = renderKernelState(node, vrfs, networks, [ports, l3Ports]);
    expect(out.desired.fdb.filter((f) => f.vlan === 200)).toEqual([]);
    expect(out.desired.fdb.filter((f) => f.vlan === 101)).toHaveLength(1);
    expect(out.desired.routes).toContainEqual({ table: 1020000, dst: '10.200.0.11/32', dev: 'br-evpn.200' });
  });

  it("gives an l3 network's IRB its gateway (the VMs' way into the VRF), and port association routes go in too", () => {
    expect(r.desired.addrs).toContainEqual({ dev: 'br-evpn.200', address: '10.200.0.1/24' });
    expect(r.desired.routes.filter((x) => x.dst === '10.200.0.0/24')).toEqual([]);
    expect(r.desired.routes).toContainEqual({ table: 1010100, dst: '10.20.0.0/24', via: '10.101.0.11' });
    expect(r.desired.links.some((l) => l.name.startsWith('vxlan-') && l.name !== 'vxlan-10101')).toBe(false);
  });

  it('routes an l3 subnet without a gateway, or one an OVN router holds, to the IRB instead of an address', () => {
    const l3 = (subnets: EvpnNetwork['spec']['subnets']): ReturnType<typeof renderKernelState> =>
      renderKernelState(
        node,
        [vrf('vrf-20000', 20000)],
        [net('x', { type: 'l3', vrf: 'vrf-20000', vlanId: 300, subnets })],
        [],
      );
    for (const subnets of [
      [{ cidr: '10.30.0.0/24' }],
      [{ cidr: '10.30.0.0/24', gateway: '10.30.0.1', gatewayOwner: 'ovn' as const }],
    ]) {
      const out = l3(subnets);
      expect(out.desired.addrs.filter((a) => a.dev === 'br-evpn.300')).toEqual([]);
      expect(out.desired.routes).toContainEqual({ table: 1020000, dst: '10.30.0.0/24', dev: 'br-evpn.300' });
    }
  });

  it('keeps every name within 15 characters even at the largest numbers', () => {
    const big = renderKernelState(
      node,
      [vrf('v', 16777215)],
      [net('n', { type: 'l2', vni: 16777214, vrf: 'v', vlanId: 4094 })],
      [],
    );
    for (const l of big.desired.links) expect(l.name.length).toBeLessThanOrEqual(15);
  });

  it('renders nothing at all when nothing is desired, so teardown leaves a clean node', () => {
    expect(renderKernelState(node, [], [], []).desired.links).toEqual([]);
  });
});
