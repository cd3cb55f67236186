import { describe, expect, it } from 'vitest';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import {
  attributeRefusals,
  maskRefused,
  plainRefusalMessage,
  refusalUnitEnd,
  targetOf,
  type FrrRefusal,
} from './refusals.ts';
import { parseStanzas } from './stanzas.ts';

const vrf = (name: string, vni: number): EvpnVrf => ({ metadata: { name }, spec: { vni } }) as unknown as EvpnVrf;
const l2 = (name: string, vni: number): EvpnNetwork =>
  ({ metadata: { name }, spec: { type: 'l2', vni } }) as unknown as EvpnNetwork;
const refusal = (
  key: string,
  context: string[],
  line: string,
  message = '% refused',
  daemon: FrrRefusal['daemon'] = 'bgpd',
): FrrRefusal => ({ key, daemon, context, line, message });

describe('targetOf', () => {
  it.each([
    [
      'a VRF stanza',
      refusal('vrf vrf-200', ['vrf vrf-200'], 'vni 200', '% in use', 'zebra'),
      { kind: 'vrf', vrf: 'vrf-200' },
    ],
    [
      'a VRF BGP instance',
      refusal(
        'router bgp 65000 vrf vrf-200',
        ['router bgp 65000 vrf vrf-200', 'address-family l2vpn evpn'],
        'route-target import 1:1',
      ),
      { kind: 'vrf', vrf: 'vrf-200' },
    ],
    [
      'a VRF LOCAL_PREF route-map',
      refusal('route-map RM-vrf-200-LP permit 10', ['route-map RM-vrf-200-LP permit 10'], 'set local-preference 5'),
      { kind: 'vrf', vrf: 'vrf-200' },
    ],
    [
      'an L2VNI block opener',
      refusal('router bgp 65000', ['router bgp 65000', 'address-family l2vpn evpn'], 'vni 1100'),
      { kind: 'l2vni', vni: 1100 },
    ],
    [
      'a line inside an L2VNI block',
      refusal('router bgp 65000', ['router bgp 65000', 'address-family l2vpn evpn', 'vni 1100'], 'rd 1:1'),
      { kind: 'l2vni', vni: 1100 },
    ],
    [
      'an L2VNI deletion',
      refusal('router bgp 65000', ['router bgp 65000', 'address-family l2vpn evpn'], 'no vni 1100'),
      { kind: 'l2vni', vni: 1100 },
    ],
    [
      'an underlay neighbour',
      refusal('router bgp 65000', ['router bgp 65000'], 'neighbor 10.0.0.1 remote-as internal'),
      { kind: 'node' },
    ],
    [
      'a shared route-map',
      refusal('route-map OVN-EVPN-X permit 10', ['route-map OVN-EVPN-X permit 10'], 'match x'),
      { kind: 'node' },
    ],
  ])('%s', (_name, r, target) => {
    expect(targetOf(r)).toEqual(target);
  });
});

describe('refusalUnitEnd', () => {
  const lines = [
    'router bgp 65000',
    ' address-family l2vpn evpn',
    '  vni 1100',
    '   rd 1:1',
    '   route-target import 1:1',
    '  exit-vni',
    '  vni 1200',
    '  exit-vni',
    ' exit-address-family',
    'exit',
  ];
  it('a refused L2VNI block is skipped to its end; sending goes on with the next VNI', () => {
    expect(
      refusalUnitEnd(
        lines,
        2,
        refusal('router bgp 65000', ['router bgp 65000', 'address-family l2vpn evpn'], 'vni 1100'),
      ),
    ).toBe(6);
    expect(
      refusalUnitEnd(
        lines,
        3,
        refusal('router bgp 65000', ['router bgp 65000', 'address-family l2vpn evpn', 'vni 1100'], 'rd 1:1'),
      ),
    ).toBe(6);
  });
  it('a refused L2VNI deletion is one line; anything else ends the block', () => {
    expect(
      refusalUnitEnd(
        ['router bgp 65000', ' address-family l2vpn evpn', '  no vni 1100', '  vni 1200'],
        2,
        refusal('router bgp 65000', ['router bgp 65000', 'address-family l2vpn evpn'], 'no vni 1100'),
      ),
    ).toBe(3);
    expect(refusalUnitEnd(lines, 0, refusal('router bgp 65000', [], 'router bgp 65000'))).toBeUndefined();
  });
});

