// Phase-level tables for buildDesired (build-desired.test.ts covers the whole).
import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION, EvpnNetworkSpec } from '../../crds/index.ts';
import type { EvpnVrf, EvpnVrfSpec } from '../../crds/index.ts';
import { localPortOf } from './desired-port-sets.ts';
import { networkSpecOf, type NetworkSpecResult } from './desired-networks.ts';
import { dropVlanCollisions } from './vlan-collisions.ts';
import { vrfsOfNetworks, yieldToUserVrfs } from './desired-vrfs.ts';
import { usableAssociation } from '../../test/fixtures/mirror/usable-association.ts';
import type { NetworkFacts, ProviderPath } from './network-facts.ts';
import { dropMixedTypeVnis, type UsableAssociation } from './select-associations.ts';

const usable = (...list: UsableAssociation[]) => new Map(list.map((a) => [a.networkId, a]));

describe('dropMixedTypeVnis (phase 2)', () => {
  const cases: { name: string; assocs: UsableAssociation[]; existing: string[]; kept: string[]; dropped: string[] }[] =
    [
      {
        name: 'one type per VNI: all kept',
        assocs: [
          usableAssociation('a', { vni: 1, type: 'l2' }),
          usableAssociation('b', { vni: 1, type: 'l2' }),
          usableAssociation('c', { vni: 2, type: 'l3' }),
        ],
        existing: [],
        kept: ['a', 'b', 'c'],
        dropped: [],
      },
      {
        name: 'mixed types, none existing: the first id decides',
        assocs: [usableAssociation('b', { vni: 1, type: 'l3' }), usableAssociation('a', { vni: 1, type: 'l2' })],
        existing: [],
        kept: ['a'],
        dropped: ['b'],
      },
      {
        name: 'mixed types: the existing network decides, a newcomer cannot flip it',
        assocs: [usableAssociation('a', { vni: 1, type: 'l2' }), usableAssociation('b', { vni: 1, type: 'l3' })],
        existing: ['b'],
        kept: ['b'],
        dropped: ['a'],
      },
    ];
  it.each(cases)('$name', ({ assocs, existing, kept, dropped }) => {
    const out = dropMixedTypeVnis(usable(...assocs), new Map(existing.map((e) => [e, {}])));
    expect([...out.usable.keys()].sort()).toEqual(kept);
    expect(out.problems.map((p) => p.name)).toEqual(dropped);
    for (const p of out.problems)
      expect(p).toMatchObject({
        kind: 'EvpnNetwork',
        reason: 'Conflict',
        message: expect.stringMatching(/^EVPN-004: VNI 1 is already used as type l[23]/) as unknown,
      });
  });

  it('keeps the input order of what it keeps', () => {
    const out = dropMixedTypeVnis(
      usable(usableAssociation('z', { vni: 1, type: 'l2' }), usableAssociation('a', { vni: 2, type: 'l2' })),
      new Map(),
    );
    expect([...out.usable.keys()]).toEqual(['z', 'a']);
  });
});

describe('vrfsOfNetworks (phase 4)', () => {
  const routing = (...list: [string, string, EvpnVrfSpec][]) =>
    new Map(list.map(([id, vrf, vrfSpec]) => [id, { vrf, vrfSpec }]));
  it('makes one VRF per name, its policy from the first network by id', () => {
    const out = vrfsOfNetworks(
      routing(
        ['b', 'vrf-10', { vni: 10, routeTargets: ['65000:2'] }],
        ['a', 'vrf-10', { vni: 10, routeTargets: ['65000:1'], localPref: 50 }],
        ['c', 'vrf-20', { vni: 20, bgpAs: 65001 }],
      ),
    );
    expect(out.vrfs).toEqual(
      new Map<string, EvpnVrfSpec>([
        ['vrf-10', { vni: 10, routeTargets: ['65000:1'], localPref: 50 }],
        ['vrf-20', { vni: 20, bgpAs: 65001 }],
      ]),
    );
    expect(out.problems).toEqual([
      expect.objectContaining({
        name: 'b',
        reason: 'Conflict',
        message: expect.stringContaining('VRF vrf-10 gets its BGP policy from network a') as unknown,
      }),
    ]);
  });

  it('reports nothing when networks sharing a VRF ask for the same policy', () => {
    expect(vrfsOfNetworks(routing(['a', 'vrf-10', { vni: 10 }], ['b', 'vrf-10', { vni: 10 }])).problems).toEqual([]);
  });
});

