import { describe, expect, it } from 'vitest';
import * as C from './constants.ts';
import { encodeCreateLink, encodeSetLink, validateLinkName } from './link-codec.ts';
import { decodeLink } from './link-decoder.ts';
import { attrMap, parseAttrs, readU32 } from './nlattr.ts';

const must = <T>(x: T | undefined): T => {
  if (x === undefined) throw new Error('missing');
  return x;
};

// An RTM_NEWLINK request has the same layout as the kernel's RTM_NEWLINK reply,
// so the decoder reads back what the builder wrote.
describe('link builders round-trip through the decoder', () => {
  it('vrf with table above 255', () => {
    expect(decodeLink(encodeCreateLink({ kind: 'vrf', name: 'vrf-10100', table: 1010100, up: true }))).toMatchObject({
      name: 'vrf-10100',
      kind: 'vrf',
      vrf: { table: 1010100 },
      up: true,
    });
  });

  it('bridge defaults: vlan filtering on, default pvid 0, stp off', () => {
    expect(
      decodeLink(encodeCreateLink({ kind: 'bridge', name: 'br-10100', address: '02:00:00:00:00:01' })),
    ).toMatchObject({
      kind: 'bridge',
      address: '02:00:00:00:00:01',
      bridge: { vlanFiltering: true, vlanDefaultPvid: 0, stp: false },
    });
  });

  it('vxlan: vni, local, port 4789 in network byte order, nolearning, master', () => {
    const buf = encodeCreateLink({
      kind: 'vxlan',
      name: 'vxlan-10101',
      vni: 10101,
      local: '10.0.0.1',
      master: 7,
      mtu: 1450,
    });
    expect(decodeLink(buf)).toMatchObject({
      kind: 'vxlan',
      master: 7,
      mtu: 1450,
      vxlan: { vni: 10101, local: '10.0.0.1', port: 4789, learning: false },
    });
  });

  it('vlan: lower link and id', () => {
    expect(decodeLink(encodeCreateLink({ kind: 'vlan', name: 'br-10100.101', link: 3, vlanId: 101 }))).toMatchObject({
      kind: 'vlan',
      link: 3,
      vlan: { id: 101 },
    });
  });

  it('veth: the peer is a nested ifinfomsg with its own name', () => {
    const buf = encodeCreateLink({ kind: 'veth', name: 'tap0', peer: { name: 'tap0p', mtu: 9000 } });
    const info = attrMap(parseAttrs(must(attrMap(parseAttrs(buf, 16)).get(C.IFLA_LINKINFO))));
    const peer = must(attrMap(parseAttrs(must(info.get(C.IFLA_INFO_DATA)))).get(C.VETH_INFO_PEER));
    expect(decodeLink(peer)).toMatchObject({ name: 'tap0p', mtu: 9000 });
  });

  it('dummy with group and alias', () => {
    expect(
      decodeLink(encodeCreateLink({ kind: 'dummy', name: 'lo-10100', group: 234, alias: 'ovn-evpn:x' })),
    ).toMatchObject({ kind: 'dummy', group: 234, alias: 'ovn-evpn:x' });
  });
});

describe('link changes', () => {
  it('nomaster is IFLA_MASTER 0 and down clears IFF_UP in the change mask', () => {
    const buf = encodeSetLink('vx', { master: null, up: false });
    expect(buf.readUInt32LE(8) & C.IFF_UP).toBe(0);
    expect(buf.readUInt32LE(12) & C.IFF_UP).toBe(C.IFF_UP);
    expect(readU32(attrMap(parseAttrs(buf, 16)).get(C.IFLA_MASTER))).toBe(0);
  });

  it('an empty alias clears it', () => {
    expect(attrMap(parseAttrs(encodeSetLink('vx', { alias: null }), 16)).get(C.IFLA_IFALIAS)?.length).toBe(0);
  });
});

describe('link names', () => {
  it.each(['vxlan-10100', 'a', 'br-10100.4000', '123456789012345'])('accepts %s', (n) => {
    expect(() => {
      validateLinkName(n);
    }).not.toThrow();
  });
  it.each(['', '1234567890123456', 'a b', 'a/b', 'a:b', '..'])('rejects "%s"', (n) => {
    expect(() => {
      validateLinkName(n);
    }).toThrow(/invalid link name/);
  });
});
