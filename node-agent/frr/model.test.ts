import { describe, expect, it } from 'vitest';
import { parseExtCommunity } from '../../crds/primitives.ts';
import { defaultServerAsn, FrrModelError, parseFrrModel, validateFrrModel } from './model.ts';
import { renderFrrConfig } from './render.ts';

const base = { asn: 65000, routerId: '10.0.0.1' };

function errorsOf(input: unknown): string[] {
  const r = validateFrrModel(input);
  return r.ok ? [] : r.errors.map((e) => e.field);
}

describe('parseExtCommunity (RFC 4360 forms)', () => {
  it.each([
    ['65001:4294967295', 'as2'],
    ['1:0', 'as2'],
    ['192.0.2.1:65535', 'ipv4'],
    ['4200049263:65535', 'as4'],
    ['4294967295:1', 'as4'],
  ])('accepts %s as %s', (text, form) => {
    expect(parseExtCommunity(text)).toMatchObject({ form });
  });

  it.each([
    ['4200049263:65536', '4-byte ASN leaves 16 bits'],
    ['10.0.0.1:70000', 'IPv4 leaves 16 bits'],
    ['65001:4294967296', 'beyond 32 bits'],
    ['0:1', 'ASN 0'],
    ['4294967296:1', 'ASN beyond 32 bits'],
    ['256.0.0.1:1', 'bad IPv4'],
    ['65001', 'no colon'],
    ['65001:', 'empty number'],
    ['65001:01', 'leading zero'],
    ['065000:1', 'leading zero in the ASN'],
    ['192.0.2.1:00100', 'leading zero after an IPv4 administrator'],
    ['0:100', 'ASN 0 (the CRD used to accept it)'],
    ['65001:1\nexit', 'newline'],
    ['65001: 1', 'space'],
    ['!65001:1', 'comment marker'],
  ])('rejects %s (%s)', (text) => {
    expect(typeof parseExtCommunity(text)).toBe('string');
  });
});