describe('yieldToUserVrfs (phase 4)', () => {
  const user = (name: string, vni: number): EvpnVrf => ({
    apiVersion: API_GROUP_VERSION,
    kind: 'EvpnVrf',
    metadata: { name },
    spec: { vni },
  });
  const mirrored = new Map<string, EvpnVrfSpec>([
    ['vrf-10', { vni: 10 }],
    ['vrf-20', { vni: 20 }],
  ]);
  const cases: { name: string; users: EvpnVrf[]; left: string[]; problems: string[] }[] = [
    { name: 'no user VRFs', users: [], left: ['vrf-10', 'vrf-20'], problems: [] },
    { name: 'a user VRF of another name and VNI', users: [user('mine', 30)], left: ['vrf-10', 'vrf-20'], problems: [] },
    {
      name: 'a user VRF of the same name replaces the mirrored one',
      users: [user('vrf-10', 10)],
      left: ['vrf-20'],
      problems: ['EvpnVrf/vrf-10'],
    },
    {
      name: 'a user VRF of the same VNI: reported on both',
      users: [user('mine', 20)],
      left: ['vrf-10', 'vrf-20'],
      problems: ['EvpnVrf/mine', 'EvpnVrf/vrf-20'],
    },
    {
      name: "same name and another mirrored VRF's VNI",
      users: [user('vrf-10', 20)],
      left: ['vrf-20'],
      problems: ['EvpnVrf/vrf-10', 'EvpnVrf/vrf-10', 'EvpnVrf/vrf-20'],
    },
  ];
  it.each(cases)('$name', ({ users, left, problems }) => {
    const out = yieldToUserVrfs(mirrored, users);
    expect([...out.vrfs.keys()]).toEqual(left);
    expect(out.problems.map((p) => `${p.kind}/${p.name}`)).toEqual(problems);
    expect(mirrored.size).toBe(2);
  });
});

