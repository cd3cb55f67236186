// Phase 3 of buildDesired: which VNIs each network puts on the wire and where it routes.
import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION, Label } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnNetworkSpec, EvpnVrf } from '../../crds/index.ts';
import { usableAssociation } from '../../test/fixtures/mirror/usable-association.ts';
import { assignNetworkVnis, DEFAULT_L3VNI_OFFSET, routingOf, type VniInput } from './network-vnis.ts';
import type { Association } from './parse-association.ts';
import type { UsableAssociation } from './select-associations.ts';

const usable = (...list: UsableAssociation[]) => new Map(list.map((a) => [a.networkId, a]));
const l3Of = (vni: number, extra: Partial<Association> = {}): Association => ({
  vni,
  type: 'l3',
  routeTargets: [],
  importTargets: [],
  exportTargets: [],
  routeDistinguishers: [],
  routes: [],
  warnings: [],
  ...extra,
});
const network = (name: string, spec: EvpnNetworkSpec, mirrored: boolean): EvpnNetwork => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNetwork',
  metadata: { name, ...(mirrored ? { labels: { [Label.MirroredFrom]: 'network' } } : {}) },
  spec,
});
const userVrf = (name: string, vni: number): EvpnVrf => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnVrf',
  metadata: { name },
  spec: { vni },
});

function run(assocs: UsableAssociation[], extra: Partial<VniInput> = {}) {
  return assignNetworkVnis({
    usable: usable(...assocs),
    mirroredNetworks: new Map(),
    userNetworks: [],
    userVrfs: [],
    keptLastGood: new Map(),
    l3vniOffset: DEFAULT_L3VNI_OFFSET,
    ...extra,
  });
}

describe('routingOf', () => {
  it('l2 without a router l3 association: vrf-<vni>, L3VNI vni + offset, table vni + 1000000 (whatever the offset)', () => {
    expect(
      routingOf(
        'a',
        usableAssociation('a', { vni: 10100, type: 'l2', bgpAs: 65000, routeTargets: ['65000:10100'] }),
        1_000_000,
      ),
    ).toEqual({ vrf: 'vrf-10100', l2vni: 10100, vrfSpec: { vni: 1_010_100, routingTable: 1_010_100, bgpAs: 65000 } });
    // Another offset moves the L3VNI, never the table.
    expect(routingOf('a', usableAssociation('a', { vni: 10100, type: 'l2' }), 5_000_000)).toEqual({
      vrf: 'vrf-10100',
      l2vni: 10100,
      vrfSpec: { vni: 5_010_100, routingTable: 1_010_100 },
    });
  });

  it("l2 with a router l3 association: routes in that BGPVPN's VRF, with its policy", () => {
    const a = usableAssociation(
      'a',
      { vni: 10100, type: 'l2', routeTargets: ['65000:10100'] },
      { routerL3: l3Of(20000, { routeTargets: ['65000:20000'], localPref: 50 }) },
    );
    expect(routingOf('a', a, 1_000_000)).toEqual({
      vrf: 'vrf-20000',
      l2vni: 10100,
      vrfSpec: { vni: 20000, routeTargets: ['65000:20000'], localPref: 50 },
    });
  });

  it("l3: the association's VNI is the L3VNI of vrf-<vni>; no L2VNI", () => {
    expect(
      routingOf('a', usableAssociation('a', { vni: 20000, type: 'l3', routeTargets: ['65000:20000'] }), 1_000_000),
    ).toEqual({ vrf: 'vrf-20000', vrfSpec: { vni: 20000, routeTargets: ['65000:20000'] } });
  });

  it.each([
    [
      'an L3VNI above 2^24 - 1',
      usableAssociation('a', { vni: 16_000_000, type: 'l2' }),
      /^EVPN-001: the L3VNI of vrf-16000000 would be 17000000 \(L2VNI 16000000 \+ --l3vni-offset 1000000\), above 16777215/,
    ],
    [
      "a router l3 association with the l2 association's VNI",
      usableAssociation('a', { vni: 7, type: 'l2' }, { routerL3: l3Of(7) }),
      /^EVPN-004: .*one VNI cannot be both the L2VNI and the L3VNI/,
    ],
  ])('refuses %s', (_name, a, message) => {
    expect(routingOf('a', a, 1_000_000)).toMatchObject({
      kind: 'EvpnNetwork',
      name: 'a',
      reason: 'Conflict',
      message: expect.stringMatching(message) as unknown,
    });
  });
});

