// Test support for the per-kind diff tables: dumped objects as the netlink
// adapter decodes them, with only the fields a case cares about given.
import type { Addr, Route } from '../netlink/addr-route-codec.ts';
import type { BridgePort } from '../netlink/bridge-codec.ts';
import type { Link } from '../netlink/link-codec.ts';
import type { FdbEntry, Neighbor } from '../netlink/neigh-codec.ts';
import { OWNED_LINK_GROUP, RTPROT_OVN_EVPN, ownerAlias } from '../ownership.ts';
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
