import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION, Label } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnNetworkSpec, EvpnVrf } from '../../crds/index.ts';
import { buildDesired } from './build-desired.ts';
import type { MirrorInput } from './build-desired.ts';
import type { OvnSnapshot } from '../ovn-source/ovn-snapshot.ts';
import { driverExternalIds } from '../../test/fixtures/mirror/driver-rows.ts';
import { malformedCases } from '../../test/fixtures/mirror/malformed-cases.ts';
import { SnapshotBuilder } from '../../test/fixtures/mirror/snapshot-builder.ts';

const NET_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const NET_B = 'bbbbbbbb-0000-4000-8000-000000000002';
const NET_C = 'cccccccc-0000-4000-8000-000000000003';
const l2 = driverExternalIds({
  vni: 10100,
  type: 'l2',
  routeTargets: ['65000:10100'],
  routeDistinguishers: ['192.0.2.1:10100'],
  localPref: 100,
});
const l2b = driverExternalIds({ vni: 10200, type: 'l2', routeTargets: ['65000:10200'] });
const l3 = driverExternalIds({
  vni: 20000,
  type: 'l3',
  routeTargets: ['65000:20000'],
  routeDistinguishers: ['192.0.2.1:20000'],
});

/** The OVN source puts each chassis's node name in its row (withNodeNames); here, the short host name. */
const shortNodeNames = (s: OvnSnapshot): OvnSnapshot => ({
  ...s,
  chassis: s.chassis.map((c) => ({ ...c, hostname: (c.hostname || c.name).split('.')[0] ?? '' })),
});

function run(b: SnapshotBuilder, extra: Partial<MirrorInput> = {}) {
  return buildDesired({ snapshot: shortNodeNames(b.snapshot), networks: [], vrfs: [], ...extra });
}

function mirroredNetwork(name: string, spec: EvpnNetworkSpec): EvpnNetwork {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: 'EvpnNetwork',
    metadata: { name, labels: { [Label.MirroredFrom]: 'network' } },
    spec,
  };
}

