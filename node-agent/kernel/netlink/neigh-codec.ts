// RTM_*NEIGH payloads: IP neighbours (AF_INET/AF_INET6) and bridge/vxlan FDB
// entries (AF_BRIDGE).
import * as C from './constants.ts';
import {
  type Attr,
  attrMap,
  bytes,
  encodeIp,
  encodeMac,
  encodeMessage,
  formatIp,
  formatMac,
  ipFamily,
  parseAttrs,
  readU16,
  readU16be,
  readU32,
  u16,
} from './nlattr.ts';

export type NeighState = 'permanent' | 'noarp' | 'reachable' | 'stale';
const STATE_BITS: Readonly<Record<NeighState, number>> = {
  permanent: C.NUD_PERMANENT,
  noarp: C.NUD_NOARP,
  reachable: C.NUD_REACHABLE,
  stale: C.NUD_STALE,
};
const STATE_NAMES: readonly [number, string][] = [
  [C.NUD_INCOMPLETE, 'incomplete'],
  [C.NUD_REACHABLE, 'reachable'],
  [C.NUD_STALE, 'stale'],
  [C.NUD_DELAY, 'delay'],
  [C.NUD_PROBE, 'probe'],
  [C.NUD_FAILED, 'failed'],
  [C.NUD_NOARP, 'noarp'],
  [C.NUD_PERMANENT, 'permanent'],
];

export function stateNames(state: number): string[] {
  return STATE_NAMES.filter(([bit]) => (state & bit) !== 0).map(([, n]) => n);
}

export interface NeighborSpec<D = string> {
  readonly dev: D;
  readonly dst: string;
  readonly lladdr: string;
  /** default permanent */
  readonly state?: NeighState;
}

export interface Neighbor {
  readonly index: number;
  readonly family: 4 | 6;
  readonly dst: string;
  readonly lladdr: string | null;
  readonly state: number;
  readonly states: readonly string[];
  readonly flags: number;
}

/** A bridge FDB entry to add or delete. */
export interface FdbSpec<D = string> {
  readonly dev: D;
  readonly mac: string;
  readonly vlan?: number;
  /** remote VTEP (vxlan entries) */
  readonly dst?: string;
  /** NTF_MASTER: the entry lives in the bridge's table (`bridge fdb ... master`) */
  readonly master?: boolean;
  /** NTF_SELF: the entry lives in the device's own table (vxlan: `... self`) */
  readonly self?: boolean;
  /** 'static' = NUD_NOARP (iproute2 "static"), 'permanent' = NUD_PERMANENT; default static */
  readonly state?: 'static' | 'permanent';
}

export interface FdbEntry {
  readonly index: number;
  readonly mac: string;
  readonly vlan: number | null;
  readonly dst: string | null;
  readonly vni: number | null;
  readonly port: number | null;
  /** NDA_MASTER: the bridge whose table holds the entry (`bridge fdb ... master`) */
  readonly master: number | null;
  /** NTF_SELF: the device's own table (vxlan remote entries, a bridge's own addresses) */
  readonly self: boolean;
  readonly externLearn: boolean;
  readonly state: number;
  readonly states: readonly string[];
  readonly flags: number;
}

/** struct ndmsg (12 bytes). */
function ndmsg(family: number, index: number, state: number, flags: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt8(family, 0);
  b.writeInt32LE(index, 4);
  b.writeUInt16LE(state, 8);
  b.writeUInt8(flags, 10);
  return b;
}

export function encodeNeighbor(n: NeighborSpec<number>): Buffer {
  const family = ipFamily(n.dst) === 4 ? C.AF_INET : C.AF_INET6;
  const attrs: Attr[] = [bytes(C.NDA_DST, encodeIp(n.dst)), bytes(C.NDA_LLADDR, encodeMac(n.lladdr))];
  return encodeMessage(ndmsg(family, n.dev, STATE_BITS[n.state ?? 'permanent'], 0), attrs);
}

export function encodeNeighborDelete(n: Pick<NeighborSpec<number>, 'dev' | 'dst'>): Buffer {
  const family = ipFamily(n.dst) === 4 ? C.AF_INET : C.AF_INET6;
  return encodeMessage(ndmsg(family, n.dev, 0, 0), [bytes(C.NDA_DST, encodeIp(n.dst))]);
}

export function encodeFdb(f: FdbSpec<number>): Buffer {
  const flags = (f.master === true ? C.NTF_MASTER : 0) | (f.self === true ? C.NTF_SELF : 0);
  const state = f.state === 'permanent' ? C.NUD_PERMANENT : C.NUD_NOARP;
  const attrs: Attr[] = [bytes(C.NDA_LLADDR, encodeMac(f.mac))];
  if (f.vlan !== undefined) attrs.push(u16(C.NDA_VLAN, f.vlan));
  if (f.dst !== undefined) attrs.push(bytes(C.NDA_DST, encodeIp(f.dst)));
  return encodeMessage(ndmsg(C.AF_BRIDGE, f.dev, state, flags), attrs);
}

export function encodeNeighDump(family: number): Buffer {
  return ndmsg(family, 0, 0, 0);
}

export function decodeNeighbor(body: Buffer): Neighbor {
  const m = attrMap(parseAttrs(body, 12));
  const dst = m.get(C.NDA_DST);
  const ll = m.get(C.NDA_LLADDR);
  const state = body.readUInt16LE(8);
  return {
    index: body.readInt32LE(4),
    family: body.readUInt8(0) === C.AF_INET6 ? 6 : 4,
    dst: dst !== undefined ? formatIp(dst) : '',
    lladdr: ll !== undefined && ll.length === 6 ? formatMac(ll) : null,
    state,
    states: stateNames(state),
    flags: body.readUInt8(10),
  };
}

export function decodeFdb(body: Buffer): FdbEntry {
  const m = attrMap(parseAttrs(body, 12));
  const dst = m.get(C.NDA_DST);
  const ll = m.get(C.NDA_LLADDR);
  const state = body.readUInt16LE(8);
  const flags = body.readUInt8(10);
  const master = readU32(m.get(C.NDA_MASTER));
  return {
    index: body.readInt32LE(4),
    mac: ll !== undefined ? formatMac(ll) : '',
    vlan: readU16(m.get(C.NDA_VLAN)) ?? null,
    dst: dst !== undefined ? formatIp(dst) : null,
    vni: readU32(m.get(C.NDA_VNI)) ?? null,
    port: readU16be(m.get(C.NDA_PORT)) ?? null,
    master: master !== undefined && master !== 0 ? master : null,
    self: (flags & C.NTF_SELF) !== 0,
    externLearn: (flags & C.NTF_EXT_LEARNED) !== 0,
    state,
    states: stateNames(state),
    flags,
  };
}
