// RTM_{NEW,SET,DEL,GET}LINK payloads: per-kind builders and the link decoder.
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
  nest,
  parseAttrs,
  parseNested,
  readStr,
  readU16,
  readU16be,
  readU32,
  readU8,
  str,
  u16,
  u16be,
  u32,
  u8,
} from './nlattr.ts';

/** Attributes every kind accepts. `master`/`link` are ifindexes here; the adapter resolves names. */
export interface LinkCommon {
  readonly name: string;
  readonly mtu?: number;
  readonly address?: string;
  readonly alias?: string;
  readonly group?: number;
  readonly up?: boolean;
  /** IPv6 addrgenmode none: no link-local address (bridges, vxlans, SVIs of L3VNIs). */
  readonly addrGenModeNone?: boolean;
  /** An alternative name (IFLA_ALT_IFNAME): `ip link show <it>` and `ip route show vrf <it>` find the link. */
  readonly altName?: string;
}

export type LinkKindSpec<M> =
  | { readonly kind: 'vrf'; readonly table: number }
  | {
      readonly kind: 'bridge';
      /** defaults: vlan filtering on, default pvid 0 (none), STP off */
      readonly vlanFiltering?: boolean;
      readonly vlanDefaultPvid?: number;
      readonly stp?: boolean;
    }
  | {
      readonly kind: 'vxlan';
      readonly vni: number;
      readonly local?: string;
      /** default 4789 */
      readonly port?: number;
      /** default false (nolearning) */
      readonly learning?: boolean;
    }
  | { readonly kind: 'vlan'; readonly link: M; readonly vlanId: number }
  | {
      readonly kind: 'veth';
      readonly peer: {
        readonly name: string;
        readonly address?: string;
        readonly mtu?: number;
        /** open fd of /run/netns/NAME (IFLA_NET_NS_FD) */
        readonly netnsFd?: number;
      };
    }
  | { readonly kind: 'dummy' };

/** A link to create; M is how references to other links are given (name or ifindex). */
export type LinkSpec<M = string> = LinkCommon & LinkKindSpec<M> & { readonly master?: M };

/** Changes to an existing link; `null` clears (nomaster, empty alias). */
export interface LinkChange<M = string> {
  readonly mtu?: number;
  readonly address?: string;
  readonly master?: M | null;
  readonly alias?: string | null;
  readonly group?: number;
  readonly up?: boolean;
  readonly addrGenModeNone?: boolean;
  /** open fd of /run/netns/NAME: move the link into that namespace */
  readonly netnsFd?: number;
  /** Adds this alternative name (RTM_NEWLINKPROP; never in the RTM_SETLINK itself). */
  readonly altName?: string;
}

export type OperState = 'unknown' | 'notpresent' | 'down' | 'lowerlayerdown' | 'testing' | 'dormant' | 'up';
const OPERSTATES: readonly OperState[] = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'];

/** A link as the kernel reports it. Kind-specific data only for the kinds we manage. */
export interface Link {
  readonly index: number;
  readonly name: string;
  readonly kind: string | null;
  /** e.g. "bridge" or "vrf" when this link is enslaved */
  readonly slaveKind: string | null;
  readonly mtu: number;
  readonly address: string | null;
  readonly master: number | null;
  /** IFLA_LINK: lower device (vlan) or peer (veth) */
  readonly link: number | null;
  readonly linkNetnsId: number | null;
  readonly alias: string | null;
  readonly group: number;
  readonly up: boolean;
  readonly operstate: OperState;
  readonly vrf?: { readonly table: number };
  readonly vxlan?: { readonly vni: number; readonly local: string | null; readonly port: number; readonly learning: boolean };
  readonly bridge?: { readonly vlanFiltering: boolean; readonly vlanDefaultPvid: number; readonly stp: boolean };
  readonly vlan?: { readonly id: number };
  /** Alternative names (IFLA_PROP_LIST); absent where the kernel reports none. */
  readonly altNames?: readonly string[];
}

const IFNAME_RE = /^[^\s/:]{1,15}$/;

/** Linux accepts at most 15 bytes (IFNAMSIZ - 1), no '/', ':' or whitespace. */
export function validateLinkName(name: string): void {
  if (!IFNAME_RE.test(name) || Buffer.byteLength(name) > 15 || name === '.' || name === '..') {
    throw new TypeError(`invalid link name "${name}": 1-15 bytes, no whitespace, '/' or ':'`);
  }
}

/** struct ifinfomsg (16 bytes). */
export function ifinfomsg(family: number, index: number, flags = 0, change = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(family, 0);
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags >>> 0, 8);
  b.writeUInt32LE(change >>> 0, 12);
  return b;
}

