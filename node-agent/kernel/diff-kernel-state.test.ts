// diffKernelState over a whole rendered node; each kind's cases are in diff/.
import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import { NodeConfig } from '../inputs/node-config.ts';
import { diffKernelState, planPhases, planSize, REMOVAL_ORDER } from './diff-kernel-state.ts';
import type { KernelOp } from './netlink/kernel-ops.ts';
import { reportedState } from '../../test/fixtures/node-agent/kernel-diff.ts';
import { OWNED_LINK_GROUP, ownerAlias } from './ownership.ts';
import { renderKernelState } from './render-kernel-state.ts';

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

describe('diffKernelState', () => {
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

  it('plans creation from scratch, links before what hangs off them', () => {
    const plan = diffKernelState(r.desired, {
      links: [],
      bridgePorts: [],
      addrs: [],
      routes: [],
      neighbors: [],
      fdb: [],
    });
    expect(plan.linkDeletes).toEqual([]);
    const created = plan.linkCreates.map((o) => (o.op === 'createLink' ? o.link.name : ''));
    expect(created.indexOf('vrf-10100')).toBeLessThan(created.indexOf('br3-10100'));
    expect(created.indexOf('br-evpn')).toBeLessThan(created.indexOf('br-evpn.101'));
    expect(created).not.toContain('evpn-ovs'); // born with evpn-uplink
    expect(planSize(plan)).toBeGreaterThan(20);
  });

  it('never plans anything for a link whose name is taken by a foreign link', () => {
    const foreign = {
      index: 7,
      name: 'vrf-10100',
      kind: 'vrf',
      slaveKind: null,
      mtu: 1500,
      address: null,
      master: null,
      link: null,
      linkNetnsId: null,
      alias: null,
      group: 0,
      up: true,
      operstate: 'up' as const,
      vrf: { table: 5 },
    };
    const plan = diffKernelState(r.desired, {
      links: [foreign],
      bridgePorts: [],
      addrs: [],
      routes: [],
      neighbors: [],
      fdb: [],
    });
    expect(plan.blocked).toEqual(['vrf-10100']);
    expect(plan.linkDeletes).toEqual([]);
  });

  it('leaves VLANs and FDB entries of the uplink peer alone once it is plugged into a provider bridge', () => {
    const link = (index: number, name: string, kind: string, master: number | null, owned: boolean) => ({
      index,
      name,
      kind,
      slaveKind: null,
      mtu: 1500,
      address: null,
      master,
      link: null,
      linkNetnsId: null,
      alias: owned ? ownerAlias('x') : null,
      group: owned ? OWNED_LINK_GROUP : 0,
      up: true,
      operstate: 'up' as const,
    });
    const links = [link(1, 'br-prov', 'bridge', null, false), link(2, 'evpn-ovs', 'veth', 1, true)];
    const vlan = { vid: 101, pvid: false, untagged: false };
    const plan = diffKernelState(
      { ...r.desired, bridgeVlans: [], fdb: [] },
      {
        links,
        addrs: [],
        routes: [],
        neighbors: [],
        bridgePorts: [{ index: 2, name: 'evpn-ovs', master: 1, vlans: [vlan], learning: true, neighSuppress: false }],
        fdb: [
          {
            index: 2,
            mac: '02:00:00:00:09:09',
            vlan: 101,
            dst: null,
            vni: null,
            port: null,
            master: 1,
            self: false,
            externLearn: false,
            state: 0x40,
            states: ['noarp'],
            flags: 0,
          },
        ],
      },
    );
    expect(plan.removes.filter((o) => o.op === 'delBridgeVlan' || o.op === 'delFdb')).toEqual([]);
  });
});

