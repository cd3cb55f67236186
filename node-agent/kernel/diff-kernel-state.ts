// Pure: desired vs actual → the kernel operations that close the gap, touching
// only owned objects (ownership.ts). Removes come first, then link creation,
// then link updates (an update may point at a master created in this pass),
// then everything that hangs off links. An object that already matches yields
// no operation, so a no-op pass makes zero netlink writes.
import { formatIp, parseCidr, parseIp } from '../../crds/net-address.ts';
import type { RouteSpec } from './netlink/addr-route-codec.ts';
import type { BridgeVlanSpec } from './netlink/bridge-codec.ts';
import type { KernelOp } from './netlink/kernel-ops.ts';
import type { Link, LinkChange, LinkSpec } from './netlink/link-codec.ts';
import { isOwnedLink, RTPROT_OVN_EVPN } from './ownership.ts';
import type { ActualKernelState } from './actual-state.ts';
import type { DesiredKernelState } from './desired-state.ts';

export interface KernelPlan {
  /** Owned links to delete, applied in small chunks (a big group delete holds rtnl for seconds). */
  linkDeletes: string[];
  removes: KernelOp[];
  linkCreates: KernelOp[];
  updates: KernelOp[];
  creates: KernelOp[];
  /** Desired links whose name is held by a link we do not own: never touched. */
  blocked: string[];
}

export const planSize = (p: KernelPlan): number =>
  p.linkDeletes.length + p.removes.length + p.linkCreates.length + p.updates.length + p.creates.length;

const NUD_PERMANENT = 0x80;
const NUD_NOARP = 0x40;
const RT_SCOPE_LINK = 253;

function normPrefix(text: string): string {
  if (text === 'default') return text;
  const c = parseCidr(text);
  return c ? `${formatIp(c.family, c.network)}/${c.prefixLength}` : text;
}
function normIp(text: string | null | undefined): string {
  if (text === null || text === undefined) return '';
  const p = parseIp(text);
  return p ? formatIp(p.family, p.value) : text;
}

/** Same kind and kind data: otherwise the link must be re-created. */
function compatible(spec: LinkSpec, link: Link, nameOf: (i: number | null) => string | undefined): boolean {
  if (link.kind !== spec.kind) return false;
  switch (spec.kind) {
    case 'vrf': return link.vrf?.table === spec.table;
    case 'vxlan': return link.vxlan?.vni === spec.vni && normIp(link.vxlan.local) === normIp(spec.local) && link.vxlan.port === (spec.port ?? 4789) && link.vxlan.learning === (spec.learning ?? false);
    case 'vlan': return link.vlan?.id === spec.vlanId && nameOf(link.link) === spec.link;
    case 'bridge': return link.bridge?.vlanFiltering === (spec.vlanFiltering ?? true);
    case 'veth': return true;
    case 'dummy': return true;
  }
}

function linkChange(spec: LinkSpec, link: Link, nameOf: (i: number | null) => string | undefined): LinkChange | undefined {
  const change: { -readonly [K in keyof LinkChange]: LinkChange[K] } = {};
  if (spec.mtu !== undefined && link.mtu !== spec.mtu) change.mtu = spec.mtu;
  if (spec.address !== undefined && link.address?.toLowerCase() !== spec.address.toLowerCase()) change.address = spec.address;
  // Only links we enslave have their master managed: the uplink's peer belongs
  // to whatever provider bridge it was plugged into.
  if (spec.master !== undefined && nameOf(link.master) !== spec.master) change.master = spec.master;
  if (spec.alias !== undefined && link.alias !== spec.alias) change.alias = spec.alias;
  if (spec.group !== undefined && link.group !== spec.group) change.group = spec.group;
  if (spec.up !== undefined && link.up !== spec.up) change.up = spec.up;
  return Object.keys(change).length > 0 ? change : undefined;
}

const vlanKey = (dev: string, vid: number): string => `${dev}|${vid}`;
/** 'default', '0.0.0.0/0' and '::/0' are one thing per family. */
function normDst(dst: string, family: number): string {
  return dst === 'default' || dst === '0.0.0.0/0' || dst === '::/0' ? `default/${family}` : normPrefix(dst);
}
// Only direct unicast routes name their device: a gateway route gets one from
// the kernel, and IPv6 unreachable routes are reported on `lo`.
const routeKey = (r: { table: number; dst: string; type: string; metric: number; via: string; dev: string }): string =>
  `${r.table}|${r.dst}|${r.type}|${r.metric}|${normIp(r.via)}|${r.via === '' && r.type === 'unicast' ? r.dev : ''}`;

