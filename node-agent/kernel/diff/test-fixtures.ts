// Test support for the per-kind diff tables: dumped objects as the netlink
// adapter decodes them, with only the fields a case cares about given.
import type { Addr, Route } from '../netlink/addr-route-codec.ts';
import type { BridgePort } from '../netlink/bridge-codec.ts';
import type { Link, LinkSpec } from '../netlink/link-codec.ts';
import type { FdbEntry, Neighbor } from '../netlink/neigh-codec.ts';
import { OWNED_LINK_GROUP, RTPROT_OVN_EVPN, ownerAlias } from '../ownership.ts';
import { cidrContains, parseCidr, parseIp } from '../../../crds/net-address.ts';
import type { ActualKernelState } from '../actual-state.ts';
import type { DesiredKernelState } from '../desired-state.ts';
import { diffContext, type DiffContext } from './context.ts';

export const link = (index: number, name: string, kind: string, more: Partial<Link> & { owned?: boolean } = {}): Link => {
  const { owned = true, ...rest } = more;
  return {
    index, name, kind, slaveKind: null, mtu: 1500, address: null, master: null, link: null, linkNetnsId: null,
    alias: owned ? ownerAlias('x') : null, group: owned ? OWNED_LINK_GROUP : 0, up: true, operstate: 'up', ...rest,
  };
};

export const port = (index: number, name: string, master: number | null, more: Partial<BridgePort> = {}): BridgePort => ({
  index, name, master, vlans: [], learning: true, neighSuppress: false, ...more,
});

export const addr = (index: number, address: string, prefixLen: number, more: Partial<Addr> = {}): Addr => ({
  index, family: address.includes(':') ? 6 : 4, address, prefixLen, local: null, label: null, scope: 0, ...more,
});

export const route = (table: number, dst: string, more: Partial<Route> = {}): Route => ({
  family: dst.includes(':') ? 6 : 4, table, dst, type: 'unicast', protocol: RTPROT_OVN_EVPN, scope: 0, metric: null, gateway: null, oif: null, prefsrc: null, ...more,
});

export const NUD_PERMANENT = 0x80;
export const NUD_NOARP = 0x40;
export const NUD_REACHABLE = 0x02;

export const neigh = (index: number, dst: string, lladdr: string, more: Partial<Neighbor> = {}): Neighbor => ({
  index, family: dst.includes(':') ? 6 : 4, dst, lladdr, state: NUD_PERMANENT, states: ['permanent'], flags: 0, ...more,
});

export const fdbEntry = (index: number, mac: string, vlan: number | null, master: number | null, more: Partial<FdbEntry> = {}): FdbEntry => ({
  index, mac, vlan, dst: null, vni: null, port: null, master, self: false, externLearn: false, state: NUD_NOARP, states: ['noarp'], flags: 0, ...more,
});

/**
 * A node with an owned VLAN-aware bridge br-evpn (1), its owned port vx-101
 * (2), its IRB br-evpn.101 (3), an owned link being deleted gone-0 (4), a
 * foreign bridge br-prov (5) with our uplink peer evpn-ovs (6) in it.
 */
export const links: Link[] = [
  link(1, 'br-evpn', 'bridge'),
  link(2, 'vx-101', 'vxlan', { master: 1 }),
  link(3, 'br-evpn.101', 'vlan', { link: 1 }),
  link(4, 'gone-0', 'dummy'),
  link(5, 'br-prov', 'bridge', { owned: false }),
  link(6, 'evpn-ovs', 'veth', { master: 5 }),
];

export const ctx = (cycled: string[] = []): DiffContext =>
  diffContext(links, ['gone-0'], cycled.map((name) => ({ op: 'setLink', name, change: { up: true } })));

