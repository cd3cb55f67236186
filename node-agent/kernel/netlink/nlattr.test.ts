import { describe, expect, it } from 'vitest';
import {
  attrMap,
  encodeIp,
  encodeMac,
  encodeMessage,
  formatIp,
  formatMac,
  nest,
  parseAttrs,
  parsePrefix,
  readStr,
  readU16be,
  readU32,
  str,
  u16be,
  u32,
  u8,
} from './nlattr.ts';

const must = <T>(x: T | undefined): T => {
  if (x === undefined) throw new Error('missing');
  return x;
};

describe('attributes', () => {
  it('pads every attribute to 4 bytes and round-trips', () => {
    const buf = encodeMessage(Buffer.alloc(0), [str(3, 'vx'), u8(7, 0), u32(1, 10100), u16be(15, 4789)]);
    // "vx\0" = 3 bytes -> len 7, padded to 8; u8 -> len 5, padded to 8
    expect(buf.length).toBe(8 + 8 + 8 + 8);
    expect(buf.readUInt16LE(0)).toBe(7);
    const m = attrMap(parseAttrs(buf));
    expect(readStr(m.get(3))).toBe('vx');
    expect(readU32(m.get(1))).toBe(10100);
    expect(readU16be(m.get(15))).toBe(4789);
  });

  it('encodes nests with their total length and the NESTED flag only when asked', () => {
    const buf = encodeMessage(Buffer.alloc(4), [
      nest(18, [str(1, 'vrf'), nest(2, [u32(1, 1010100)])]),
      nest(12, [u8(8, 0)], true),
    ]);
    const top = parseAttrs(buf, 4);
    expect(top.map((a) => a.type)).toEqual([18, 12]);
    const second = 4 + ((buf.readUInt16LE(4) + 3) & ~3);
    expect(buf.readUInt16LE(4 + 2)).toBe(18);
    expect(buf.readUInt16LE(second + 2)).toBe(12 | 0x8000);
    const info = attrMap(parseAttrs(must(top[0]).data));
    expect(readStr(info.get(1))).toBe('vrf');
    expect(readU32(attrMap(parseAttrs(must(info.get(2)))).get(1))).toBe(1010100);
  });

  it('stops at a truncated attribute instead of reading past the end', () => {
    const buf = Buffer.from([8, 0, 1, 0, 1, 2, 3, 4, 20, 0, 2, 0]);
    expect(parseAttrs(buf).map((a) => a.type)).toEqual([1]);
  });
});

describe('addresses', () => {
  it.each([
    ['10.0.0.1', '0a000001'],
    ['fd00::1', 'fd000000000000000000000000000001'],
    ['::', '00000000000000000000000000000000'],
    ['2001:db8:0:1::', '20010db8000000010000000000000000'],
    ['::ffff:10.1.2.3', '00000000000000000000ffff0a010203'],
  ])('encodes %s', (ip, hex) => {
    expect(encodeIp(ip).toString('hex')).toBe(hex);
  });

  it.each(['10.0.0.1', 'fd00::1', '::', '2001:db8:0:1::', 'fe80::1:2:3:4', '2001:db8::1:0:0:1', '1:2:3:4:5:6:7:8'])(
    'formats %s back (RFC 5952)',
    (ip) => {
      expect(formatIp(encodeIp(ip))).toBe(ip);
    },
  );

  it('rejects malformed addresses', () => {
    expect(() => encodeIp('10.0.0')).toThrow(/invalid IP/);
    expect(() => encodeMac('02:00:00:00:00')).toThrow(/invalid MAC/);
  });

  it('round-trips MACs in lower case', () => {
    expect(formatMac(encodeMac('02:AB:00:00:00:01'))).toBe('02:ab:00:00:00:01');
  });

  it('parses prefixes, host routes and default', () => {
    expect(parsePrefix('10.1.0.0/16')).toMatchObject({ family: 4, len: 16 });
    expect(parsePrefix('10.1.0.1')).toMatchObject({ family: 4, len: 32 });
    expect(parsePrefix('default', 6)).toMatchObject({ family: 6, len: 0 });
    expect(() => parsePrefix('10.0.0.0/33')).toThrow(/prefix length/);
  });
});