describe('buildDesired', () => {
  it("passes the associations' warnings on as notices (Events), not as problems", () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, driverExternalIds({ vni: 20000, type: 'l3' }));
    const out = run(b);
    expect(out.problems).toEqual([]);
    expect(out.notices).toEqual([
      expect.objectContaining({
        kind: 'EvpnNetwork',
        name: NET_A,
        reason: 'AssociationWarning',
        message: expect.stringContaining('no neutron_bgpvpn:as') as unknown,
      }),
    ]);
  });

  it("mirrors the example associations: the l2 BGPVPN's VNI and RT/RD are the network's L2VNI's, its VRF vrf-10100 has L3VNI 10100 + offset; an l3 network gets vrf-20000", () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, l2);
    b.network(NET_B, l2b);
    b.network(NET_C, l3);
    b.routerPort('p-a', NET_A, ['10.101.0.1/24', 'fd00:101::1/64']);
    const out = run(b);
    expect([...out.vrfs.keys()].sort()).toEqual(['vrf-10100', 'vrf-10200', 'vrf-20000']);
    // The table stays vni + 1000000: vrf-10100 uses table 1010100, whatever the L3VNI offset.
    expect(out.vrfs.get('vrf-10100')).toEqual({ vni: 1_010_100, routingTable: 1_010_100, bgpAs: 65000 });
    expect(out.vrfs.get('vrf-20000')).toEqual({
      vni: 20000,
      bgpAs: 65000,
      routeTargets: ['65000:20000'],
      routeDistinguishers: ['192.0.2.1:20000'],
    });
    const a = out.networks.get(NET_A);
    const bb = out.networks.get(NET_B);
    const c = out.networks.get(NET_C);
    expect(a).toMatchObject({
      type: 'l2',
      vni: 10100,
      vrf: 'vrf-10100',
      bgpAs: 65000,
      routeTargets: ['65000:10100'],
      routeDistinguishers: ['192.0.2.1:10100'],
      localPref: 100,
      subnets: [
        { cidr: '10.101.0.0/24', gateway: '10.101.0.1', gatewayOwner: 'ovn' },
        { cidr: 'fd00:101::/64', gateway: 'fd00:101::1', gatewayOwner: 'ovn' },
      ],
    });
    expect(bb).toMatchObject({ type: 'l2', vni: 10200, vrf: 'vrf-10200', routeTargets: ['65000:10200'] });
    expect(out.vrfs.get('vrf-10200')).toEqual({ vni: 1_010_200, routingTable: 1_010_200, bgpAs: 65000 });
    expect(a).toMatchObject({ vlanId: 100, provider: { physicalNetwork: 'physnet1' } });
    expect(bb?.vlanId).toBe(101);
    expect(c).toMatchObject({ type: 'l3', vni: 20000, vrf: 'vrf-20000' });
    expect(c?.routeTargets).toBeUndefined();
    expect(out.problems).toEqual([]);
    expect(out.sources.get(NET_A)).toBe('network');
  });

  it('takes the L3VNI offset from its input', () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, l2);
    expect(run(b, { l3vniOffset: 2_000_000 }).vrfs.get('vrf-10100')).toEqual({
      vni: 2_010_100,
      routingTable: 1_010_100,
      bgpAs: 65000,
    });
  });

  it('puts no port set on a chassis that maps to no node', () => {
    const b = new SnapshotBuilder();
    const dp = b.network(NET_A, l2);
    b.vmPort({
      portId: 'port-1',
      datapath: dp,
      mac: '02:00:00:00:01:01',
      ips: ['10.101.0.11'],
      chassis: b.chassis('', ''),
    });
    const out = run(b);
    expect([...out.networks.keys()]).toEqual([NET_A]);
    expect(out.portSets.size).toBe(0);
  });

  it('refuses a second network on one l2 BGPVPN (one VNI is one broadcast domain): the lowest id wins, its port sets only', () => {
    const b = new SnapshotBuilder();
    const dpA = b.network(NET_A, l2);
    const dpB = b.network(NET_B, l2);
    const ch = b.chassis('ch1', 'node-1');
    b.vmPort({ portId: 'port-1', datapath: dpA, mac: '02:00:00:00:01:01', ips: ['10.101.0.11'], chassis: ch });
    b.vmPort({ portId: 'port-2', datapath: dpB, mac: '02:00:00:00:01:02', ips: ['10.101.0.12'], chassis: ch });
    const out = run(b);
    expect([...out.networks.keys()]).toEqual([NET_A]);
    expect([...out.portSets.keys()]).toEqual([`${NET_A}.node-1`]);
    expect(out.problems).toEqual([
      expect.objectContaining({
        kind: 'EvpnNetwork',
        name: NET_B,
        reason: 'Conflict',
        message: expect.stringMatching(
          /^EVPN-004: L2VNI 10100 of network bbbb.* is already the L2VNI 10100 of network aaaa.*one VNI is one broadcast domain/,
        ) as unknown,
      }),
    ]);
  });

  it("routes an l2 network in its router's l3 BGPVPN VRF (symmetric IRB): the router association is not a conflict", () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, l2);
    b.routerPort('p-a', NET_A, ['10.1.0.1/24'], l3, 'router-1');
    const out = run(b);
    expect(out.networks.get(NET_A)).toMatchObject({
      type: 'l2',
      vni: 10100,
      vrf: 'vrf-20000',
      routeTargets: ['65000:10100'],
      source: { association: 'network' },
    });
    expect([...out.vrfs]).toEqual([
      [
        'vrf-20000',
        { vni: 20000, bgpAs: 65000, routeTargets: ['65000:20000'], routeDistinguishers: ['192.0.2.1:20000'] },
      ],
    ]);
    expect(out.problems).toEqual([]);
  });

  it('gives the same specs whatever the order rows arrive in; the VLAN is the localnet tag', () => {
    const b1 = new SnapshotBuilder();
    b1.network(NET_A, l2, { localnet: { tag: 101 } });
    b1.network(NET_B, l2b, { localnet: { tag: 102 } });
    const b2 = new SnapshotBuilder();
    b2.network(NET_B, l2b, { localnet: { tag: 102 } });
    b2.network(NET_A, l2, { localnet: { tag: 101 } });
    const o1 = run(b1);
    const o2 = run(b2);
    expect(o1.networks.get(NET_A)?.vlanId).toBe(101);
    expect(o2.networks.get(NET_A)?.vlanId).toBe(101);
    expect(o1.networks.get(NET_B)?.vni).toBe(o2.networks.get(NET_B)?.vni);
  });

  it("upgrade: an existing network moves from its pool L2VNI to the BGPVPN's and follows OVN's VLAN; its VRF from L3VNI 10100 to 1010100", () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, l2, { localnet: { tag: 120, physnet: 'datacentre' } });
    const existing = mirroredNetwork(NET_A, { type: 'l2', vni: 16_000_123, vrf: 'vrf-10100', vlanId: 77 });
    const oldVrf: EvpnVrf = {
      apiVersion: API_GROUP_VERSION,
      kind: 'EvpnVrf',
      metadata: { name: 'vrf-10100', labels: { [Label.MirroredFrom]: 'network' } },
      spec: { vni: 10100, routeTargets: ['65000:10100'] },
    };
    const out = run(b, { networks: [existing], vrfs: [oldVrf] });
    expect(out.networks.get(NET_A)).toMatchObject({
      vni: 10100,
      vlanId: 120,
      provider: { physicalNetwork: 'datacentre' },
      vrf: 'vrf-10100',
      routeTargets: ['65000:10100'],
    });
    expect(out.vrfs.get('vrf-10100')).toEqual({ vni: 1_010_100, routingTable: 1_010_100, bgpAs: 65000 });
    expect(out.problems).toEqual([]);
  });

  it('follows a tag change of the localnet port', () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, l2, { localnet: { tag: 120 } });
    const first = run(b).networks.get(NET_A);
    const ln = b.snapshot.logicalSwitchPorts.find((p) => p.type === 'localnet');
    if (ln) ln.tag = 121;
    const existing = mirroredNetwork(NET_A, first ?? { type: 'l3' });
    expect(run(b, { networks: [existing] }).networks.get(NET_A)).toMatchObject({ vni: first?.vni, vlanId: 121 });
  });

  it("a user network's VLAN is a conflict, not moved; a user network holding the BGPVPN's VNI refuses the mirrored one", () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, l2, { localnet: { tag: 120 } });
    const userVlan: EvpnNetwork = {
      apiVersion: API_GROUP_VERSION,
      kind: 'EvpnNetwork',
      metadata: { name: 'user-net' },
      spec: { type: 'l2', vni: 5, vlanId: 120, vrf: 'vrf-1' },
    };
    const vlanOut = run(b, { networks: [userVlan] });
    expect(vlanOut.networks.get(NET_A)).toMatchObject({ vni: 10100 });
    expect(vlanOut.networks.get(NET_A)).not.toHaveProperty('vlanId');
    expect(vlanOut.problems).toEqual([
      expect.objectContaining({
        name: NET_A,
        reason: 'Conflict',
        message: expect.stringContaining(
          'EVPN-004: VLAN 120 on physical network physnet1 is also the VLAN of EvpnNetwork user-net',
        ) as unknown,
      }),
    ]);
    const userVni: EvpnNetwork = { ...userVlan, spec: { type: 'l2', vni: 10100, vlanId: 9 } };
    const out = run(b, { networks: [userVni] });
    expect(out.networks.has(NET_A)).toBe(false);
    expect(out.vrfs.size).toBe(0);
    expect(out.problems).toEqual([
      expect.objectContaining({
        name: NET_A,
        reason: 'Conflict',
        message: expect.stringContaining('L2VNI 10100 of EvpnNetwork user-net') as unknown,
      }),
    ]);
  });

  it('mirrors flat and Geneve networks without a VLAN path, flagged, and gives them no port sets', () => {
    const b = new SnapshotBuilder();
    const dp = b.network(NET_A, l2, { localnet: { physnet: 'physnet1' } });
    b.network(NET_B, l3, { localnet: false });
    b.vmPort({
      portId: 'port-1',
      datapath: dp,
      mac: '02:00:00:00:01:01',
      ips: ['10.101.0.11'],
      chassis: b.chassis('ch1', 'node-1'),
    });
    const out = run(b);
    for (const id of [NET_A, NET_B]) {
      expect(out.networks.get(id)).toBeDefined();
      expect(out.networks.get(id)).not.toHaveProperty('vlanId');
    }
    expect(out.problems).toEqual([
      expect.objectContaining({
        name: NET_A,
        reason: 'NoProviderPath',
        keptLastGood: false,
        message: expect.stringMatching(/^EVPN-001: flat provider network on physical network physnet1 /) as unknown,
      }),
      expect.objectContaining({
        name: NET_B,
        reason: 'NoProviderPath',
        keptLastGood: false,
        message: expect.stringMatching(/^EVPN-001: tenant \(Geneve\) network without a localnet port/) as unknown,
      }),
    ]);
    expect(out.portSets.size).toBe(0);
    expect(out.vrfs.has('vrf-10100')).toBe(true);
  });

  it('holds both networks with one VLAN on one physical network (EVPN-004 on each)', () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, l2, { localnet: { tag: 300 } });
    b.network(NET_B, l3, { localnet: { tag: 300 } });
    b.network(NET_C, l3, { localnet: { tag: 300, physnet: 'physnet2' } });
    const out = run(b);
    expect(out.networks.get(NET_A)).not.toHaveProperty('vlanId');
    expect(out.networks.get(NET_B)).not.toHaveProperty('vlanId');
    expect(out.networks.get(NET_C)).toMatchObject({ vlanId: 300, provider: { physicalNetwork: 'physnet2' } });
    expect(out.problems.map((p) => `${p.name}: ${p.message}`).sort()).toEqual([
      `${NET_A}: EVPN-004: VLAN 300 on physical network physnet1 is also the VLAN of EvpnNetwork ${NET_B}; no agent applies this network until one of them changes`,
      `${NET_B}: EVPN-004: VLAN 300 on physical network physnet1 is also the VLAN of EvpnNetwork ${NET_A}; no agent applies this network until one of them changes`,
    ]);
  });

  it('takes the MTU from neutron:mtu and subnets from DHCP options and router interfaces', () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, l2, { mtu: '1442' });
    b.vmSwitchPort(NET_A, 'vm-1', {
      v4: b.dhcp('10.101.0.0/24', { router: '10.101.0.1' }),
      v6: b.dhcp('fd00:101::/64'),
    });
    b.routerInterface('rp-1', NET_A, ['fd00:101::1/64']);
    expect(run(b).networks.get(NET_A)).toMatchObject({
      mtu: 1442,
      subnets: [
        { cidr: '10.101.0.0/24', gateway: '10.101.0.1' },
        { cidr: 'fd00:101::/64', gateway: 'fd00:101::1', gatewayOwner: 'ovn' },
      ],
    });
    expect(run(b).networks.get(NET_A)?.subnets?.[0]).not.toHaveProperty('gatewayOwner');
  });

  it('reads router associations from NB Logical_Router_Port', () => {
    const b = new SnapshotBuilder();
    b.network(NET_A);
    b.routerPort('p-a', NET_A, ['10.1.0.1/24'], l3, 'router-1');
    const out = run(b);
    expect(out.networks.get(NET_A)).toMatchObject({
      type: 'l3',
      vrf: 'vrf-20000',
      subnets: [{ cidr: '10.1.0.0/24', gateway: '10.1.0.1' }],
      source: { association: 'router', routerId: 'router-1' },
    });
  });

  it('reads router associations the shipped driver writes to SB lrp-* Port_Bindings', () => {
    const b = new SnapshotBuilder();
    b.network(NET_A);
    b.routerPort('p-a', NET_A, ['10.1.0.1/24']);
    b.routerPortBinding('p-a', NET_A, l3);
    const out = run(b);
    expect(out.networks.get(NET_A)).toMatchObject({
      type: 'l3',
      source: { association: 'router', rows: [{ db: 'OVN_Southbound', table: 'Port_Binding', name: 'lrp-p-a' }] },
    });
  });

  it('lets the Logical_Switch win over a router association, and reports EVPN-004', () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, l2);
    b.routerPort('p-a', NET_A, ['10.1.0.1/24'], l2b);
    const out = run(b);
    expect(out.networks.get(NET_A)).toMatchObject({ type: 'l2', vrf: 'vrf-10100' });
    expect(out.problems).toEqual([
      expect.objectContaining({
        name: NET_A,
        reason: 'Conflict',
        message: expect.stringContaining('EVPN-004: network is associated with two BGPVPNs') as unknown,
      }),
    ]);
  });

  it('treats the same association in NB and SB as one, not a conflict', () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, l2);
    b.routerPort('p-a', NET_A, ['10.1.0.1/24'], l2);
    b.routerPortBinding('p-a', NET_A, l2);
    expect(run(b).problems).toEqual([]);
  });

  it("keeps the last good spec when an existing network's row turns malformed", () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, { ...l2, 'neutron_bgpvpn:rt': '["bad"]' });
    const existing = mirroredNetwork(NET_A, { type: 'l2', vni: 16_000_001, vrf: 'vrf-10100', vlanId: 5 });
    const vrf: EvpnVrf = {
      apiVersion: API_GROUP_VERSION,
      kind: 'EvpnVrf',
      metadata: { name: 'vrf-10100', labels: { [Label.MirroredFrom]: 'network' } },
      spec: { vni: 10100 },
    };
    const out = run(b, { networks: [existing], vrfs: [vrf] });
    expect(out.networks.get(NET_A)).toEqual(existing.spec);
    expect(out.vrfs.get('vrf-10100')).toEqual({ vni: 10100 });
    expect(out.problems).toEqual([
      expect.objectContaining({
        reason: 'LastGoodSpecKept',
        keptLastGood: true,
        message: expect.stringContaining('EVPN-002') as unknown,
      }),
    ]);
  });

  it('creates nothing for a new malformed association but reports it, and other networks go on', () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, { ...l2, 'neutron_bgpvpn:vni': '99999999' });
    b.network(NET_B, l2);
    const out = run(b);
    expect(out.networks.has(NET_A)).toBe(false);
    expect(out.networks.has(NET_B)).toBe(true);
    expect(out.problems).toEqual([
      expect.objectContaining({
        name: NET_A,
        reason: 'MalformedAssociation',
        message: expect.stringContaining('EVPN-001') as unknown,
      }),
    ]);
  });

  it('refuses a VNI claimed as l2 by one BGPVPN and l3 by another', () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, driverExternalIds({ vni: 10100, type: 'l2' }));
    b.network(NET_B, driverExternalIds({ vni: 10100, type: 'l3' }));
    const out = run(b);
    expect(out.networks.has(NET_A)).toBe(true);
    expect(out.networks.has(NET_B)).toBe(false);
    expect(out.problems[0]?.message).toContain('VNI 10100 is already used as type l2');
  });

  it('leaves a user-authored network alone and reports the conflict', () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, l2);
    const user: EvpnNetwork = {
      apiVersion: API_GROUP_VERSION,
      kind: 'EvpnNetwork',
      metadata: { name: NET_A },
      spec: { type: 'l3', vrf: 'mine' },
    };
    const out = run(b, { networks: [user] });
    expect(out.networks.has(NET_A)).toBe(false);
    expect(out.problems[0]).toMatchObject({ kind: 'EvpnNetwork', name: NET_A, reason: 'Conflict' });
  });

  it('reports a user VRF holding a mirrored L3VNI on both objects', () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, l3);
    const user: EvpnVrf = {
      apiVersion: API_GROUP_VERSION,
      kind: 'EvpnVrf',
      metadata: { name: 'tenant-x' },
      spec: { vni: 20000 },
    };
    const out = run(b, { vrfs: [user] });
    expect(out.problems.map((p) => `${p.kind}/${p.name}`).sort()).toEqual(['EvpnVrf/tenant-x', 'EvpnVrf/vrf-20000']);
  });

  it('refuses an l2 network whose L2VNI a user VRF holds as its L3VNI', () => {
    const b = new SnapshotBuilder();
    b.network(NET_A, l2);
    const user: EvpnVrf = {
      apiVersion: API_GROUP_VERSION,
      kind: 'EvpnVrf',
      metadata: { name: 'tenant-x' },
      spec: { vni: 10100 },
    };
    const out = run(b, { vrfs: [user] });
    expect(out.networks.has(NET_A)).toBe(false);
    expect(out.problems).toEqual([
      expect.objectContaining({
        kind: 'EvpnNetwork',
        name: NET_A,
        message: expect.stringContaining('EVPN-004: L2VNI 10100 of network') as unknown,
      }),
    ]);
  });

  it("puts each node's ports of each network in its own port set", () => {
    const b = new SnapshotBuilder();
    const dp = b.network(NET_A, l2);
    const ch1 = b.chassis('ch1', 'node-1.example');
    const ch2 = b.chassis('ch2', 'node-2');
    b.vmPort({ portId: 'port-1', datapath: dp, mac: '02:00:00:00:01:01', ips: ['10.101.0.11'], chassis: ch1 });
    b.vmPort({
      portId: 'port-2',
      datapath: dp,
      mac: '02:00:00:00:01:02',
      ips: ['10.101.0.12', 'fd00:101::12'],
      chassis: ch2,
    });
    b.vmPort({ portId: 'port-3', datapath: dp, mac: '02:00:00:00:01:03', ips: ['10.101.0.13'] }); // not bound: no node
    const out = run(b);
    expect([...out.portSets.keys()].sort()).toEqual([`${NET_A}.node-1`, `${NET_A}.node-2`]);
    expect(out.portSets.get(`${NET_A}.node-2`)).toEqual({
      network: NET_A,
      nodeName: 'node-2',
      ports: [{ name: 'port-2', mac: '02:00:00:00:01:02', ips: ['10.101.0.12', 'fd00:101::12'] }],
    });
  });

  it('creates a network from a port association alone and carries its routes', () => {
    const b = new SnapshotBuilder();
    const dp = b.network(NET_A);
    const ch = b.chassis('ch1', 'node-1');
    b.vmPort({
      portId: 'port-1',
      datapath: dp,
      mac: '02:00:00:00:01:01',
      ips: ['10.101.0.11'],
      chassis: ch,
      externalIds: driverExternalIds({
        vni: 10100,
        type: 'l2',
        advertiseFixedIps: true,
        routes: [{ destination: '10.20.0.0/24', nexthop: '10.101.0.11' }],
      }),
    });
    const out = run(b);
    expect(out.networks.get(NET_A)).toMatchObject({
      type: 'l2',
      vrf: 'vrf-10100',
      advertiseFixedIps: true,
      routes: [{ type: 'prefix', destination: '10.20.0.0/24', nexthop: '10.101.0.11' }],
      source: { association: 'port', portIds: ['port-1'] },
    });
  });
});

describe('problem codes', () => {
  it.each(malformedCases)('$name: the problem carries its code as a field, and its message starts with it', (c) => {
    const b = new SnapshotBuilder();
    b.network(NET_A, c.externalIds);
    const out = run(b);
    expect(out.problems.map((p) => p.code)).toEqual([c.code]);
    for (const p of out.problems) expect(p.message.startsWith(`${p.code}: `), p.message).toBe(true);
  });
});
