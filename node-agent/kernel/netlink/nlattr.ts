// Netlink attribute (TLV) encoding and decoding, plus the address helpers the
// codecs share. Pure functions; netlink uses host byte order (little endian on
// every platform this project ships for) except where a field says otherwise.
import { isIPv4, isIPv6 } from 'node:net';
import { NLA_F_NESTED, NLA_TYPE_MASK } from './constants.ts';

/** One attribute to encode: raw bytes or nested attributes. */
export interface Attr {
  readonly type: number;
  readonly value: Uint8Array | readonly Attr[];
}

/** One decoded attribute (type without the NESTED/BYTEORDER flag bits). */
export interface RawAttr {
  readonly type: number;
  readonly data: Buffer;
}

const align4 = (n: number): number => (n + 3) & ~3;

function attrSize(a: Attr): number {
  return 4 + align4(valueSize(a.value));
}

function valueSize(v: Attr['value']): number {
  if (v instanceof Uint8Array) return v.length;
  let n = 0;
  for (const a of v) n += attrSize(a);
  return n;
}

function writeAttrs(buf: Buffer, offset: number, attrs: readonly Attr[]): number {
  let o = offset;
  for (const a of attrs) {
    const len = 4 + valueSize(a.value);
    buf.writeUInt16LE(len, o);
    buf.writeUInt16LE(a.type, o + 2);
    if (a.value instanceof Uint8Array) {
      buf.set(a.value, o + 4);
    } else {
      writeAttrs(buf, o + 4, a.value);
    }
    o += align4(len);
  }
  return o;
}

/** Encodes a fixed header (already laid out) followed by attributes. */
export function encodeMessage(header: Uint8Array, attrs: readonly Attr[]): Buffer {
  let size = align4(header.length);
  for (const a of attrs) size += attrSize(a);
  const buf = Buffer.alloc(size);
  buf.set(header, 0);
  writeAttrs(buf, align4(header.length), attrs);
  return buf;
}

/** Decodes the attributes in buf[offset, end). Tolerates trailing padding. */
export function parseAttrs(buf: Buffer, offset = 0, end = buf.length): RawAttr[] {
  const out: RawAttr[] = [];
  let o = offset;
  while (o + 4 <= end) {
    const len = buf.readUInt16LE(o);
    if (len < 4 || o + len > end) break;
    out.push({ type: buf.readUInt16LE(o + 2) & NLA_TYPE_MASK, data: buf.subarray(o + 4, o + len) });
    o += align4(len);
  }
  return out;
}

/** Last attribute of each type wins, like the kernel's nla_parse. */
export function attrMap(attrs: readonly RawAttr[]): Map<number, Buffer> {
  const m = new Map<number, Buffer>();
  for (const a of attrs) m.set(a.type, a.data);
  return m;
}

export function parseNested(data: Buffer | undefined): Map<number, Buffer> {
  return data === undefined ? new Map<number, Buffer>() : attrMap(parseAttrs(data));
}

// --- attribute constructors -------------------------------------------------

export const u8 = (type: number, v: number): Attr => ({ type, value: Uint8Array.of(v & 0xff) });

export function u16(type: number, v: number): Attr {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return { type, value: b };
}

export function u16be(type: number, v: number): Attr {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return { type, value: b };
}

export function u32(type: number, v: number): Attr {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return { type, value: b };
}

/** NUL-terminated string, as the kernel expects for names and kinds. */
export const str = (type: number, s: string): Attr => ({ type, value: Buffer.from(`${s}\0`, 'utf8') });

export const bytes = (type: number, value: Uint8Array): Attr => ({ type, value });

export const nest = (type: number, attrs: readonly Attr[], flagNested = false): Attr => ({
  type: flagNested ? type | NLA_F_NESTED : type,
  value: attrs,
});

// --- readers ------------------------------------------------------------------

export const readU8 = (b: Buffer | undefined): number | undefined => (b && b.length >= 1 ? b.readUInt8(0) : undefined);
export const readU16 = (b: Buffer | undefined): number | undefined =>
  b && b.length >= 2 ? b.readUInt16LE(0) : undefined;
export const readU16be = (b: Buffer | undefined): number | undefined =>
  b && b.length >= 2 ? b.readUInt16BE(0) : undefined;
export const readU32 = (b: Buffer | undefined): number | undefined =>
  b && b.length >= 4 ? b.readUInt32LE(0) : undefined;

/** NUL-terminated (or not) string attribute. */
export function readStr(b: Buffer | undefined): string | undefined {
  if (b === undefined) return undefined;
  const nul = b.indexOf(0);
  return b.toString('utf8', 0, nul === -1 ? b.length : nul);
}

// --- addresses ----------------------------------------------------------------

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

export function encodeMac(mac: string): Buffer {
  if (!MAC_RE.test(mac)) throw new TypeError(`invalid MAC address "${mac}"`);
  return Buffer.from(mac.replaceAll(':', ''), 'hex');
}

export function formatMac(b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export function ipFamily(ip: string): 4 | 6 {
  if (isIPv4(ip)) return 4;
  if (isIPv6(ip)) return 6;
  throw new TypeError(`invalid IP address "${ip}"`);
}

export function encodeIp(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) throw new TypeError(`invalid IP address "${ip}"`);
  const [head = '', tail] = ip.split('::');
  const words = (s: string): string[] => (s === '' ? [] : s.split(':'));
  let parts = words(head);
  let rest = tail === undefined ? [] : words(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two 16-bit words.
  const fix = (ws: string[]): string[] =>
    ws.flatMap((w) => {
      if (!w.includes('.')) return [w];
      const [a = 0, b = 0, c = 0, d = 0] = w.split('.').map(Number);
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  parts = fix(parts);
  rest = fix(rest);
  const fill = tail === undefined ? [] : Array<string>(8 - parts.length - rest.length).fill('0');
  const all = [...parts, ...fill, ...rest];
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(parseInt(w, 16), i * 2));
  return out;
}

export function formatIp(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  if (b.length !== 16) return b.toString('hex');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(b.readUInt16BE(i));
  // RFC 5952: compress the longest run (>= 2) of zero words.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best === -1) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** "10.0.0.0/24" | "default" | "10.0.0.1" → address bytes and prefix length. */
export function parsePrefix(p: string, familyHint?: 4 | 6): { family: 4 | 6; addr: Buffer; len: number } {
  if (p === 'default') {
    const family = familyHint ?? 4;
    return { family, addr: Buffer.alloc(0), len: 0 };
  }
  const [ip = '', lenStr] = p.split('/');
  const family = ipFamily(ip);
  const max = family === 4 ? 32 : 128;
  const len = lenStr === undefined ? max : Number(lenStr);
  if (!Number.isInteger(len) || len < 0 || len > max) throw new TypeError(`invalid prefix length in "${p}"`);
  return { family, addr: encodeIp(ip), len };
}
