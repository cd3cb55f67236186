import { describe, expect, it } from 'vitest';
import * as C from './constants.ts';
import { decodeBridgePort, encodeBridgePortFlags, encodeBridgeVlans } from './bridge-codec.ts';
import { attrMap, parseAttrs } from './nlattr.ts';

const must = <T>(x: T | undefined): T => {
  if (x === undefined) throw new Error('missing');
  return x;
};

describe('bridge vlans', () => {
  it('a port vlan carries pvid/untagged flags and no IFLA_BRIDGE_FLAGS', () => {
    const buf = encodeBridgeVlans(4, [{ vid: 101, pvid: true, untagged: true }]);
    expect(buf.readUInt8(0)).toBe(C.AF_BRIDGE);
    expect(decodeBridgePort(buf)).toMatchObject({ index: 4, vlans: [{ vid: 101, pvid: true, untagged: true }] });
    const spec = parseAttrs(must(attrMap(parseAttrs(buf, 16)).get(C.IFLA_AF_SPEC)));
    expect(spec.map((a) => a.type)).toEqual([C.IFLA_BRIDGE_VLAN_INFO]);
  });

  it('a self vlan (the bridge device) sets BRIDGE_FLAGS_SELF', () => {
    const buf = encodeBridgeVlans(3, [
      { vid: 101, self: true },
      { vid: 4000, self: true },
    ]);
    const spec = attrMap(parseAttrs(must(attrMap(parseAttrs(buf, 16)).get(C.IFLA_AF_SPEC))));
    expect(spec.get(C.IFLA_BRIDGE_FLAGS)?.readUInt16LE(0)).toBe(C.BRIDGE_FLAGS_SELF);
    expect(decodeBridgePort(buf).vlans.map((v) => v.vid)).toEqual([101, 4000]);
  });

  it('rejects vid 0, 4095 and mixing self with port vlans', () => {
    expect(() => encodeBridgeVlans(3, [{ vid: 0 }])).toThrow(/invalid VLAN/);
    expect(() => encodeBridgeVlans(3, [{ vid: 4095 }])).toThrow(/invalid VLAN/);
    expect(() => encodeBridgeVlans(3, [{ vid: 1, self: true }, { vid: 2 }])).toThrow(/self and port/);
  });
});

describe('bridge port flags', () => {
  it('learning off and neigh_suppress on in a NESTED IFLA_PROTINFO', () => {
    const buf = encodeBridgePortFlags({ dev: 4, learning: false, neighSuppress: true });
    expect(buf.readUInt16LE(16 + 2)).toBe(C.IFLA_PROTINFO | C.NLA_F_NESTED);
    expect(decodeBridgePort(buf)).toMatchObject({ learning: false, neighSuppress: true });
  });
});