describe('the order of a plan: contents leave before their containers', () => {
  const base = {
    vrfs: [vrf('vrf-a', 10100), vrf('vrf-b', 20000)],
    networks: [
      net('net-a', {
        type: 'l2',
        vni: 10101,
        vrf: 'vrf-a',
        vlanId: 101,
        subnets: [
          { cidr: '10.101.0.0/24', gateway: '10.101.0.1' },
          { cidr: 'fd00:101::/64', gateway: 'fd00:101::1' },
        ],
        routes: [
          { type: 'prefix', destination: '10.20.0.0/24', nexthop: '10.101.0.11' },
          { type: 'prefix', destination: 'fd00:20::/64', nexthop: 'fd00:101::11' },
        ],
      }),
      net('net-c', {
        type: 'l3',
        vrf: 'vrf-b',
        vlanId: 200,
        subnets: [
          { cidr: '10.200.0.0/24', gateway: '10.200.0.1' },
          { cidr: 'fd00:200::/64', gateway: 'fd00:200::1' },
        ],
        routes: [{ type: 'prefix', destination: 'fd00:30::/64', nexthop: 'fd00:200::9' }],
      }),
    ],
    portSets: [
      {
        ...ports,
        spec: {
          ...ports.spec,
          ports: [{ name: 'p1', mac: '02:00:00:00:01:01', ips: ['10.101.0.11', 'fd00:101::11'] }],
        },
      },
      {
        ...ports,
        metadata: { name: 'c.node-1' },
        spec: {
          network: 'net-c',
          nodeName: 'node-1',
          ports: [{ name: 'p3', mac: '02:00:00:00:02:01', ips: ['10.200.0.5', 'fd00:200::5'] }],
        },
      },
    ] satisfies EvpnPortSet[],
  };
  type Scenario = typeof base;
  const withNet = (s: Scenario, name: string, f: (spec: EvpnNetwork['spec']) => EvpnNetwork['spec']): Scenario => ({
    ...s,
    networks: s.networks.map((n) => (n.metadata.name === name ? { ...n, spec: f(n.spec) } : n)),
  });
  const mutations: [string, (s: Scenario) => Scenario][] = [
    ['net-a VLAN 101 → 102', (s) => withNet(s, 'net-a', (n) => ({ ...n, vlanId: 102 }))],
    ['net-a VNI 10101 → 10109', (s) => withNet(s, 'net-a', (n) => ({ ...n, vni: 10109 }))],
    ['net-a moved to vrf-b', (s) => withNet(s, 'net-a', (n) => ({ ...n, vrf: 'vrf-b' }))],
    ['net-a l2 → l3', (s) => withNet(s, 'net-a', (n) => ({ ...n, type: 'l3' }))],
    ['net-c l3 → l2', (s) => withNet(s, 'net-c', (n) => ({ ...n, type: 'l2', vni: 10200 }))],
    [
      'vrf-b on table 2020',
      (s) => ({
        ...s,
        vrfs: s.vrfs.map((v) => (v.metadata.name === 'vrf-b' ? { ...v, spec: { ...v.spec, routingTable: 2020 } } : v)),
      }),
    ],
    ['net-a gone', (s) => ({ ...s, networks: s.networks.filter((n) => n.metadata.name !== 'net-a') })],
    ['every object gone', () => ({ vrfs: [], networks: [], portSets: [] })],
    [
      'port p1 removed',
      (s) => ({
        ...s,
        portSets: s.portSets.map((p) => ({
          ...p,
          spec: { ...p.spec, ports: p.spec.ports.filter((x) => x.name !== 'p1') },
        })),
      }),
    ],
  ];
  const render = (s: Scenario) => renderKernelState(node, s.vrfs, s.networks, s.portSets).desired;

  it('a converged node, IPv6 included, plans nothing', () => {
    for (const s of [base, ...mutations.map(([, m]) => m(base))])
      expect(diffKernelState(render(s), reportedState(render(s)))).toMatchObject({
        removes: [],
        linkDeletes: [],
        linkCreates: [],
        updates: [],
        creates: [],
      });
  });

  it("a VLAN change takes the port's FDB entry out of the old VLAN before the VLAN leaves the uplink and the bridge", () => {
    const plan = diffKernelState(
      render(withNet(base, 'net-a', (n) => ({ ...n, vlanId: 102 }))),
      reportedState(render(base)),
    );
    const i = (f: (o: KernelOp) => boolean): number => plan.removes.findIndex(f);
    const fdb = i((o) => o.op === 'delFdb' && o.fdb.vlan === 101 && o.fdb.dev === 'evpn-uplink');
    expect(fdb).toBeGreaterThanOrEqual(0);
    expect(fdb).toBeLessThan(i((o) => o.op === 'delBridgeVlan' && o.vlan.vid === 101 && o.vlan.dev === 'evpn-uplink'));
    expect(fdb).toBeLessThan(i((o) => o.op === 'delBridgeVlan' && o.vlan.vid === 101 && o.vlan.dev === 'br-evpn'));
    expect(plan.linkDeletes).toContain('br-evpn.101');
  });

  it('a moved IPv4 gateway (the IRB loses its last IPv4 address for a moment, and the kernel flushes its IPv4 routes and neighbours) puts them back in the same pass', () => {
    const moved = withNet(base, 'net-a', (n) => ({
      ...n,
      subnets: [
        { cidr: '10.101.0.0/24', gateway: '10.101.0.254' },
        { cidr: 'fd00:101::/64', gateway: 'fd00:101::1' },
      ],
    }));
    const plan = diffKernelState(render(moved), reportedState(render(base)));
    expect(plan.removes).toEqual([{ op: 'delAddr', addr: { dev: 'br-evpn.101', address: '10.101.0.1/24' } }]);
    expect(plan.creates).toEqual(
      expect.arrayContaining([
        { op: 'replaceAddr', addr: { dev: 'br-evpn.101', address: '10.101.0.254/24' } },
        { op: 'replaceRoute', route: { table: 1010100, dst: '10.20.0.0/24', via: '10.101.0.11' } },
        {
          op: 'replaceNeighbor',
          neighbor: { dev: 'br-evpn.101', dst: '10.101.0.11', lladdr: '02:00:00:00:01:01', state: 'permanent' },
        },
      ]),
    );
  });

  const kindOf = (o: KernelOp): string =>
    (
      ({
        delFdb: 'fdb',
        delNeighbor: 'neighbors',
        delRoute: 'routes',
        delAddr: 'addrs',
        delBridgeVlan: 'bridgeVlans',
      }) as Record<string, string>
    )[o.op] ?? o.op;
  it.each(mutations)('%s, and back: removes in REMOVAL_ORDER, all before link deletes', (_, mutate) => {
    for (const [from, to] of [
      [base, mutate(base)],
      [mutate(base), base],
    ] as const) {
      const plan = diffKernelState(render(to), reportedState(render(from)));
      const ranks = plan.removes.map((o) => REMOVAL_ORDER.indexOf(kindOf(o) as (typeof REMOVAL_ORDER)[number]));
      expect(ranks.every((r) => r >= 0)).toBe(true);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      expect(planPhases(plan).map((p) => p.phase)).toEqual([
        'removes',
        'linkDeletes',
        'linkCreates',
        'updates',
        'creates',
      ]);
      expect(planSize(plan)).toBeGreaterThan(0);
    }
  });
});
