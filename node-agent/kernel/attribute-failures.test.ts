import { describe, expect, it } from 'vitest';
import { attributeFailures, type AttributionInput } from './attribute-failures.ts';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import { NodeConfig } from '../inputs/node-config.ts';
import { KernelError } from './netlink/kernel-error.ts';
import { renderKernelState } from './render-kernel-state.ts';
import type { KernelOp } from './netlink/kernel-ops.ts';

const rendered: AttributionInput['rendered'] = {
  vrfs: new Map([['red', { name: 'red', devices: ['vrf-100', 'br3-100', 'vx3-100'], routes: 2 }]]),
  networks: new Map([
    ['net-a', { name: 'net-a', devices: ['vx-1001', 'br-evpn.11'], localPorts: 1 }],
    ['net-b', { name: 'net-b', devices: ['vx-1002'] }],
  ]),
};
const none = { failures: [], blocked: [], rejectedVrfs: new Map(), rejectedNetworks: new Map() };
const fail = (op: KernelOp, errno: string, kind?: string) => ({
  op,
  error: new KernelError(errno, { op: 'x', object: 'y', ...(kind !== undefined ? { kind } : {}) }),
});

describe('attributeFailures', () => {
  it('marks every object ready when nothing failed', () => {
    const a = attributeFailures({ rendered, ...none });
    expect([...a.vrfs.values(), ...a.networks.values()].map((o) => o.ready)).toEqual([true, true, true]);
    expect(a.networks.get('net-a')).toEqual({
      name: 'net-a',
      devices: ['vx-1001', 'br-evpn.11'],
      localPorts: 1,
      ready: true,
    });
    expect(a.nodeErrors).toEqual([]);
    expect(a.unsupported).toBeUndefined();
  });

  it('fails only the object whose device an operation touched', () => {
    const a = attributeFailures({
      rendered,
      ...none,
      failures: [fail({ op: 'replaceFdb', fdb: { dev: 'vx-1002', mac: '02:00:00:00:00:01' } }, 'EINVAL')],
    });
    expect(a.networks.get('net-b')).toMatchObject({
      ready: false,
      reason: 'InfrastructureFailed',
      message: 'EVPN-005: x y: EINVAL (invalid argument)',
    });
    expect(a.networks.get('net-a')?.ready).toBe(true);
    expect(a.vrfs.get('red')?.ready).toBe(true);
  });

  it('fails the VRF a link is enslaved to when creating it fails', () => {
    const a = attributeFailures({
      rendered,
      ...none,
      failures: [fail({ op: 'createLink', link: { name: 'other', kind: 'dummy', master: 'vrf-100' } }, 'EEXIST')],
    });
    expect(a.vrfs.get('red')?.ready).toBe(false);
    expect(a.nodeErrors).toEqual([]);
  });

  it("makes a failure on no object's device a node error that fails every object", () => {
    const a = attributeFailures({
      rendered,
      ...none,
      failures: [fail({ op: 'setBridgePort', port: { dev: 'evpn-uplink', learning: false } }, 'EPERM')],
    });
    expect(a.nodeErrors).toEqual(['x y: EPERM (operation not permitted)']);
    expect([...a.vrfs.values(), ...a.networks.values()].every((o) => !o.ready)).toBe(true);
  });

  it('reports a missing kernel feature on create as unsupported', () => {
    const a = attributeFailures({
      rendered,
      ...none,
      failures: [fail({ op: 'createLink', link: { name: 'vrf-100', kind: 'vrf', table: 1 } }, 'EOPNOTSUPP', 'vrf')],
    });
    expect(a.unsupported).toBe('x y: EOPNOTSUPP (operation not supported)');
    expect(a.vrfs.get('red')?.ready).toBe(false);
  });

  it('names a link held by someone else on the object that wanted it', () => {
    const a = attributeFailures({ rendered, ...none, blocked: ['vx-1001'] });
    expect(a.networks.get('net-a')?.message).toBe(
      'EVPN-005: a link named vx-1001 exists and is not owned by ovn-evpn; it is left alone',
    );
  });

  it('shows three errors and counts the rest', () => {
    const failures = [1, 2, 3, 4, 5].map((i) =>
      fail({ op: 'replaceFdb', fdb: { dev: 'vx-1002', mac: `02:00:00:00:00:0${i}` } }, 'EINVAL'),
    );
    expect(attributeFailures({ rendered, ...none, failures }).networks.get('net-b')?.message).toMatch(/ \(\+2 more\)$/);
  });

  it('reports rejected objects with their reason, overriding anything planned under that name', () => {
    const a = attributeFailures({
      rendered,
      ...none,
      rejectedNetworks: new Map([
        ['net-b', { code: 'EVPN-004', reason: 'Conflict', message: 'EVPN-004: VLAN 5 in use' }],
      ]),
    });
    expect(a.networks.get('net-b')).toEqual({
      name: 'net-b',
      devices: [],
      ready: false,
      reason: 'Conflict',
      code: 'EVPN-004',
      message: 'EVPN-004: VLAN 5 in use',
    });
  });

  describe('an entry on a shared device (bridge, uplink) is pinned to the network it belongs to', () => {
    const withEntries: AttributionInput['rendered'] = {
      ...rendered,
      entryOwners: new Map([
        ['vlan|br-evpn|11', { kind: 'network', name: 'net-a' }],
        ['vlan|evpn-uplink|11', { kind: 'network', name: 'net-a' }],
        ['vlan|evpn-uplink|12', { kind: 'network', name: 'net-b' }],
        ['fdb|evpn-uplink|02:00:00:00:00:0b|12', { kind: 'network', name: 'net-b' }],
        ['route|1100|10.20.0.0/24', { kind: 'network', name: 'net-a' }],
        ['route|1100|default/4', { kind: 'vrf', name: 'red' }],
      ] as const),
    };
    const cases: { name: string; op: KernelOp; failed: string }[] = [
      {
        name: 'its VLAN on the uplink',
        op: { op: 'addBridgeVlan', vlan: { dev: 'evpn-uplink', vid: 12 } },
        failed: 'network/net-b',
      },
      {
        name: "a port's FDB entry on the uplink",
        op: { op: 'replaceFdb', fdb: { dev: 'evpn-uplink', mac: '02:00:00:00:00:0B', vlan: 12, master: true } },
        failed: 'network/net-b',
      },
      {
        name: 'a stale FDB entry in the VLAN a network holds now',
        op: { op: 'delFdb', fdb: { dev: 'evpn-uplink', mac: '02:00:00:00:00:99', vlan: 11, master: true } },
        failed: 'network/net-a',
      },
      {
        name: 'a gateway route (no device) the network declared',
        op: { op: 'replaceRoute', route: { table: 1100, dst: '10.20.0.0/24', via: '10.1.0.9' } },
        failed: 'network/net-a',
      },
      {
        name: "a stale route in a VRF's table",
        op: { op: 'delRoute', route: { table: 1100, dst: '10.99.0.0/24', via: '10.1.0.9' } },
        failed: 'vrf/red',
      },
    ];
    it.each(cases)('$name fails $failed only', ({ op, failed }) => {
      const a = attributeFailures({ rendered: withEntries, ...none, failures: [fail(op, 'EINVAL')] });
      const notReady = [
        ...[...a.vrfs.values()].map((o) => ['vrf', o] as const),
        ...[...a.networks.values()].map((o) => ['network', o] as const),
      ]
        .filter(([, o]) => !o.ready)
        .map(([k, o]) => `${k}/${o.name}`);
      expect({ notReady, nodeErrors: a.nodeErrors }).toEqual({ notReady: [failed], nodeErrors: [] });
    });

    it('an entry nobody renders in a VLAN nobody holds is still a node error', () => {
      const a = attributeFailures({
        rendered: withEntries,
        ...none,
        failures: [
          fail(
            { op: 'delFdb', fdb: { dev: 'evpn-uplink', mac: '02:00:00:00:00:99', vlan: 99, master: true } },
            'EINVAL',
          ),
        ],
      });
      expect(a.nodeErrors).toHaveLength(1);
    });
  });

  it('the renderer records which network owns the entries on the shared bridge and uplink', () => {
    const node = NodeConfig.parse({ nodeName: 'n1', vtepIp: '10.0.0.1' });
    const meta = (name: string) => ({ name });
    const r = renderKernelState(
      node,
      [{ apiVersion: API_GROUP_VERSION, kind: 'EvpnVrf', metadata: meta('red'), spec: { vni: 100 } }],
      [
        {
          apiVersion: API_GROUP_VERSION,
          kind: 'EvpnNetwork',
          metadata: meta('net-a'),
          spec: { type: 'l2', vni: 1001, vlanId: 11, vrf: 'red' },
        },
        {
          apiVersion: API_GROUP_VERSION,
          kind: 'EvpnNetwork',
          metadata: meta('net-b'),
          spec: { type: 'l2', vni: 1002, vlanId: 12, vrf: 'red' },
        },
      ],
      [
        {
          apiVersion: API_GROUP_VERSION,
          kind: 'EvpnPortSet',
          metadata: meta('net-b.n1'),
          spec: { network: 'net-b', nodeName: 'n1', ports: [{ name: 'p', mac: '02:00:00:00:00:0b' }] },
        },
      ],
    );
    const a = attributeFailures({
      rendered: r,
      ...none,
      failures: [
        fail(
          {
            op: 'replaceFdb',
            fdb: { dev: 'evpn-uplink', mac: '02:00:00:00:00:0b', vlan: 12, master: true, state: 'static' },
          },
          'EINVAL',
        ),
        fail({ op: 'addBridgeVlan', vlan: { dev: 'evpn-uplink', vid: 12 } }, 'EINVAL'),
      ],
    });
    expect(a.networks.get('net-b')?.ready).toBe(false);
    expect(a.networks.get('net-a')?.ready).toBe(true);
    expect(a.vrfs.get('red')?.ready).toBe(true);
    expect(a.nodeErrors).toEqual([]);
  });
});
