// RTM_NEWLINK messages from the kernel (dumps, notifications) → Link. Apart from
// the encoders in link-codec.ts because reading is one concern of its own: the
// adapter and drift watch decode every link on the node, and must tolerate
// kinds and attributes we never create.
import * as C from './constants.ts';
import type { Link, OperState } from './link-codec.ts';
import {
  attrMap,
  formatIp,
  formatMac,
  parseAttrs,
  parseNested,
  readStr,
  readU16,
  readU16be,
  readU32,
  readU8,
} from './nlattr.ts';

/** IFLA_OPERSTATE's values, in the kernel's numbering (RFC 2863). */
const OPERSTATES: readonly OperState[] = [
  'unknown',
  'notpresent',
  'down',
  'lowerlayerdown',
  'testing',
  'dormant',
  'up',
];

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
  return props === undefined
    ? []
    : parseAttrs(props)
        .filter((a) => a.type === C.IFLA_ALT_IFNAME)
        .flatMap((a) => readStr(a.data) ?? []);
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
