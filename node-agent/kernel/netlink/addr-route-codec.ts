// RTM_*ADDR and RTM_*ROUTE payloads.
import * as C from './constants.ts';
import {
  type Attr,
  attrMap,
  bytes,
  encodeIp,
  encodeMessage,
  formatIp,
  ipFamily,
  parseAttrs,
  parsePrefix,
  readStr,
  readU32,
  u32,
} from './nlattr.ts';
import { RTPROT_OVN_EVPN } from '../ownership.ts';

export interface AddrSpec<D = string> {
  readonly dev: D;
  /** "10.101.0.2/24" or "fd00::1/64" */
  readonly address: string;
}

export interface Addr {
  readonly index: number;
  readonly family: 4 | 6;
  readonly address: string;
  readonly prefixLen: number;
  /** IFA_LOCAL where it differs from IFA_ADDRESS (point-to-point) */
  readonly local: string | null;
  readonly label: string | null;
  readonly scope: number;
}

const familyOf = (f: 4 | 6): number => (f === 4 ? C.AF_INET : C.AF_INET6);

export function encodeAddr(a: AddrSpec<number>): Buffer {
  const p = parsePrefix(a.address);
  const h = Buffer.alloc(8);
  h.writeUInt8(familyOf(p.family), 0);
  h.writeUInt8(p.len, 1);
  h.writeUInt32LE(a.dev, 4);
  const attrs: Attr[] = [bytes(C.IFA_LOCAL, p.addr), bytes(C.IFA_ADDRESS, p.addr)];
  return encodeMessage(h, attrs);
}

export function encodeAddrDump(): Buffer {
  return Buffer.alloc(8);
}

export function decodeAddr(body: Buffer): Addr {
  const family = body.readUInt8(0) === C.AF_INET6 ? 6 : 4;
  const m = attrMap(parseAttrs(body, 8));
  const address = m.get(C.IFA_ADDRESS) ?? m.get(C.IFA_LOCAL);
  const local = m.get(C.IFA_LOCAL);
  const addrStr = address !== undefined ? formatIp(address) : '';
  const localStr = local !== undefined ? formatIp(local) : null;
  return {
    index: body.readUInt32LE(4),
    family,
    address: addrStr,
    prefixLen: body.readUInt8(1),
    local: localStr !== null && localStr !== addrStr ? localStr : null,
    label: readStr(m.get(C.IFA_LABEL)) ?? null,
    scope: body.readUInt8(3),
  };
}

export type RouteType = 'unicast' | 'local' | 'blackhole' | 'unreachable' | 'prohibit';
const ROUTE_TYPES = new Map<RouteType, number>([
  ['unicast', C.RTN_UNICAST],
  ['local', C.RTN_LOCAL],
  ['blackhole', C.RTN_BLACKHOLE],
  ['unreachable', C.RTN_UNREACHABLE],
  ['prohibit', C.RTN_PROHIBIT],
]);

export interface RouteSpec<D = string> {
  /** routing table id; tables above 255 are carried in RTA_TABLE */
  readonly table: number;
  /** "default", "10.0.0.0/24", "fd00::/64" */
  readonly dst: string;
  readonly type?: RouteType;
  /** RTA_PRIORITY (the metric); 4278198272 is the VRF "unreachable default" convention */
  readonly metric?: number;
  readonly via?: string;
  readonly dev?: D;
  readonly src?: string;
  /** rtm_protocol; defaults to the project's own (see ownership.ts) */
  readonly protocol?: number;
  /** address family for dst "default" without via; default 4 */
  readonly family?: 4 | 6;
}

export interface Route {
  readonly family: 4 | 6;
  readonly table: number;
  /** "default" or "a.b.c.d/len" */
  readonly dst: string;
  readonly type: RouteType | number;
  readonly protocol: number;
  readonly scope: number;
  readonly metric: number | null;
  readonly gateway: string | null;
  readonly oif: number | null;
  readonly prefsrc: string | null;
}

/** RTM_{NEW,DEL}ROUTE payload. A delete matches any scope (RT_SCOPE_NOWHERE) but only our protocol. */
export function encodeRoute(r: RouteSpec<number>, forDelete = false): Buffer {
  const hint = r.family ?? (r.via !== undefined ? ipFamily(r.via) : undefined);
  const dst = parsePrefix(r.dst, hint);
  if (r.via !== undefined && ipFamily(r.via) !== dst.family)
    throw new TypeError(`route ${r.dst}: via ${r.via} is of another address family`);
  const type = r.type ?? 'unicast';
  const h = Buffer.alloc(12);
  h.writeUInt8(familyOf(dst.family), 0);
  h.writeUInt8(dst.len, 1);
  h.writeUInt8(r.table < 256 ? r.table : C.RT_TABLE_COMPAT, 4);
  h.writeUInt8(r.protocol ?? RTPROT_OVN_EVPN, 5);
  h.writeUInt8(forDelete ? C.RT_SCOPE_NOWHERE : routeScope(type, r.via), 6);
  h.writeUInt8(ROUTE_TYPES.get(type) ?? C.RTN_UNICAST, 7);
  return encodeMessage(h, routeAttrs(r, dst));
}

/** Like iproute2: a directly connected unicast route (no gateway) has link scope. */
function routeScope(type: RouteType, via: string | undefined): number {
  if (type === 'local') return C.RT_SCOPE_HOST;
  return type === 'unicast' && via === undefined ? C.RT_SCOPE_LINK : C.RT_SCOPE_UNIVERSE;
}

function routeAttrs(r: RouteSpec<number>, dst: { len: number; addr: Buffer }): Attr[] {
  const attrs: Attr[] = [u32(C.RTA_TABLE, r.table)];
  if (dst.len > 0) attrs.push(bytes(C.RTA_DST, dst.addr));
  if (r.metric !== undefined) attrs.push(u32(C.RTA_PRIORITY, r.metric));
  if (r.via !== undefined) attrs.push(bytes(C.RTA_GATEWAY, encodeIp(r.via)));
  if (r.dev !== undefined) attrs.push(u32(C.RTA_OIF, r.dev));
  if (r.src !== undefined) attrs.push(bytes(C.RTA_PREFSRC, encodeIp(r.src)));
  return attrs;
}

export function encodeRouteDump(family = C.AF_UNSPEC): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt8(family, 0);
  return h;
}

export function decodeRoute(body: Buffer): Route {
  const family = body.readUInt8(0) === C.AF_INET6 ? 6 : 4;
  const dstLen = body.readUInt8(1);
  const m = attrMap(parseAttrs(body, 12));
  const dst = m.get(C.RTA_DST);
  const typeNum = body.readUInt8(7);
  const type = [...ROUTE_TYPES].find(([, n]) => n === typeNum)?.[0] ?? typeNum;
  const gw = m.get(C.RTA_GATEWAY);
  const src = m.get(C.RTA_PREFSRC);
  return {
    family,
    table: readU32(m.get(C.RTA_TABLE)) ?? body.readUInt8(4),
    dst: dstLen === 0 ? 'default' : `${dst !== undefined ? formatIp(dst) : '?'}/${dstLen}`,
    type,
    protocol: body.readUInt8(5),
    scope: body.readUInt8(6),
    metric: readU32(m.get(C.RTA_PRIORITY)) ?? null,
    gateway: gw !== undefined ? formatIp(gw) : null,
    oif: readU32(m.get(C.RTA_OIF)) ?? null,
    prefsrc: src !== undefined ? formatIp(src) : null,
  };
}
