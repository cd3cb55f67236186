// AF_BRIDGE link messages: per-port VLANs (IFLA_AF_SPEC/IFLA_BRIDGE_VLAN_INFO)
// and bridge port flags (IFLA_PROTINFO), as `bridge vlan` / `bridge link` do.
import * as C from './constants.ts';
import {
  type Attr,
  attrMap,
  encodeMessage,
  nest,
  parseAttrs,
  parseNested,
  readStr,
  readU32,
  readU8,
  u16,
  u8,
} from './nlattr.ts';
import { ifinfomsg } from './link-codec.ts';

export interface BridgeVlanSpec<D = string> {
  readonly dev: D;
  readonly vid: number;
  readonly pvid?: boolean;
  readonly untagged?: boolean;
  /** the VLAN of the bridge device itself (`bridge vlan add dev br0 vid 101 self`) */
  readonly self?: boolean;
}

export interface BridgeVlan {
  readonly vid: number;
  readonly pvid: boolean;
  readonly untagged: boolean;
}

/** A bridge port (or the bridge itself) with its VLANs and port flags. */
export interface BridgePort {
  readonly index: number;
  readonly name: string;
  /** the bridge; equals index for the bridge device's own entry */
  readonly master: number | null;
  readonly vlans: readonly BridgeVlan[];
  /** IFLA_BRPORT_LEARNING, when the kernel reports port info */
  readonly learning: boolean | null;
  readonly neighSuppress: boolean | null;
}

export interface BridgePortFlags<D = string> {
  readonly dev: D;
  readonly learning?: boolean;
  readonly neighSuppress?: boolean;
}

function vlanInfo(vid: number, pvid: boolean, untagged: boolean): Attr {
  if (!Number.isInteger(vid) || vid < 1 || vid > 4094) throw new TypeError(`invalid VLAN id ${vid}`);
  const b = Buffer.alloc(4);
  b.writeUInt16LE((pvid ? C.BRIDGE_VLAN_INFO_PVID : 0) | (untagged ? C.BRIDGE_VLAN_INFO_UNTAGGED : 0), 0);
  b.writeUInt16LE(vid, 2);
  return { type: C.IFLA_BRIDGE_VLAN_INFO, value: b };
}

/** RTM_SETLINK (add) / RTM_DELLINK (delete) payload; several VLANs of one device fit in one message. */
export function encodeBridgeVlans(dev: number, vlans: readonly Omit<BridgeVlanSpec<number>, 'dev'>[]): Buffer {
  const self = vlans.some((v) => v.self === true);
  if (self && vlans.some((v) => v.self !== true))
    throw new TypeError('bridge vlan: self and port VLANs in one message');
  const spec: Attr[] = self ? [u16(C.IFLA_BRIDGE_FLAGS, C.BRIDGE_FLAGS_SELF)] : [];
  for (const v of vlans) spec.push(vlanInfo(v.vid, v.pvid === true, v.untagged === true));
  return encodeMessage(ifinfomsg(C.AF_BRIDGE, dev), [nest(C.IFLA_AF_SPEC, spec)]);
}

export function encodeBridgePortFlags(f: BridgePortFlags<number>): Buffer {
  const p: Attr[] = [];
  if (f.learning !== undefined) p.push(u8(C.IFLA_BRPORT_LEARNING, f.learning ? 1 : 0));
  if (f.neighSuppress !== undefined) p.push(u8(C.IFLA_BRPORT_NEIGH_SUPPRESS, f.neighSuppress ? 1 : 0));
  // NLA_F_NESTED tells br_setlink this is a nest of IFLA_BRPORT_* and not the legacy u8 port state.
  return encodeMessage(ifinfomsg(C.AF_BRIDGE, f.dev), [nest(C.IFLA_PROTINFO, p, true)]);
}

export function decodeBridgePort(body: Buffer): BridgePort {
  const index = body.readInt32LE(4);
  const m = attrMap(parseAttrs(body, 16));
  const vlans: BridgeVlan[] = [];
  const spec = m.get(C.IFLA_AF_SPEC);
  if (spec !== undefined) {
    for (const a of parseAttrs(spec)) {
      if (a.type !== C.IFLA_BRIDGE_VLAN_INFO || a.data.length < 4) continue;
      const flags = a.data.readUInt16LE(0);
      vlans.push({
        vid: a.data.readUInt16LE(2),
        pvid: (flags & C.BRIDGE_VLAN_INFO_PVID) !== 0,
        untagged: (flags & C.BRIDGE_VLAN_INFO_UNTAGGED) !== 0,
      });
    }
  }
  const prot = m.get(C.IFLA_PROTINFO);
  // Ports report a nest; the bridge device itself reports nothing or a bare u8.
  const pm = prot !== undefined && prot.length >= 4 ? parseNested(prot) : new Map<number, Buffer>();
  const learning = readU8(pm.get(C.IFLA_BRPORT_LEARNING));
  const suppress = readU8(pm.get(C.IFLA_BRPORT_NEIGH_SUPPRESS));
  const master = readU32(m.get(C.IFLA_MASTER));
  return {
    index,
    name: readStr(m.get(C.IFLA_IFNAME)) ?? '',
    master: master !== undefined && master !== 0 ? master : null,
    vlans,
    learning: learning === undefined ? null : learning === 1,
    neighSuppress: suppress === undefined ? null : suppress === 1,
  };
}
