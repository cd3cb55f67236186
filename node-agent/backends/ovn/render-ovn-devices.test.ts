// The ovn backend's devices: exactly the names the Logical_Switch keys carry
// (the shared naming function), the UDP port apart from ovn-controller's, and
// nothing ovn-controller writes itself (FDB, neighbours) or would learn back
// (our routes); the kernel backend's objects beside them render as before.
import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../../crds/index.ts';
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../../crds/index.ts';
import { NodeConfig } from '../../inputs/node-config.ts';
import { renderKernelState } from '../../kernel/render-kernel-state.ts';
import { withEffectiveBackend } from './backend.ts';
import { OVN_DEVICE_VXLAN_PORT } from './ovn-node-config.ts';

const node = NodeConfig.parse({ nodeName: 'node-1', vtepIp: '10.0.0.1' });
const vrf = (name: string, vni: number, backend: 'kernel' | 'ovn'): EvpnVrf =>
  withEffectiveBackend(
    { apiVersion: API_GROUP_VERSION, kind: 'EvpnVrf', metadata: { name }, spec: { vni, backend } },
    'kernel',
  );
const net = (name: string, spec: Partial<EvpnNetwork['spec']>, backend: 'kernel' | 'ovn'): EvpnNetwork =>
  withEffectiveBackend(
    {
      apiVersion: API_GROUP_VERSION,
      kind: 'EvpnNetwork',
      metadata: { name },
      spec: { type: 'l2', ...spec, backend },
    },
    'kernel',
  );
const ports: EvpnPortSet = {
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnPortSet',
  metadata: { name: 'geneve-a.node-1' },
  spec: {
    nodeName: 'node-1',
    network: 'geneve-a',
    ports: [{ name: 'p1', mac: 'fa:16:3e:00:00:01', ips: ['10.1.0.11'] }],
  },
};

describe('renderKernelState with the ovn backend', () => {
  const r = renderKernelState(
    node,
    [vrf('vrf-10100', 10100, 'ovn'), vrf('vrf-20100', 20100, 'kernel')],
    [
      net('geneve-a', { vni: 10101, vrf: 'vrf-10100', subnets: [{ cidr: '10.1.0.0/24', gateway: '10.1.0.1' }] }, 'ovn'),
      net('geneve-l3', { type: 'l3', vrf: 'vrf-10100', subnets: [{ cidr: '10.9.0.0/24' }] }, 'ovn'),
      net('vlan-b', { vni: 20101, vrf: 'vrf-20100', vlanId: 201 }, 'kernel'),
    ],
    [ports],
  );
  const linkOf = (name: string) => r.desired.links.find((l) => l.name === name);

  it('gives an ovn VRF its OVN-named VRF device and the L3VNI bridge, VXLAN and advertise dummy in it', () => {
    expect(linkOf('ovnvrf-10100')).toMatchObject({ kind: 'vrf', table: 1010100, alias: 'ovn-evpn:ovn-vrf' });
    expect(linkOf('ovnbr-10100')).toMatchObject({ kind: 'bridge', master: 'ovnvrf-10100', vlanFiltering: false });
    expect(linkOf('ovnvx-10100')).toMatchObject({ kind: 'vxlan', vni: 10100, master: 'ovnbr-10100' });
    expect(linkOf('ovnlo-10100')).toMatchObject({ kind: 'dummy', master: 'ovnbr-10100' });
    expect(r.vrfs.get('vrf-10100')?.devices).toEqual(['ovnvrf-10100', 'ovnbr-10100', 'ovnvx-10100', 'ovnlo-10100']);
  });

  it("gives an ovn l2 network the three devices its Logical_Switch names, the bridge in its VRF, VXLAN off ovn-controller's port", () => {
    expect(r.networks.get('geneve-a')?.devices).toEqual(['ovnbr-10101', 'ovnvx-10101', 'ovnlo-10101']);
    expect(linkOf('ovnbr-10101')).toMatchObject({ master: 'ovnvrf-10100', alias: 'ovn-evpn:ovn-bridge' });
    expect(linkOf('ovnvx-10101')).toMatchObject({
      vni: 10101,
      local: '10.0.0.1',
      port: OVN_DEVICE_VXLAN_PORT,
      learning: false,
      master: 'ovnbr-10101',
      alias: 'ovn-evpn:ovn-vxlan',
    });
    expect(node.ovn.evpnVxlanPorts).not.toContain(OVN_DEVICE_VXLAN_PORT);
    expect(linkOf('ovnlo-10101')).toMatchObject({
      kind: 'dummy',
      master: 'ovnbr-10101',
      alias: 'ovn-evpn:ovn-advertise',
    });
    expect(r.networks.get('geneve-a')).toMatchObject({ localPorts: 1, routes: 0 });
  });

  it('writes no FDB entry, neighbour, address, route or bridge VLAN for the ovn objects (ovn-controller writes and learns those)', () => {
    const ovnDevs = new Set(r.desired.links.filter((l) => l.alias?.startsWith('ovn-evpn:ovn-')).map((l) => l.name));
    expect(ovnDevs.size).toBe(7);
    expect(r.desired.fdb.filter((f) => ovnDevs.has(f.dev))).toEqual([]);
    expect(r.desired.neighbors.filter((n) => ovnDevs.has(n.dev))).toEqual([]);
    expect(r.desired.addrs.filter((a) => ovnDevs.has(a.dev))).toEqual([]);
    expect(r.desired.bridgeVlans.filter((v) => ovnDevs.has(v.dev))).toEqual([]);
    expect(r.desired.routes.filter((x) => x.table === 1010100)).toEqual([]);
    expect(r.networks.get('geneve-l3')?.devices).toEqual([]);
  });

  it("renders the kernel backend's VRF and network beside them as before, and the uplink carries only its VLAN", () => {
    expect(linkOf('vrf-20100')).toMatchObject({ kind: 'vrf', table: 1020100 });
    expect(linkOf('vxlan-20101')).toMatchObject({ master: 'br-evpn', port: 4789 });
    expect(linkOf('vrf-10100')).toBeUndefined();
    expect(r.desired.bridgeVlans.filter((v) => v.dev === 'evpn-uplink').map((v) => v.vid)).toEqual([201]);
    expect(r.desired.fdb.map((f) => f.mac)).not.toContain('fa:16:3e:00:00:01');
  });

  it('renders only the kernel layout when every object is on the kernel backend (no ovn device at all)', () => {
    const k = renderKernelState(
      node,
      [vrf('v', 10100, 'kernel')],
      [net('n', { vni: 10101, vrf: 'v', vlanId: 101 }, 'kernel')],
      [],
    );
    expect(k.desired.links.map((l) => l.name).filter((n) => n.startsWith('ovn'))).toEqual([]);
  });
});