function commonAttrs(c: {
  mtu?: number | undefined;
  address?: string | undefined;
  alias?: string | null | undefined;
  group?: number | undefined;
  addrGenModeNone?: boolean | undefined;
  master?: number | null | undefined;
  netnsFd?: number | undefined;
}): Attr[] {
  const a: Attr[] = [];
  if (c.mtu !== undefined) a.push(u32(C.IFLA_MTU, c.mtu));
  if (c.address !== undefined) a.push(bytes(C.IFLA_ADDRESS, encodeMac(c.address)));
  if (c.alias !== undefined) a.push(c.alias === null || c.alias === '' ? bytes(C.IFLA_IFALIAS, Buffer.alloc(0)) : str(C.IFLA_IFALIAS, c.alias));
  if (c.group !== undefined) a.push(u32(C.IFLA_GROUP, c.group));
  if (c.master !== undefined) a.push(u32(C.IFLA_MASTER, c.master ?? 0));
  if (c.netnsFd !== undefined) a.push(u32(C.IFLA_NET_NS_FD, c.netnsFd));
  if (c.addrGenModeNone === true) {
    a.push(nest(C.IFLA_AF_SPEC, [nest(C.AF_INET6, [u8(C.IFLA_INET6_ADDR_GEN_MODE, C.IN6_ADDR_GEN_MODE_NONE)])]));
  }
  return a;
}

function kindData(spec: LinkKindSpec<number>): Attr[] {
  switch (spec.kind) {
    case 'vrf':
      return [u32(C.IFLA_VRF_TABLE, spec.table)];
    case 'bridge':
      return [
        u32(C.IFLA_BR_STP_STATE, spec.stp === true ? 1 : 0),
        u8(C.IFLA_BR_VLAN_FILTERING, spec.vlanFiltering === false ? 0 : 1),
        u16(C.IFLA_BR_VLAN_DEFAULT_PVID, spec.vlanDefaultPvid ?? 0),
      ];
    case 'vxlan': {
      const d: Attr[] = [
        u32(C.IFLA_VXLAN_ID, spec.vni),
        u16be(C.IFLA_VXLAN_PORT, spec.port ?? 4789),
        u8(C.IFLA_VXLAN_LEARNING, spec.learning === true ? 1 : 0),
      ];
      if (spec.local !== undefined) {
        const ip = encodeIp(spec.local);
        d.push(bytes(ip.length === 4 ? C.IFLA_VXLAN_LOCAL : C.IFLA_VXLAN_LOCAL6, ip));
      }
      return d;
    }
    case 'vlan':
      return [u16(C.IFLA_VLAN_ID, spec.vlanId)];
    case 'veth': {
      const p = spec.peer;
      validateLinkName(p.name);
      const peerAttrs: Attr[] = [str(C.IFLA_IFNAME, p.name), ...commonAttrs({ mtu: p.mtu, address: p.address, netnsFd: p.netnsFd })];
      // VETH_INFO_PEER carries a whole ifinfomsg followed by the peer's attributes.
      return [bytes(C.VETH_INFO_PEER, encodeMessage(ifinfomsg(C.AF_UNSPEC, 0), peerAttrs))];
    }
    case 'dummy':
      return [];
  }
}

/** RTM_NEWLINK payload creating `spec` (send with NLM_F_CREATE|NLM_F_EXCL). */
export function encodeCreateLink(spec: LinkSpec<number>): Buffer {
  validateLinkName(spec.name);
  const attrs: Attr[] = [str(C.IFLA_IFNAME, spec.name), ...commonAttrs(spec)];
  if (spec.kind === 'vlan') attrs.push(u32(C.IFLA_LINK, spec.link));
  const data = kindData(spec);
  attrs.push(nest(C.IFLA_LINKINFO, [str(C.IFLA_INFO_KIND, spec.kind), ...(data.length > 0 ? [nest(C.IFLA_INFO_DATA, data)] : [])]));
  const up = spec.up === true;
  return encodeMessage(ifinfomsg(C.AF_UNSPEC, 0, up ? C.IFF_UP : 0, up ? C.IFF_UP : 0), attrs);
}

/** RTM_NEWLINK (without CREATE) payload changing a link found by name. */
export function encodeSetLink(name: string, change: LinkChange<number>): Buffer {
  validateLinkName(name);
  const flags = change.up === true ? C.IFF_UP : 0;
  const mask = change.up === undefined ? 0 : C.IFF_UP;
  return encodeMessage(ifinfomsg(C.AF_UNSPEC, 0, flags, mask), [str(C.IFLA_IFNAME, name), ...commonAttrs(change)]);
}

/** RTM_NEWLINKPROP payload adding an alternative name to a link found by name. */
export function encodeAddAltName(name: string, altName: string): Buffer {
  validateLinkName(name);
  validateLinkName(altName);
  return encodeMessage(ifinfomsg(C.AF_UNSPEC, 0), [str(C.IFLA_IFNAME, name), nest(C.IFLA_PROP_LIST, [str(C.IFLA_ALT_IFNAME, altName)], true)]);
}