export function diffKernelState(desired: DesiredKernelState, actual: ActualKernelState): KernelPlan {
  const plan: KernelPlan = { linkDeletes: [], removes: [], linkCreates: [], updates: [], creates: [], blocked: [] };
  const byName = new Map(actual.links.map((l) => [l.name, l]));
  const byIndex = new Map(actual.links.map((l) => [l.index, l]));
  const nameOf = (i: number | null): string | undefined => (i === null ? undefined : byIndex.get(i)?.name);

  // ---- links
  const desiredNames = new Set(desired.links.map((l) => l.name));
  const createdAsPeer = new Set<string>();
  for (const spec of desired.links) {
    const link = byName.get(spec.name);
    if (link && !isOwnedLink(link)) { plan.blocked.push(spec.name); continue; }
    if (link && compatible(spec, link, nameOf)) {
      const change = linkChange(spec, link, nameOf);
      if (change) plan.updates.push({ op: 'setLink', name: spec.name, change });
      continue;
    }
    if (link) plan.linkDeletes.push(spec.name);
    if (createdAsPeer.has(spec.name)) continue;
    plan.linkCreates.push({ op: 'createLink', link: spec });
    if (spec.kind === 'veth') {
      createdAsPeer.add(spec.peer.name);
      // The peer is born without our marks; give them in the update phase.
      const peerSpec = desired.links.find((l) => l.name === spec.peer.name);
      if (peerSpec) plan.updates.push({ op: 'setLink', name: peerSpec.name, change: { alias: peerSpec.alias ?? null, ...(peerSpec.group !== undefined ? { group: peerSpec.group } : {}), up: peerSpec.up ?? true } });
    }
  }
  for (const link of actual.links) {
    if (isOwnedLink(link) && !desiredNames.has(link.name)) plan.linkDeletes.push(link.name);
  }
  // Enslaving a link to a VRF cycles it (down/up), which flushes its routes
  // and neighbours: treat what hangs off such a link as absent, so it is put
  // back in this pass rather than the next one.
  const cycled = new Set(plan.updates.flatMap((op) => (op.op === 'setLink' && (op.change.master !== undefined || op.change.up !== undefined) ? [op.name] : [])));
  const gone = new Set(plan.linkDeletes);
  const ownedLive = new Set(actual.links.filter((l) => isOwnedLink(l) && !gone.has(l.name)).map((l) => l.name));
  const isOwnedLiveIndex = (i: number | null): string | undefined => {
    const n = nameOf(i);
    return n !== undefined && ownedLive.has(n) ? n : undefined;
  };

  // ---- bridge VLANs (on owned ports and on the bridge itself)
  const wantVlans = new Map(desired.bridgeVlans.map((v) => [vlanKey(v.dev, v.vid), v]));
  const haveVlans = new Map<string, BridgeVlanSpec>();
  for (const port of actual.bridgePorts) {
    const dev = isOwnedLiveIndex(port.index);
    // An owned port in a bridge we do not own (the uplink's peer in the
    // provider bridge) carries the provider's VLANs: not ours to remove.
    if (dev === undefined || isOwnedLiveIndex(port.master) === undefined) continue;
    const self = port.master === port.index;
    for (const v of port.vlans) haveVlans.set(vlanKey(dev, v.vid), { dev, vid: v.vid, pvid: v.pvid, untagged: v.untagged, ...(self ? { self } : {}) });
  }
  for (const [k, have] of haveVlans) if (!wantVlans.has(k)) plan.removes.push({ op: 'delBridgeVlan', vlan: have });
  for (const [k, want] of wantVlans) {
    const have = haveVlans.get(k);
    if (have && (have.pvid ?? false) === (want.pvid ?? false) && (have.untagged ?? false) === (want.untagged ?? false)) continue;
    plan.creates.push({ op: 'addBridgeVlan', vlan: want });
  }

  // ---- bridge port flags
  const portByName = new Map(actual.bridgePorts.map((p) => [nameOf(p.index) ?? p.name, p]));
  for (const f of desired.portFlags) {
    const have = ownedLive.has(f.dev) ? portByName.get(f.dev) : undefined;
    if (have && (f.learning === undefined || have.learning === f.learning) && (f.neighSuppress === undefined || have.neighSuppress === f.neighSuppress)) continue;
    plan.creates.push({ op: 'setBridgePort', port: f });
  }

  // ---- addresses (link-local ones are the kernel's)
  const wantAddrs = new Map(desired.addrs.map((a) => [`${a.dev}|${normPrefix(a.address)}`, a]));
  for (const a of actual.addrs) {
    const dev = isOwnedLiveIndex(a.index);
    if (dev === undefined || a.scope === RT_SCOPE_LINK) continue;
    const key = `${dev}|${normPrefix(`${a.address}/${a.prefixLen}`)}`;
    if (wantAddrs.has(key)) wantAddrs.delete(key);
    else plan.removes.push({ op: 'delAddr', addr: { dev, address: `${a.address}/${a.prefixLen}` } });
  }
  for (const a of wantAddrs.values()) plan.creates.push({ op: 'addAddr', addr: a });

  // ---- routes (ours only: our rtm_protocol)
  const wantRoutes = new Map<string, RouteSpec>();
  for (const r of desired.routes) {
    const family = r.family ?? (r.dst.includes(':') || (r.via ?? '').includes(':') ? 6 : 4);
    wantRoutes.set(routeKey({ table: r.table, dst: normDst(r.dst, family), type: r.type ?? 'unicast', metric: r.metric ?? 0, via: r.via ?? '', dev: r.dev ?? '' }), r);
  }
  for (const r of actual.routes) {
    if (r.protocol !== RTPROT_OVN_EVPN) continue;
    const dev = r.oif === null ? '' : (nameOf(r.oif) ?? `#${r.oif}`);
    const key = routeKey({ table: r.table, dst: normDst(r.dst, r.family), type: String(r.type), metric: r.metric ?? 0, via: r.gateway ?? '', dev });
    if (wantRoutes.has(key)) {
      if (!cycled.has(dev)) wantRoutes.delete(key);
      continue;
    }
    plan.removes.push({ op: 'delRoute', route: {
      table: r.table, dst: r.dst, family: r.family, ...(typeof r.type === 'string' ? { type: r.type } : {}),
      ...(r.metric !== null ? { metric: r.metric } : {}), ...(r.gateway !== null ? { via: r.gateway } : {}),
    } });
  }
  for (const r of wantRoutes.values()) plan.creates.push({ op: 'replaceRoute', route: r });

  // ---- neighbours: permanent entries on owned links; zebra's (extern_learn) are left alone
  const wantNeigh = new Map(desired.neighbors.map((n) => [`${n.dev}|${normIp(n.dst)}`, n]));
  for (const n of actual.neighbors) {
    const dev = isOwnedLiveIndex(n.index);
    if (dev === undefined || (n.state & NUD_PERMANENT) === 0 || (n.flags & 0x10) !== 0) continue;
    const key = `${dev}|${normIp(n.dst)}`;
    const want = wantNeigh.get(key);
    if (want && want.lladdr.toLowerCase() === n.lladdr?.toLowerCase()) {
      if (!cycled.has(dev)) wantNeigh.delete(key);
      continue;
    }
    if (!want) plan.removes.push({ op: 'delNeighbor', neighbor: { dev, dst: n.dst, lladdr: n.lladdr ?? '00:00:00:00:00:00' } });
  }
  for (const n of wantNeigh.values()) plan.creates.push({ op: 'replaceNeighbor', neighbor: n });

  // ---- FDB: static (noarp) master entries on owned ports
  const wantFdb = new Map(desired.fdb.map((f) => [`${f.dev}|${f.mac.toLowerCase()}|${f.vlan ?? 0}`, f]));
  for (const e of actual.fdb) {
    const dev = isOwnedLiveIndex(e.index);
    // Same for the FDB: entries in a foreign bridge's table belong to it.
    if (dev === undefined || (e.master !== null && isOwnedLiveIndex(e.master) === undefined) || e.externLearn || e.self || (e.state & NUD_NOARP) === 0 || (e.state & NUD_PERMANENT) !== 0) continue;
    const key = `${dev}|${e.mac.toLowerCase()}|${e.vlan ?? 0}`;
    if (wantFdb.has(key)) { wantFdb.delete(key); continue; }
    plan.removes.push({ op: 'delFdb', fdb: { dev, mac: e.mac, ...(e.vlan !== null ? { vlan: e.vlan } : {}), master: true } });
  }
  for (const f of wantFdb.values()) plan.creates.push({ op: 'replaceFdb', fdb: f });

  // Links being re-created lose everything hanging off them; that is covered,
  // since entries of links in linkDeletes were not counted as present above.
  return plan;
}