describe('assignNetworkVnis (phase 3)', () => {
  it('two networks on one l2 BGPVPN: one VNI is one broadcast domain, the lowest id wins when neither exists', () => {
    const out = run([
      usableAssociation('b', { vni: 10100, type: 'l2' }),
      usableAssociation('a', { vni: 10100, type: 'l2' }),
    ]);
    expect([...out.usable.keys()]).toEqual(['a']);
    expect([...out.routing.keys()]).toEqual(['a']);
    expect(out.problems).toEqual([
      expect.objectContaining({
        kind: 'EvpnNetwork',
        name: 'b',
        reason: 'Conflict',
        message:
          'EVPN-004: L2VNI 10100 of network b is already the L2VNI 10100 of network a; this l2 association is not applied (one VNI is one broadcast domain)',
      }),
    ]);
  });

  it('the network that already holds the VNI keeps it, whatever the ids', () => {
    const live = new Map([['b', network('b', { type: 'l2', vni: 10100, vlanId: 5, vrf: 'vrf-10100' }, true)]]);
    const out = run(
      [usableAssociation('a', { vni: 10100, type: 'l2' }), usableAssociation('b', { vni: 10100, type: 'l2' })],
      { mirroredNetworks: live },
    );
    expect([...out.usable.keys()]).toEqual(['b']);
    expect(out.problems.map((p) => p.name)).toEqual(['a']);
  });

  it('networks routing in one VRF share its L3VNI: l3 networks and l2 networks behind the same l3 router association', () => {
    const out = run([
      usableAssociation('a', { vni: 10100, type: 'l2' }, { routerL3: l3Of(20000) }),
      usableAssociation('b', { vni: 10200, type: 'l2' }, { routerL3: l3Of(20000) }),
      usableAssociation('c', { vni: 20000, type: 'l3' }),
    ]);
    expect(out.problems).toEqual([]);
    expect([...out.routing].map(([id, r]) => [id, r.vrf, r.vrfSpec.vni, r.l2vni])).toEqual([
      ['a', 'vrf-20000', 20000, 10100],
      ['b', 'vrf-20000', 20000, 10200],
      ['c', 'vrf-20000', 20000, undefined],
    ]);
  });

  it.each([
    {
      name: "an l2 network's offset L3VNI is an l3 BGPVPN's VNI",
      assocs: [
        usableAssociation('a', { vni: 1_010_100, type: 'l3' }),
        usableAssociation('b', { vni: 10100, type: 'l2' }),
      ],
      refused: 'b',
      message:
        'EVPN-004: L3VNI 1010100 of VRF vrf-10100 (network b) is already the L3VNI 1010100 of VRF vrf-1010100 (network a); this l2 association is not applied',
    },
    {
      name: "an l2 network's offset L3VNI is another l2 network's L2VNI",
      assocs: [
        usableAssociation('a', { vni: 1_010_100, type: 'l2' }, { routerL3: l3Of(30) }),
        usableAssociation('b', { vni: 10100, type: 'l2' }),
      ],
      refused: 'b',
      message:
        'EVPN-004: L3VNI 1010100 of VRF vrf-10100 (network b) is already the L2VNI 1010100 of network a; this l2 association is not applied',
    },
    {
      name: "a router's l3 VNI is another network's L2VNI",
      assocs: [
        usableAssociation('a', { vni: 30, type: 'l2' }),
        usableAssociation('b', { vni: 40, type: 'l2' }, { routerL3: l3Of(30) }),
      ],
      refused: 'b',
      message:
        'EVPN-004: L3VNI 30 of VRF vrf-30 (network b) is already the L2VNI 30 of network a; this l2 association is not applied',
    },
  ])('refuses the later network whole when $name', ({ assocs, refused, message }) => {
    const out = run(assocs);
    expect(out.problems).toEqual([expect.objectContaining({ name: refused, reason: 'Conflict', message })]);
    expect(out.usable.has(refused)).toBe(false);
    expect(out.routing.has(refused)).toBe(false);
  });

  it('user objects and kept-last-good networks hold their VNIs first', () => {
    const out = run(
      [
        usableAssociation('a', { vni: 100, type: 'l2' }),
        usableAssociation('b', { vni: 200, type: 'l2' }),
        usableAssociation('c', { vni: 300, type: 'l2' }),
        usableAssociation('d', { vni: 400, type: 'l3' }),
      ],
      {
        userNetworks: [network('mine', { type: 'l2', vni: 100, vlanId: 9 }, false)],
        userVrfs: [userVrf('tenant', 200), userVrf('other', 400)],
        keptLastGood: new Map([['k', { type: 'l2', vni: 300, vlanId: 8, vrf: 'vrf-300' }]]),
      },
    );
    expect(out.problems.map((p) => [p.name, p.message])).toEqual([
      [
        'a',
        'EVPN-004: L2VNI 100 of network a is already the L2VNI 100 of EvpnNetwork mine; this l2 association is not applied (one VNI is one broadcast domain)',
      ],
      [
        'b',
        'EVPN-004: L2VNI 200 of network b is already the L3VNI 200 of EvpnVrf tenant; this l2 association is not applied',
      ],
      [
        'c',
        'EVPN-004: L2VNI 300 of network c is already the L2VNI 300 of network k (last good spec); this l2 association is not applied (one VNI is one broadcast domain)',
      ],
    ]);
    // A mirrored l3 VRF with a user VRF's L3VNI is yieldToUserVrfs' to report (phase 4): the network stays.
    expect([...out.usable.keys()]).toEqual(['d']);
  });

  it('keeps the input order of what it keeps', () => {
    const out = run([usableAssociation('z', { vni: 1, type: 'l2' }), usableAssociation('a', { vni: 2, type: 'l2' })]);
    expect([...out.usable.keys()]).toEqual(['z', 'a']);
  });
});
