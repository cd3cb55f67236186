// Pure: the kernel state a node has after the agent applied `desired` exactly,
// in the shape the agent reads back from netlink. `kubectl evpn plan` diffs a
// new render against this with the agent's own diffKernelState, so the plan
// lists the same operations the agent would issue (on a node that is in sync).
import type { ActualKernelState } from '../../node-agent/kernel/actual-state.ts';
import type { DesiredKernelState } from '../../node-agent/kernel/desired-state.ts';
import type { Link } from '../../node-agent/kernel/netlink/link-codec.ts';
import type { BridgePort, BridgeVlan } from '../../node-agent/kernel/netlink/bridge-codec.ts';
import { RTPROT_OVN_EVPN } from '../../node-agent/kernel/ownership.ts';

const NUD_PERMANENT = 0x80;
const NUD_NOARP = 0x40;
const DEFAULT_MTU = 1500;

const familyOf = (...addresses: (string | undefined)[]): 4 | 6 =>
  addresses.some((a) => a?.includes(':') === true) ? 6 : 4;

type Index = (name: string | undefined) => number | null;
type PortState = { vlans: BridgeVlan[]; self: boolean; learning: boolean | null; neighSuppress: boolean | null };

/** The links as netlink reports them once created: indexes in the order of `desired.links`. */
function simulateLinks(desired: DesiredKernelState, idx: Index): Link[] {
  return desired.links.map((spec) => {
    const base = {
      index: idx(spec.name) ?? 0,
      name: spec.name,
      kind: spec.kind,
      slaveKind: null,
      mtu: spec.mtu ?? DEFAULT_MTU,
      address: spec.address ?? null,
      master: idx(spec.master),
      link: null as number | null,
      linkNetnsId: null,
      alias: spec.alias ?? null,
      group: spec.group ?? 0,
      up: spec.up ?? false,
      operstate: 'up' as const,
      ...(spec.altName === undefined ? {} : { altNames: [spec.altName] }),
    };
    switch (spec.kind) {
      case 'vrf':
        return { ...base, vrf: { table: spec.table } };
      case 'vxlan':
        return {
          ...base,
          vxlan: {
            vni: spec.vni,
            local: spec.local ?? null,
            port: spec.port ?? 4789,
            learning: spec.learning ?? false,
          },
        };
      case 'bridge':
        return {
          ...base,
          bridge: {
            vlanFiltering: spec.vlanFiltering ?? true,
            vlanDefaultPvid: spec.vlanDefaultPvid ?? 0,
            stp: spec.stp ?? false,
          },
        };
      case 'vlan':
        return { ...base, link: idx(spec.link), vlan: { id: spec.vlanId } };
      case 'veth':
        return { ...base, link: idx(spec.peer.name) };
      case 'dummy':
        return base;
    }
  });
}

/** The bridge ports with their VLANs and flags (a bridge's own VLANs are `self`). */
function simulateBridgePorts(desired: DesiredKernelState, idx: Index): BridgePort[] {
  const ports = new Map<string, PortState>();
  const port = (dev: string): PortState => {
    let p = ports.get(dev);
    if (p === undefined) {
      p = { vlans: [], self: false, learning: null, neighSuppress: null };
      ports.set(dev, p);
    }
    return p;
  };
  for (const v of desired.bridgeVlans) {
    const p = port(v.dev);
    p.vlans.push({ vid: v.vid, pvid: v.pvid ?? false, untagged: v.untagged ?? false });
    if (v.self === true) p.self = true;
  }
  for (const f of desired.portFlags) {
    const p = port(f.dev);
    if (f.learning !== undefined) p.learning = f.learning;
    if (f.neighSuppress !== undefined) p.neighSuppress = f.neighSuppress;
  }
  const masterOf = new Map(desired.links.map((l) => [l.name, l.master]));
  return [...ports].map(([dev, p]) => ({
    index: idx(dev) ?? 0,
    name: dev,
    master: p.self ? idx(dev) : idx(masterOf.get(dev)),
    vlans: p.vlans,
    learning: p.learning,
    neighSuppress: p.neighSuppress,
  }));
}

export function simulateApplied(desired: DesiredKernelState): ActualKernelState {
  const index = new Map(desired.links.map((l, i) => [l.name, i + 1]));
  const idx: Index = (name) => (name === undefined ? null : (index.get(name) ?? null));
  const masterOf = new Map(desired.links.map((l) => [l.name, l.master]));
  return {
    links: simulateLinks(desired, idx),
    bridgePorts: simulateBridgePorts(desired, idx),
    addrs: desired.addrs.map((a) => {
      const [address = '', len = '32'] = a.address.split('/');
      return {
        index: idx(a.dev) ?? 0,
        family: familyOf(address),
        address,
        prefixLen: Number(len),
        local: null,
        label: null,
        scope: 0,
      };
    }),
    routes: desired.routes.map((r) => ({
      family: r.family ?? familyOf(r.dst, r.via),
      table: r.table,
      dst: r.dst,
      type: r.type ?? 'unicast',
      protocol: RTPROT_OVN_EVPN,
      scope: 0,
      metric: r.metric ?? null,
      gateway: r.via ?? null,
      oif: idx(r.dev),
      prefsrc: null,
    })),
    neighbors: desired.neighbors.map((n) => ({
      index: idx(n.dev) ?? 0,
      family: familyOf(n.dst),
      dst: n.dst,
      lladdr: n.lladdr,
      state: NUD_PERMANENT,
      states: ['permanent'],
      flags: 0,
    })),
    fdb: desired.fdb.map((f) => ({
      index: idx(f.dev) ?? 0,
      mac: f.mac,
      vlan: f.vlan ?? null,
      dst: f.dst ?? null,
      vni: null,
      port: null,
      master: idx(masterOf.get(f.dev)),
      self: f.self ?? false,
      externLearn: false,
      state: f.state === 'permanent' ? NUD_PERMANENT : NUD_NOARP,
      states: [],
      flags: 0,
    })),
  };
}
