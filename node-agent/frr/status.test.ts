import { describe, expect, it } from 'vitest';
import { FrrStatusParseError, parseFrrStatus, vniRouteCommands } from './status.ts';

// Outputs in FRR 8.4.4's shapes (captured from vtysh).
const evpnVni = JSON.stringify({
  '10100': {
    vni: 10100,
    vxlanIf: 'vxlan-10100',
    numMacs: 0,
    numArpNd: 0,
    numRemoteVteps: 'n/a',
    type: 'L3',
    tenantVrf: 'vrf-10100',
  },
  '10101': {
    vni: 10101,
    type: 'L2',
    vxlanIf: 'vxlan-10101',
    numMacs: 3,
    numArpNd: 2,
    numRemoteVteps: 1,
    tenantVrf: 'vrf-10100',
  },
});
const vrfVni = JSON.stringify({
  vrfs: [
    {
      vrf: 'vrf-10100',
      vni: 10100,
      vxlanIntf: 'vxlan-10100',
      sviIntf: 'br-10100',
      state: 'Up',
      routerMac: '76:39:a4:49:20:16',
    },
  ],
});
const evpnSummary = JSON.stringify({
  routerId: '10.0.0.1',
  as: 65000,
  peers: {
    '10.0.0.2': { remoteAs: 65000, state: 'Established', pfxRcd: 4, peerUptimeMsec: 1200 },
    '10.0.0.3': { remoteAs: 65000, state: 'Idle', pfxRcd: 0, peerUptimeMsec: 0 },
  },
});
// `show bgp l2vpn evpn route vni 10101 json` (the same shape on 8.4.4 and 10.7.1).
const routesByVni = new Map([
  [
    10101,
    JSON.stringify({
      '[2]:[0]:[48]:[02:00:00:00:01:02]': {},
      '[2]:[0]:[48]:[02:00:00:00:01:02]:[32]:[10.101.0.12]': {},
      '[3]:[0]:[32]:[10.0.0.1]': {},
      '[3]:[0]:[32]:[10.0.0.2]': {},
      numPrefix: 4,
      numPaths: 4,
    }),
  ],
]);

describe('parseFrrStatus', () => {
  it('types VNIs, VRFs, peers and route counts', () => {
    const s = parseFrrStatus({
      evpnVni,
      vrfVni,
      evpnSummary,
      routesByVni,
      prefixRoutes: '{"numPrefix":3,"numPaths":3}',
    });
    expect(s.vnis).toEqual([
      {
        vni: 10100,
        type: 'L3',
        vxlanInterface: 'vxlan-10100',
        tenantVrf: 'vrf-10100',
        macs: 0,
        arpNd: 0,
        remoteVteps: null,
        macIpRoutes: 0,
        multicastRoutes: 0,
        floodVteps: [],
      },
      {
        vni: 10101,
        type: 'L2',
        vxlanInterface: 'vxlan-10101',
        tenantVrf: 'vrf-10100',
        macs: 3,
        arpNd: 2,
        remoteVteps: 1,
        macIpRoutes: 2,
        multicastRoutes: 2,
        floodVteps: ['10.0.0.1', '10.0.0.2'],
      },
    ]);
    expect(s.vrfs).toEqual([
      {
        vrf: 'vrf-10100',
        vni: 10100,
        state: 'Up',
        vxlanInterface: 'vxlan-10100',
        sviInterface: 'br-10100',
        routerMac: '76:39:a4:49:20:16',
      },
    ]);
    expect(s.evpnPeers.map((p) => [p.peer, p.established])).toEqual([
      ['10.0.0.2', true],
      ['10.0.0.3', false],
    ]);
    expect(s.prefixRoutes).toBe(3);
  });

  it('accepts the empty answers of an FRR without BGP or VNIs', () => {
    const s = parseFrrStatus({
      evpnVni: '',
      vrfVni: '{"vrfs":[]}',
      evpnSummary: '{}',
      routesByVni: new Map(),
      prefixRoutes: '{"numPrefix":0,"numPaths":0}',
    });
    expect(s).toEqual({ vnis: [], vrfs: [], evpnPeers: [], prefixRoutes: 0 });
  });

  it('asks bgpd for the routes of each L2VNI zebra knows, never of all VNIs at once', () => {
    expect(vniRouteCommands(evpnVni)).toEqual([{ vni: 10101, command: 'show bgp l2vpn evpn route vni 10101 json' }]);
    expect(vniRouteCommands('')).toEqual([]);
    expect(() => vniRouteCommands('% Unknown command')).toThrow(FrrStatusParseError);
  });

  it('rejects a VNI route answer that is not JSON', () => {
    expect(() =>
      parseFrrStatus({
        evpnVni,
        vrfVni,
        evpnSummary,
        routesByVni: new Map([[10101, '% Specified VNI does not exist']]),
        prefixRoutes: '{}',
      }),
    ).toThrow(/route vni 10101 json/);
  });

  it('rejects text that is not the expected JSON', () => {
    expect(() =>
      parseFrrStatus({
        evpnVni: '% Unknown command',
        vrfVni: '{}',
        evpnSummary: '{}',
        routesByVni: new Map(),
        prefixRoutes: '{}',
      }),
    ).toThrow(FrrStatusParseError);
  });
});