describe('validateFrrModel', () => {
  it('applies defaults', () => {
    const m = parseFrrModel({ ...base, vrfs: [{ name: 'vrf-1', l3vni: 1 }] });
    expect(m.evpn.advertiseAllVni).toBe(true);
    expect(m.gracefulRestart.enabled).toBe(true);
    expect(m.vrfs[0]).toMatchObject({
      advertiseIpv4: true,
      advertiseIpv6: false,
      redistribute: { connected: true, static: false, kernel: false },
    });
  });

  it.each([
    ['newline in a VRF name', { vrfs: [{ name: 'vrf-1\nrouter bgp 1', l3vni: 1 }] }, 'vrfs[0].name'],
    ['space in a VRF name', { vrfs: [{ name: 'vrf 1', l3vni: 1 }] }, 'vrfs[0].name'],
    ['! in a VRF name', { vrfs: [{ name: '!vrf', l3vni: 1 }] }, 'vrfs[0].name'],
    ['16-character VRF name', { vrfs: [{ name: 'a'.repeat(16), l3vni: 1 }] }, 'vrfs[0].name'],
    [
      'newline in an import RT',
      { vrfs: [{ name: 'v', l3vni: 1, importRts: ['65000:1\n route-target import 1:1'] }] },
      'vrfs[0].importRts[0]',
    ],
    ['space in an export RT', { l2vnis: [{ vni: 5, exportRts: ['65000:1 1'] }] }, 'l2vnis[0].exportRts[0]'],
    ['! in an RD', { l2vnis: [{ vni: 5, rd: '!1:1' }] }, 'l2vnis[0].rd'],
    ['<routerId>:<vni> RD with VNI > 65535', { l2vnis: [{ vni: 70000, rd: '10.0.0.1:70000' }] }, 'l2vnis[0].rd'],
    [
      'newline in a password',
      { underlayNeighbors: [{ address: '10.0.0.2', remoteAs: 1, password: 'a\nb' }] },
      'underlayNeighbors[0].password',
    ],
    [
      'space in a password',
      { underlayNeighbors: [{ address: '10.0.0.2', remoteAs: 1, password: 'a b' }] },
      'underlayNeighbors[0].password',
    ],
    [
      'text as neighbour address',
      { underlayNeighbors: [{ address: '10.0.0.2 remote-as 1', remoteAs: 1 }] },
      'underlayNeighbors[0].address',
    ],
    [
      'interface with newline',
      { underlayNeighbors: [{ interface: 'eth0\n', remoteAs: 'external' }] },
      'underlayNeighbors[0].interface',
    ],
    [
      'remote-as as free text',
      { underlayNeighbors: [{ address: '10.0.0.2', remoteAs: 'internal\n' }] },
      'underlayNeighbors[0].remoteAs',
    ],
    [
      'both address and interface',
      { underlayNeighbors: [{ address: '10.0.0.2', interface: 'eth0', remoteAs: 1 }] },
      'underlayNeighbors[0].address',
    ],
    ['VNI 0', { vrfs: [{ name: 'v', l3vni: 0 }] }, 'vrfs[0].l3vni'],
    ['VNI 2^24', { l2vnis: [{ vni: 16_777_216 }] }, 'l2vnis[0].vni'],
    ['fractional VNI', { l2vnis: [{ vni: 1.5 }] }, 'l2vnis[0].vni'],
    ['prefix with host bits', { advertiseNetworks: ['10.0.0.1/24'] }, 'advertiseNetworks[0]'],
    [
      'peer-group name with space',
      { evpn: { peerGroup: { name: 'EV PN', remoteAs: 'internal' } } },
      'evpn.peerGroup.name',
    ],
  ])('rejects %s, naming the field', (_what, extra, field) => {
    expect(errorsOf({ ...base, ...extra })).toContain(field);
  });

  it.each([
    ['ASN 0', { asn: 0 }, 'asn'],
    ['ASN 2^32', { asn: 4_294_967_296 }, 'asn'],
    ['router id with text', { routerId: '10.0.0.1\nhostname x' }, 'routerId'],
  ])('rejects %s at node level', (_what, override, field) => {
    expect(errorsOf({ ...base, ...override })).toContain(field);
  });

  it.each([
    ['the same VNI as L2VNI and L3VNI', { vrfs: [{ name: 'v', l3vni: 100 }], l2vnis: [{ vni: 100 }] }, 'l2vnis[0].vni'],
    [
      'two VRFs with one name',
      {
        vrfs: [
          { name: 'v', l3vni: 1 },
          { name: 'v', l3vni: 2 },
        ],
      },
      'vrfs[1].name',
    ],
    [
      'two VRFs with one L3VNI',
      {
        vrfs: [
          { name: 'a', l3vni: 1 },
          { name: 'b', l3vni: 1 },
        ],
      },
      'vrfs[1].l3vni',
    ],
    [
      'duplicate neighbours',
      {
        underlayNeighbors: [
          { address: '10.0.0.2', remoteAs: 1 },
          { address: '10.0.0.2', remoteAs: 1 },
        ],
      },
      'underlayNeighbors[1]',
    ],
    [
      'ebgp-multihop on iBGP',
      { evpn: { peerGroup: { remoteAs: 'internal', ebgpMultihop: 2 } } },
      'evpn.peerGroup.ebgpMultihop',
    ],
    [
      'route-reflector clients over eBGP',
      { evpn: { peerGroup: { remoteAs: 65001, routeReflectorClients: true } } },
      'evpn.peerGroup.routeReflectorClients',
    ],
  ])('rejects %s', (_what, extra, field) => {
    expect(errorsOf({ ...base, ...extra })).toContain(field);
  });

  it('renderFrrConfig throws a typed error naming the field', () => {
    const bad = { ...base, vrfs: [{ name: 'ok', l3vni: 1, exportRts: ['1:1\n!'] }] };
    expect(() => renderFrrConfig(bad)).toThrow(FrrModelError);
    try {
      renderFrrConfig(bad);
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(FrrModelError);
      expect((error as FrrModelError).field).toBe('vrfs[0].exportRts[0]');
    }
  });

  it('canonicalises IPv6 as FRR prints it', () => {
    const m = parseFrrModel({ ...base, underlayNeighbors: [{ address: '2001:DB8:0:0::1', remoteAs: 1 }] });
    expect(m.underlayNeighbors[0]?.address).toBe('2001:db8::1');
  });
});

describe('defaultServerAsn (seed 001)', () => {
  it.each([
    ['10.0.192.111', 4_200_049_263],
    ['10.0.193.111', 4_200_049_519],
    ['10.1.192.111', 4_200_114_799],
    ['10.255.255.255', 4_216_777_215],
  ])('%s -> %i', (ip, asn) => {
    expect(defaultServerAsn(ip)).toBe(asn);
  });

  it.each(['10.0.0.256', '10.0.0', 'fe80::1', '10.0.0.1\n', ''])('rejects %j', (ip) => {
    expect(() => defaultServerAsn(ip)).toThrow(FrrModelError);
  });
});