describe('networkSpecOf (phase 5)', () => {
  const numbers = { vrfOf: new Map([['a', 'vrf-10']]) };
  const vlan7: NetworkFacts = {
    provider: { kind: 'vlan', vlanId: 7, physicalNetwork: 'physnet1' },
    mtu: undefined,
    subnets: [],
  };
  const cases: {
    name: string;
    a: UsableAssociation;
    numbers: typeof numbers;
    facts?: NetworkFacts;
    expected: unknown;
  }[] = [
    {
      name: "an l2 network: the association's VNI is its L2VNI and its policy the L2VNI's; the VRF from phase 3; OVN's VLAN and physical network",
      a: usableAssociation('a', {
        vni: 10,
        type: 'l2',
        bgpAs: 65000,
        routeTargets: ['65000:10'],
        exportTargets: ['65000:11'],
        routeDistinguishers: ['192.0.2.1:10'],
        localPref: 200,
      }),
      numbers,
      expected: {
        problems: [],
        spec: {
          type: 'l2',
          vni: 10,
          vrf: 'vrf-10',
          vlanId: 7,
          provider: { physicalNetwork: 'physnet1' },
          bgpAs: 65000,
          routeTargets: ['65000:10'],
          exportTargets: ['65000:11'],
          routeDistinguishers: ['192.0.2.1:10'],
          localPref: 200,
          source: {
            association: 'network',
            networkId: 'a',
            rows: [{ db: 'OVN_Northbound', table: 'Logical_Switch', uuid: 'ls-a', name: 'neutron-a' }],
          },
        },
      },
    },
    {
      name: "an l3 network carries the association's VNI",
      a: usableAssociation('a', { vni: 20, type: 'l3', bgpAs: 65000 }),
      numbers: { vrfOf: new Map([['a', 'vrf-20']]) },
      expected: { spec: { type: 'l3', vni: 20, vrf: 'vrf-20', vlanId: 7, bgpAs: 65000 } },
    },
    {
      name: "the MTU and subnets are OVN's",
      a: usableAssociation('a', { vni: 20, type: 'l3' }),
      numbers,
      facts: {
        ...vlan7,
        mtu: { ok: 1442 },
        subnets: [{ cidr: '10.0.0.0/24', gateway: '10.0.0.1', gatewayOwner: 'ovn' }],
      },
      expected: {
        problems: [],
        spec: { mtu: 1442, subnets: [{ cidr: '10.0.0.0/24', gateway: '10.0.0.1', gatewayOwner: 'ovn' }] },
      },
    },
    {
      name: 'no VRF from phase 3',
      a: usableAssociation('a', { vni: 10, type: 'l2' }),
      numbers: { vrfOf: new Map() },
      expected: {
        kind: 'EvpnNetwork',
        name: 'a',
        reason: 'Conflict',
        keptLastGood: false,
        message: 'EVPN-004: no VRF to route in',
      },
    },
  ];
  it.each(cases)('$name', ({ a, numbers: nums, facts, expected }) => {
    expect(networkSpecOf('a', a, nums, facts ?? vlan7)).toMatchObject(expected as object);
  });

  const paths: { name: string; provider: ProviderPath; message: RegExp }[] = [
    {
      name: 'flat',
      provider: { kind: 'flat', physicalNetwork: 'physnet1' },
      message: /^EVPN-001: flat provider network on physical network physnet1/,
    },
    {
      name: 'Geneve (no localnet)',
      provider: { kind: 'tunnel' },
      message: /^EVPN-001: tenant \(Geneve\) network without a localnet port/,
    },
    {
      name: 'multi-segment',
      provider: { kind: 'ambiguous', localnets: ['ln-1', 'ln-2'] },
      message: /^EVPN-001: 2 localnet ports \(ln-1, ln-2\)/,
    },
  ];
  it.each(paths)('a $name network is mirrored without VLAN path, with NoProviderPath', ({ provider, message }) => {
    const out = networkSpecOf('a', usableAssociation('a', { vni: 10, type: 'l2' }), numbers, {
      ...vlan7,
      provider,
    }) as NetworkSpecResult;
    expect(out.spec).not.toHaveProperty('vlanId');
    expect(out.spec).not.toHaveProperty('provider');
    expect(out.spec).toMatchObject({ type: 'l2', vni: 10, vrf: 'vrf-10' });
    expect(out.problems).toEqual([
      expect.objectContaining({
        reason: 'NoProviderPath',
        keptLastGood: false,
        message: expect.stringMatching(message) as unknown,
      }),
    ]);
    expect(EvpnNetworkSpec.safeParse(out.spec).success).toBe(true);
  });

  const mtus: { name: string; previous?: number; expected: number | undefined; message: string }[] = [
    {
      name: 'an invalid MTU keeps the last good one',
      previous: 1450,
      expected: 1450,
      message:
        'EVPN-001: Logical_Switch external_ids neutron:mtu="100" is not an MTU (576–9216); the last good MTU 1450 is kept',
    },
    {
      name: 'an invalid MTU on a new network falls back to the default',
      expected: undefined,
      message:
        'EVPN-001: Logical_Switch external_ids neutron:mtu="100" is not an MTU (576–9216); the default MTU applies',
    },
  ];
  it.each(mtus)('$name', ({ previous, expected, message }) => {
    const prev: EvpnNetworkSpec | undefined =
      previous === undefined ? undefined : { type: 'l3', vrf: 'vrf-20', mtu: previous };
    const out = networkSpecOf(
      'a',
      usableAssociation('a', { vni: 20, type: 'l3' }),
      numbers,
      { ...vlan7, mtu: { invalid: '100' } },
      prev,
    ) as NetworkSpecResult;
    expect(out.spec.mtu).toBe(expected);
    expect(out.problems).toEqual([
      { kind: 'EvpnNetwork', name: 'a', reason: 'InvalidMtu', keptLastGood: true, code: 'EVPN-001', message },
    ]);
  });

  it("keeps an l3 BGPVPN's route targets off the network (they are its VRF's)", () => {
    const out = networkSpecOf(
      'a',
      usableAssociation('a', {
        vni: 20,
        type: 'l3',
        routeTargets: ['65000:20'],
        routeDistinguishers: ['192.0.2.1:20'],
      }),
      numbers,
      vlan7,
    ) as NetworkSpecResult;
    expect(out.spec).toMatchObject({ type: 'l3', vni: 20 });
    expect(out.spec).not.toHaveProperty('routeTargets');
    expect(out.spec).not.toHaveProperty('routeDistinguishers');
  });

  it('refuses a spec the API would reject, as a malformed association', () => {
    const out = networkSpecOf(
      'a',
      usableAssociation(
        'a',
        { vni: 10, type: 'l2', routeTargets: [] },
        { routes: [{ type: 'prefix', destination: 'not-a-prefix', nexthop: '10.0.0.1' }] },
      ),
      numbers,
      vlan7,
    );
    expect(out).toMatchObject({
      kind: 'EvpnNetwork',
      name: 'a',
      reason: 'MalformedAssociation',
      keptLastGood: false,
      message: expect.stringMatching(/^EVPN-002: routes/) as unknown,
    });
  });
});