/** RTM_DELLINK / RTM_GETLINK payload selecting a link by name. */
export function encodeLinkByName(name: string): Buffer {
  validateLinkName(name);
  return encodeMessage(ifinfomsg(C.AF_UNSPEC, 0), [str(C.IFLA_IFNAME, name)]);
}

export function encodeLinkDump(family = C.AF_UNSPEC, extMask?: number): Buffer {
  return encodeMessage(ifinfomsg(family, 0), extMask === undefined ? [] : [u32(C.IFLA_EXT_MASK, extMask)]);
}

type KindData = Pick<Link, 'vrf' | 'vxlan' | 'bridge' | 'vlan'>;

/** An ifindex attribute, null where absent or 0 (none). */
const ifindexOrNull = (v: number | undefined): number | null => (v !== undefined && v !== 0 ? v : null);

function decodeVxlanData(data: Map<number, Buffer>): NonNullable<Link['vxlan']> {
  const l4 = data.get(C.IFLA_VXLAN_LOCAL);
  const l6 = data.get(C.IFLA_VXLAN_LOCAL6);
  const local = l4 !== undefined ? formatIp(l4) : l6 !== undefined ? formatIp(l6) : null;
  return {
    vni: readU32(data.get(C.IFLA_VXLAN_ID)) ?? 0,
    local: local === '0.0.0.0' || local === '::' ? null : local,
    port: readU16be(data.get(C.IFLA_VXLAN_PORT)) ?? 0,
    learning: readU8(data.get(C.IFLA_VXLAN_LEARNING)) === 1,
  };
}

/** The kind's own data (IFLA_INFO_DATA) of the kinds we create; none for the others. */
function decodeKindData(kind: string | null, data: Map<number, Buffer>): KindData {
  switch (kind) {
    case 'vrf':
      return { vrf: { table: readU32(data.get(C.IFLA_VRF_TABLE)) ?? 0 } };
    case 'vxlan':
      return { vxlan: decodeVxlanData(data) };
    case 'bridge':
      return {
        bridge: {
          vlanFiltering: readU8(data.get(C.IFLA_BR_VLAN_FILTERING)) === 1,
          vlanDefaultPvid: readU16(data.get(C.IFLA_BR_VLAN_DEFAULT_PVID)) ?? 0,
          stp: (readU32(data.get(C.IFLA_BR_STP_STATE)) ?? 0) !== 0,
        },
      };
    case 'vlan':
      return { vlan: { id: readU16(data.get(C.IFLA_VLAN_ID)) ?? 0 } };
    default:
      return {};
  }
}

/** IFLA_PROP_LIST: one IFLA_ALT_IFNAME per alternative name. */
function decodeAltNames(props: Buffer | undefined): string[] {
  return props === undefined ? [] : parseAttrs(props).filter((a) => a.type === C.IFLA_ALT_IFNAME).flatMap((a) => readStr(a.data) ?? []);
}

/** Decodes one RTM_NEWLINK message body. */
export function decodeLink(body: Buffer): Link {
  const index = body.readInt32LE(4);
  const flags = body.readUInt32LE(8);
  const m = attrMap(parseAttrs(body, 16));
  const info = parseNested(m.get(C.IFLA_LINKINFO));
  const kind = readStr(info.get(C.IFLA_INFO_KIND)) ?? null;
  const addr = m.get(C.IFLA_ADDRESS);
  const lower = ifindexOrNull(readU32(m.get(C.IFLA_LINK)));
  const netnsId = m.get(C.IFLA_LINK_NETNSID);
  const alias = readStr(m.get(C.IFLA_IFALIAS));
  const altNames = decodeAltNames(m.get(C.IFLA_PROP_LIST));
  return {
    index,
    name: readStr(m.get(C.IFLA_IFNAME)) ?? '',
    kind,
    slaveKind: readStr(info.get(C.IFLA_INFO_SLAVE_KIND)) ?? null,
    mtu: readU32(m.get(C.IFLA_MTU)) ?? 0,
    address: addr !== undefined && addr.length > 0 ? formatMac(addr) : null,
    master: ifindexOrNull(readU32(m.get(C.IFLA_MASTER))),
    link: lower !== index ? lower : null,
    linkNetnsId: netnsId !== undefined ? netnsId.readInt32LE(0) : null,
    alias: alias !== undefined && alias !== '' ? alias : null,
    group: readU32(m.get(C.IFLA_GROUP)) ?? 0,
    up: (flags & C.IFF_UP) !== 0,
    operstate: OPERSTATES[readU8(m.get(C.IFLA_OPERSTATE)) ?? 0] ?? 'unknown',
    ...decodeKindData(kind, parseNested(info.get(C.IFLA_INFO_DATA))),
    ...(altNames.length > 0 ? { altNames } : {}),
  };
}