describe('maskRefused', () => {
  const text =
    'router bgp 65000\n neighbor 10.0.0.2 remote-as internal\n address-family l2vpn evpn\n  advertise-all-vni\n  vni 1100\n   rd 1:1\n  exit-vni\n  vni 1200\n   rd 1:2\n  exit-vni\n exit-address-family\nexit\nvrf vrf-200\n vni 200\nexit-vrf\n';
  it('leaves out only the refused L2VNI block, not the rest of the stanza', () => {
    const masked = maskRefused(parseStanzas(text), [
      refusal('router bgp 65000', ['router bgp 65000', 'address-family l2vpn evpn'], 'vni 1100'),
    ]);
    const evpn = masked.get('router bgp 65000')?.children.find((c) => c.line === 'address-family l2vpn evpn');
    expect(evpn?.children.map((c) => c.line)).toEqual(['advertise-all-vni', 'vni 1200']);
    expect(masked.get('router bgp 65000')?.children.map((c) => c.line)).toContain(
      'neighbor 10.0.0.2 remote-as internal',
    );
    expect(masked.has('vrf vrf-200')).toBe(true);
  });
  it('leaves out a refused VRF stanza whole', () => {
    expect([...maskRefused(parseStanzas(text), [refusal('vrf vrf-200', ['vrf vrf-200'], 'vni 200')]).keys()]).toEqual([
      'router bgp 65000',
    ]);
  });
});

describe('attributeRefusals', () => {
  it('a stanza FRR refused rejects the VRF it belongs to, and only that one', () => {
    const a = attributeRefusals(
      [
        refusal(
          'router bgp 65000 vrf vrf-200',
          ['router bgp 65000 vrf vrf-200'],
          'route-target import 1:1',
          '% Malformed',
        ),
        refusal('vrf vrf-200', ['vrf vrf-200'], 'vni 200', '% in use', 'zebra'),
      ],
      [vrf('red', 100), vrf('bad', 200)],
      [],
    );
    expect([...a.vrfs.keys()]).toEqual(['bad']);
    expect(a.vrfs.get('bad')).toEqual({
      code: 'EVPN-006',
      reason: 'FrrRejected',
      message:
        'EVPN-006: FRR refused its configuration: bgpd: route-target import 1:1: % Malformed; zebra: vni 200: % in use',
    });
    expect(a.networks.size).toBe(0);
    expect(a.node).toBeUndefined();
  });
  it('a refused line in an L2VNI block rejects the network with that VNI', () => {
    const a = attributeRefusals(
      [
        refusal(
          'router bgp 65000',
          ['router bgp 65000', 'address-family l2vpn evpn'],
          'vni 1100',
          '% Failed to create VNI',
        ),
      ],
      [vrf('red', 100)],
      [l2('net-a', 1100), l2('net-b', 1200)],
    );
    expect([...a.networks.keys()]).toEqual(['net-a']);
    expect(a.networks.get('net-a')?.code).toBe('EVPN-006');
    expect(a.networks.get('net-a')?.message).toBe(
      'EVPN-006: FRR refused its L2VNI configuration: bgpd: vni 1100: % Failed to create VNI',
    );
    expect(a.vrfs.size).toBe(0);
    expect(a.node).toBeUndefined();
  });
  it('a refusal in the underlay, a shared stanza or of an object no longer applied fails the node', () => {
    const a = attributeRefusals(
      [
        refusal(
          'router bgp 65000',
          ['router bgp 65000'],
          'neighbor 10.0.0.1 remote-as internal',
          '% Can not configure the local system as neighbor',
        ),
        refusal('route-map OVN-EVPN-X permit 10', ['route-map OVN-EVPN-X permit 10'], 'match x', '% x', 'zebra'),
        refusal('vrf vrf-900', ['vrf vrf-900'], 'vni 900', '% y', 'zebra'),
      ],
      [vrf('red', 100)],
      [l2('net-a', 1100)],
    );
    expect(a.vrfs.size + a.networks.size).toBe(0);
    expect(a.node).toBe(
      "FRR refused the node's configuration: bgpd: neighbor 10.0.0.1 remote-as internal: % Can not configure the local system as neighbor; zebra: match x: % x; zebra: vni 900: % y",
    );
  });
});

describe('plainRefusalMessage', () => {
  it.each([
    [
      "FRR 10.7.1's mgmtd (status 13): the reason alone, without the commit's session and request ids",
      "% Configuration failed.\n\ncommit failed session-id 1009 on Unknown-FD-12 req-id 18 source-ds: candidate target-ds: running validate-only: 0: reason: 'Failed to create cfgdata: vni 2003 is already mapped to another vrf'\n",
      'vni 2003 is already mapped to another vrf',
    ],
    [
      "FRR 8.4's northbound: the error description",
      '% Configuration failed.\n\nError type: validation\nError description: VNI 2003 is already configured as L3-VNI\n',
      'VNI 2003 is already configured as L3-VNI',
    ],
    [
      'a one-line answer as it is',
      '% Can not configure the local system as neighbor\n',
      '% Can not configure the local system as neighbor',
    ],
    ['other lines joined into one', '% Failed\n  to create VNI \n', '% Failed to create VNI'],
    ['no answer: the status', '  \n', 'status 13'],
  ])('%s', (_name, output, plain) => {
    expect(plainRefusalMessage(output, 13)).toBe(plain);
  });
});