describe('dropVlanCollisions (phase 5)', () => {
  const spec = (vlanId: number, physicalNetwork = 'physnet1'): EvpnNetworkSpec => ({
    type: 'l3',
    vrf: 'vrf-1',
    vlanId,
    provider: { physicalNetwork },
  });
  const cases: {
    name: string;
    nets: [string, EvpnNetworkSpec][];
    holders?: [string, EvpnNetworkSpec][];
    held: string[];
    messages: string[];
  }[] = [
    {
      name: 'different VLANs: nothing',
      nets: [
        ['a', spec(5)],
        ['b', spec(6)],
      ],
      held: [],
      messages: [],
    },
    {
      name: "one VLAN on two physical networks: not this phase's conflict",
      nets: [
        ['a', spec(5)],
        ['b', spec(5, 'physnet2')],
      ],
      held: [],
      messages: [],
    },
    {
      name: 'one VLAN on one physical network: EVPN-004 on both, neither keeps its path',
      nets: [
        ['b', spec(5)],
        ['a', spec(5)],
      ],
      held: ['a', 'b'],
      messages: [
        'a: EVPN-004: VLAN 5 on physical network physnet1 is also the VLAN of EvpnNetwork b; no agent applies this network until one of them changes',
        'b: EVPN-004: VLAN 5 on physical network physnet1 is also the VLAN of EvpnNetwork a; no agent applies this network until one of them changes',
      ],
    },
    {
      name: 'a VLAN a user network holds: the mirrored one yields',
      nets: [['a', spec(5)]],
      holders: [['mine', { type: 'l3', vrf: 'v', vlanId: 5 }]],
      held: ['a'],
      messages: [
        'a: EVPN-004: VLAN 5 on physical network physnet1 is also the VLAN of EvpnNetwork mine; no agent applies this network until one of them changes',
      ],
    },
  ];
  it.each(cases)('$name', ({ nets, holders, held, messages }) => {
    const networks = new Map(nets);
    const problems = dropVlanCollisions(networks, new Set(networks.keys()), new Map(holders ?? []));
    expect(
      [...networks]
        .filter(([, s]) => s.vlanId === undefined)
        .map(([id]) => id)
        .sort(),
    ).toEqual(held);
    for (const id of held) expect(networks.get(id)).not.toHaveProperty('provider');
    expect(problems.map((p) => `${p.name}: ${p.message}`).sort()).toEqual(messages);
    for (const p of problems) expect(p).toMatchObject({ reason: 'Conflict', keptLastGood: false });
  });
});

describe('localPortOf', () => {
  const pb = (mac: string[]) => ({ uuid: 'u', logicalPort: 'port-1', type: '', mac, datapath: 'dp', externalIds: {} });
  const cases: { name: string; mac: string[]; port: unknown }[] = [
    { name: 'MAC only', mac: ['02:00:00:00:01:01'], port: { name: 'port-1', mac: '02:00:00:00:01:01' } },
    {
      name: 'MAC and addresses, sorted, MAC lower-cased',
      mac: ['02:00:00:00:01:AB 10.0.0.2 10.0.0.1'],
      port: { name: 'port-1', mac: '02:00:00:00:01:ab', ips: ['10.0.0.1', '10.0.0.2'] },
    },
    {
      name: 'the first valid entry wins; later ones are virtual addresses',
      mac: ['unknown', '02:00:00:00:01:01 10.0.0.1', '02:00:00:00:01:02 10.0.0.9'],
      port: { name: 'port-1', mac: '02:00:00:00:01:01', ips: ['10.0.0.1'] },
    },
    { name: 'no valid MAC: no port', mac: ['router', 'dynamic'], port: undefined },
  ];
  it.each(cases)('$name', ({ mac, port }) => {
    expect(localPortOf(pb(mac))).toEqual(port);
  });
});