/** The kind data a kernel reports for a link made from `l` (`ix`: a desired link's index). */
function reportedKindData(l: LinkSpec, ix: (name: string | undefined) => number | null): Partial<Link> {
  switch (l.kind) {
    case 'vrf': return { vrf: { table: l.table } };
    case 'vxlan': return { vxlan: { vni: l.vni, local: l.local ?? null, port: l.port ?? 4789, learning: l.learning ?? false } };
    case 'bridge': return { bridge: { vlanFiltering: l.vlanFiltering ?? true, vlanDefaultPvid: l.vlanDefaultPvid ?? 1, stp: l.stp ?? false } };
    case 'vlan': return { vlan: { id: l.vlanId }, link: ix(l.link) };
    default: return {};
  }
}

/**
 * What a kernel that applied `desired` reports in its dumps, spelt the way the
 * kernel spells it (IPv6 routes carry metric 1024, IPv4 ones none), so that
 * plan tests can start from a converged node.
 */
export function reportedState(desired: DesiredKernelState): ActualKernelState {
  const index = new Map(desired.links.map((l, i) => [l.name, i + 1]));
  const ix = (name: string | undefined): number | null => (name === undefined ? null : (index.get(name) ?? null));
  const links = desired.links.map((l): Link => ({
    ...link(ix(l.name) ?? 0, l.name, l.kind, { master: ix(l.master), mtu: l.mtu ?? 1500, address: l.address ?? null, alias: l.alias ?? null, group: l.group ?? 0 }),
    ...reportedKindData(l, ix),
  }));
  const masterOf = new Map(desired.links.map((l) => [l.name, l.master]));
  const bridgePorts = [...new Set([...desired.bridgeVlans.map((v) => v.dev), ...desired.portFlags.map((f) => f.dev)])].map((dev) => {
    const flags = desired.portFlags.find((f) => f.dev === dev);
    const self = desired.bridgeVlans.some((v) => v.dev === dev && v.self === true);
    return port(ix(dev) ?? 0, dev, self ? ix(dev) : ix(masterOf.get(dev)), {
      vlans: desired.bridgeVlans.filter((v) => v.dev === dev).map((v) => ({ vid: v.vid, pvid: v.pvid ?? false, untagged: v.untagged ?? false })),
      learning: flags?.learning ?? true, neighSuppress: flags?.neighSuppress ?? false,
    });
  });
  const addrs = desired.addrs.map((a) => { const [ip = '', len = '0'] = a.address.split('/'); return addr(ix(a.dev) ?? 0, ip, Number(len)); });
  // The kernel reports a gateway route on the device that reaches its nexthop.
  const onLink = [...desired.addrs.map((a) => ({ dev: a.dev, cidr: a.address })), ...desired.routes.flatMap((r) => (r.dev !== undefined ? [{ dev: r.dev, cidr: r.dst }] : []))];
  const deviceOf = (via: string): string | undefined => {
    const ip = parseIp(via);
    return onLink.find((l) => { const c = parseCidr(l.cidr); return ip !== undefined && c !== undefined && cidrContains(c, ip); })?.dev;
  };
  const routes = desired.routes.map((r) => {
    const family = r.family ?? (r.dst.includes(':') || (r.via ?? '').includes(':') ? 6 : 4);
    const dst = r.dst === 'default' ? (family === 6 ? '::/0' : '0.0.0.0/0') : r.dst;
    return route(r.table, dst, { family, type: r.type ?? 'unicast', metric: r.metric ?? (family === 6 ? 1024 : null), gateway: r.via ?? null, oif: ix(r.dev ?? (r.via !== undefined ? deviceOf(r.via) : undefined)) });
  });
  const neighbors = desired.neighbors.map((n) => neigh(ix(n.dev) ?? 0, n.dst, n.lladdr));
  const fdb = desired.fdb.map((f) => fdbEntry(ix(f.dev) ?? 0, f.mac, f.vlan ?? null, ix(masterOf.get(f.dev))));
  return { links, bridgePorts, addrs, routes, neighbors, fdb };
}
