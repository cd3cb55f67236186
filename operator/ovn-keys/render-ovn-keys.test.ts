import { describe, expect, it } from 'vitest';
import type { EvpnNetworkSpec, EvpnVrfSpec } from '../../crds/index.ts';
import { renderOvnKeys, rowKey } from './render-ovn-keys.ts';

const source = (extra: Partial<NonNullable<EvpnNetworkSpec['source']>> = {}) => ({
  association: 'network' as const,
  ...extra,
});
const vrfs = new Map<string, EvpnVrfSpec>([
  ['vrf-20000', { vni: 20000 }],
  ['vrf-30000', { vni: 30000, routingTable: 5000 }],
]);
const l2: EvpnNetworkSpec = { type: 'l2', vni: 10100, vrf: 'vrf-20000', source: source() };

describe('renderOvnKeys', () => {
  it('gives an l2 network on ovn its switch keys, and nothing to kernel or user networks', () => {
    const out = renderOvnKeys({
      networks: new Map([
        ['a', l2],
        ['b', { ...l2, vni: 10200 }],
        ['user', { type: 'l2', vni: 10300, vlanId: 3 }],
      ]),
      vrfs,
      backendOf: (id) => (id === 'b' ? 'kernel' : 'ovn'),
      vrfBackendOf: () => 'ovn',
    });
    expect([...out.rows.keys()]).toEqual([rowKey('Logical_Switch', 'neutron-a')]);
    expect(out.rows.get(rowKey('Logical_Switch', 'neutron-a'))?.keys).toEqual({
      'dynamic-routing-vni': '10100',
      'dynamic-routing-bridge-ifname': 'ovnbr-10100',
      'dynamic-routing-vxlan-ifname': 'ovnvx-10100',
      'dynamic-routing-advertise-ifname': 'ovnlo-10100',
      'dynamic-routing-redistribute': 'fdb,ip',
    });
    expect(out.problems).toEqual([]);
  });

  it("gives a router association its router's keys from the VRF (table and device), shared by its networks", () => {
    const viaRouter: EvpnNetworkSpec = { type: 'l3', vni: 30000, vrf: 'vrf-30000', source: source({ routerId: 'r1' }) };
    const out = renderOvnKeys({
      networks: new Map([
        ['a', viaRouter],
        ['b', viaRouter],
      ]),
      vrfs,
      backendOf: () => 'ovn',
      vrfBackendOf: () => 'ovn',
    });
    expect(out.rows.get(rowKey('Logical_Router', 'neutron-r1'))).toEqual({
      table: 'Logical_Router',
      name: 'neutron-r1',
      networks: ['a', 'b'],
      keys: {
        'dynamic-routing': 'true',
        'dynamic-routing-vrf-id': '5000',
        'dynamic-routing-vrf-name': 'ovnvrf-30000',
        'dynamic-routing-redistribute': 'connected,static',
      },
    });
  });

  it('reports one router asked for two VRFs (EVPN-004), an l3 network association without router, and a kernel VRF', () => {
    const out = renderOvnKeys({
      networks: new Map<string, EvpnNetworkSpec>([
        ['a', { type: 'l3', vrf: 'vrf-20000', source: source({ routerId: 'r1' }) }],
        ['b', { type: 'l3', vrf: 'vrf-30000', source: source({ routerId: 'r1' }) }],
        ['c', { type: 'l3', vrf: 'vrf-30000', source: source() }],
        ['d', { type: 'l3', vrf: 'vrf-kernel', source: source({ routerId: 'r2' }) }],
        ['e', { type: 'l3', vrf: 'vrf-252', source: source({ routerId: 'r3' }) }],
      ]),
      vrfs: new Map([...vrfs, ['vrf-kernel', { vni: 40000 }], ['vrf-252', { vni: 50000, routingTable: 252 }]]),
      backendOf: () => 'ovn',
      vrfBackendOf: (name) => (name === 'vrf-kernel' ? 'kernel' : 'ovn'),
    });
    expect(out.problems.map((p) => [p.name, p.reason, p.code])).toEqual([
      ['b', 'Conflict', 'EVPN-004'],
      ['c', 'BackendUnsupported', 'EVPN-001'],
      ['d', 'BackendUnsupported', 'EVPN-001'],
      ['e', 'BackendUnsupported', 'EVPN-001'],
    ]);
    expect(out.rows.has(rowKey('Logical_Router', 'neutron-r2'))).toBe(false);
    expect(out.rows.get(rowKey('Logical_Router', 'neutron-r1'))?.networks).toEqual(['a']);
  });
});
