// Pure: the applicable VRFs, networks and this node's ports → the kernel state
// to have (names from inputs/device-names.ts). Layout:
//  - per VRF: vrf-<l3vni> (table), a small bridge br3-<l3vni> holding the L3VNI
//    vxlan vx3-<l3vni> (the bridge is the L3VNI's SVI, its MAC the router MAC),
//    and `unreachable default metric 4278198272` for IPv4 and IPv6;
//  - one shared VLAN-aware bridge (br-evpn) for every L2VNI: vxlan-<l2vni> is an
//    access port (pvid, untagged) of the network's VLAN, so frames reach zebra
//    untagged and it can map VLAN → VNI; the IRB br-evpn.<vlan> sits in the VRF
//    and inherits the bridge's MAC, the anycast gateway MAC shared by all nodes;
//  - a veth trunk towards OVN (evpn-uplink in the bridge, evpn-ovs for the
//    provider bridge), tagged with every network's VLAN; local port MACs are
//    static FDB entries on it and their IPs permanent neighbours on the IRB,
//    which FRR advertises as type-2 MAC+IP;
//  - l3 networks: the subnet routed in the VRF towards OVN via the IRB, and
//    their ports' fixed IPs as host routes (type-5 only).
import { createHash } from 'node:crypto';
import { effectiveRoutingTable } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import { cidrContains, parseCidr, parseIp } from '../../crds/net-address.ts';
import type { LinkSpec } from './netlink/link-codec.ts';
import type { KernelOp } from './netlink/kernel-ops.ts';
import { opEntryKey } from './entry-keys.ts';
import { OWNED_LINK_GROUP, ownerAlias } from './ownership.ts';
import { emptyDesiredState } from './desired-state.ts';
import type { DesiredKernelState } from './desired-state.ts';
import { irbDevice, l2VxlanDevice, l3BridgeDevice, l3VxlanDevice, vrfAltName, vrfDevice } from '../inputs/device-names.ts';
import type { NodeConfig } from '../inputs/node-config.ts';

/** Kernel convention for a VRF's catch-all: lowest priority, so any real route wins. */
export const VRF_UNREACHABLE_METRIC = 4_278_198_272;
export const VXLAN_PORT = 4789;

export interface PlannedObject {
  name: string;
  devices: string[];
  localPorts?: number;
  fdbEntries?: number;
  neighbors?: number;
  routes?: number;
}

export interface EntryOwner { kind: 'vrf' | 'network'; name: string }

export interface RenderedState {
  desired: DesiredKernelState;
  vrfs: Map<string, PlannedObject>;
  networks: Map<string, PlannedObject>;
  /**
   * The object whose render produced each entry (entry-keys.ts), so that an
   * entry on a shared device (a network's VLAN on the bridge and the uplink,
   * its ports' FDB entries) is pinned to its network, not to the node.
   */
  entryOwners: Map<string, EntryOwner>;
}

/** Runs `render` and records the entries it added as `owner`'s. */
function renderOwned<T>(desired: DesiredKernelState, owners: Map<string, EntryOwner>, owner: EntryOwner, render: () => T): T {
  const before = { bridgeVlans: desired.bridgeVlans.length, fdb: desired.fdb.length, routes: desired.routes.length, neighbors: desired.neighbors.length, addrs: desired.addrs.length };
  const result = render();
  const ops: KernelOp[] = [
    ...desired.bridgeVlans.slice(before.bridgeVlans).map((vlan): KernelOp => ({ op: 'addBridgeVlan', vlan })),
    ...desired.fdb.slice(before.fdb).map((fdb): KernelOp => ({ op: 'replaceFdb', fdb })),
    ...desired.routes.slice(before.routes).map((route): KernelOp => ({ op: 'replaceRoute', route })),
    ...desired.neighbors.slice(before.neighbors).map((neighbor): KernelOp => ({ op: 'replaceNeighbor', neighbor })),
    ...desired.addrs.slice(before.addrs).map((addr): KernelOp => ({ op: 'replaceAddr', addr })),
  ];
  for (const op of ops) { const k = opEntryKey(op); if (k !== undefined && !owners.has(k)) owners.set(k, owner); }
  return result;
}

/** A stable, locally administered unicast MAC for (node, purpose). */
export function stableMac(...parts: string[]): string {
  const d = createHash('sha256').update(parts.join('/')).digest();
  const bytes = [0x02, d[0] ?? 0, d[1] ?? 0, d[2] ?? 0, d[3] ?? 0, d[4] ?? 0];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

const owned = (role: string): Pick<LinkSpec, 'alias' | 'group' | 'up'> => ({ alias: ownerAlias(role), group: OWNED_LINK_GROUP, up: true });

type Cidr = NonNullable<ReturnType<typeof parseCidr>>;

/** A network's subnets, parsed once per network (not once per port). */
const subnetsOf = (network: EvpnNetwork): Cidr[] => (network.spec.subnets ?? []).map((s) => parseCidr(s.cidr)).filter((c) => c !== undefined);

function portIpsInSubnets(subnets: readonly Cidr[], ips: readonly string[]): string[] {
  if (ips.length === 0) return [];
  return ips.filter((ip) => {
    const parsed = parseIp(ip);
    return parsed !== undefined && subnets.some((c) => cidrContains(c, parsed));
  });
}

export function renderKernelState(
  node: NodeConfig, vrfs: readonly EvpnVrf[], networks: readonly EvpnNetwork[], portSets: readonly EvpnPortSet[],
): RenderedState {
  const desired = emptyDesiredState();
  const vrfResults = new Map<string, PlannedObject>();
  const networkResults = new Map<string, PlannedObject>();
  const entryOwners = new Map<string, EntryOwner>();
  if (vrfs.length === 0 && networks.length === 0) return { desired, vrfs: vrfResults, networks: networkResults, entryOwners };

  const vrfByName = new Map(vrfs.map((v) => [v.metadata.name, v]));
  const mtu = Math.max(node.defaultMtu, ...networks.map((n) => n.spec.mtu ?? node.defaultMtu));
  for (const v of [...vrfs].sort((a, b) => a.spec.vni - b.spec.vni)) vrfResults.set(v.metadata.name, renderOwned(desired, entryOwners, { kind: 'vrf', name: v.metadata.name }, () => renderVrf(desired, node, v, mtu)));

  const sortedNetworks = [...networks].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const portsByNetwork = new Map<string, Port[]>();
  for (const s of portSets) portsByNetwork.set(s.spec.network, [...(portsByNetwork.get(s.spec.network) ?? []), ...s.spec.ports]);
  if (sortedNetworks.some((n) => n.spec.vlanId !== undefined)) renderSharedBridge(desired, node, mtu);

  for (const n of sortedNetworks) {
    const vrf = n.spec.vrf === undefined ? undefined : vrfByName.get(n.spec.vrf);
    const input = { node, mtu, network: n, vrf, ports: portsByNetwork.get(n.metadata.name) ?? [] };
    networkResults.set(n.metadata.name, renderOwned(desired, entryOwners, { kind: 'network', name: n.metadata.name }, () => renderNetwork(desired, input)));
  }
  dedupe(desired);
  dropTakenAltNames(desired);
  return { desired, vrfs: vrfResults, networks: networkResults, entryOwners };
}

/** An alternative name another desired device is named (a VRF whose L3VNI is that number) is not given. */
function dropTakenAltNames(desired: DesiredKernelState): void {
  const names = new Set(desired.links.map((l) => l.name));
  desired.links = desired.links.map((l) => {
    if (l.altName === undefined || !names.has(l.altName)) return l;
    const { altName: _taken, ...rest } = l;
    return rest;
  });
}

type Port = EvpnPortSet['spec']['ports'][number];

/** vrf-<l3vni>, its L3VNI bridge and VXLAN, and the unreachable defaults. */
function renderVrf(desired: DesiredKernelState, node: NodeConfig, v: EvpnVrf, mtu: number): PlannedObject {
  const vni = v.spec.vni;
  const table = effectiveRoutingTable(v.spec);
  const [vrfDev, br, vx] = [vrfDevice(vni), l3BridgeDevice(vni), l3VxlanDevice(vni)];
  const altName = vrfAltName(v.metadata.name, vni);
  desired.links.push(
    { name: vrfDev, kind: 'vrf', table, ...(altName === undefined ? {} : { altName }), ...owned('vrf') },
    { name: br, kind: 'bridge', vlanFiltering: false, vlanDefaultPvid: 0, stp: false, master: vrfDev, address: stableMac(node.nodeName, 'rmac', String(vni)), addrGenModeNone: true, mtu, ...owned('l3vni-bridge') },
    { name: vx, kind: 'vxlan', vni, local: node.vtepIp, port: VXLAN_PORT, learning: false, master: br, addrGenModeNone: true, mtu, ...owned('l3vni-vxlan') },
  );
  desired.portFlags.push({ dev: vx, learning: false, neighSuppress: true });
  for (const family of [4, 6] as const) {
    desired.routes.push({ table, dst: 'default', type: 'unreachable', metric: VRF_UNREACHABLE_METRIC, family });
  }
  return { name: v.metadata.name, devices: [vrfDev, br, vx], routes: 2 };
}

/** The shared VLAN-aware bridge and the veth trunk towards OVN. */
function renderSharedBridge(desired: DesiredKernelState, node: NodeConfig, mtu: number): void {
  desired.links.push(
    // Its MTU is set, not inherited: the kernel gives a bridge its smallest
    // port's MTU, and an IRB cannot be larger than the bridge under it.
    { name: node.bridge, kind: 'bridge', vlanFiltering: true, vlanDefaultPvid: 0, stp: false, address: node.anycastGatewayMac, addrGenModeNone: true, mtu, ...owned('bridge') },
    { name: node.uplink, kind: 'veth', peer: { name: node.uplinkPeer, mtu }, master: node.bridge, mtu, ...owned('uplink') },
    { name: node.uplinkPeer, kind: 'veth', peer: { name: node.uplink }, mtu, ...owned('uplink-peer') },
  );
  // The trunk must not learn: OVN's MACs are known (static entries) and the rest floods.
  desired.portFlags.push({ dev: node.uplink, learning: false });
}

interface NetworkInput {
  node: NodeConfig;
  /** The node-wide bridge-port MTU. */
  mtu: number;
  network: EvpnNetwork;
  vrf: EvpnVrf | undefined;
  ports: readonly Port[];
}

/** One network: its VLAN on the trunk, L2VNI VXLAN, IRB in the VRF, and its local ports. */
function renderNetwork(desired: DesiredKernelState, input: NetworkInput): PlannedObject {
  const { node, mtu, network: n, vrf } = input;
  const result: PlannedObject = { name: n.metadata.name, devices: [], localPorts: 0, fdbEntries: 0, neighbors: 0, routes: 0 };
  const vlan = n.spec.vlanId;
  if (vlan === undefined) return result;
  desired.bridgeVlans.push({ dev: node.bridge, vid: vlan, self: true }, { dev: node.uplink, vid: vlan });
  if (n.spec.type === 'l2' && n.spec.vni !== undefined) {
    const vx = l2VxlanDevice(n.spec.vni);
    // Every bridge port gets the node-wide MTU: the kernel lowers a bridge to
    // its smallest port, and an IRB can never exceed its bridge. The
    // network's own MTU applies on its IRB, where routed packets leave.
    desired.links.push({ name: vx, kind: 'vxlan', vni: n.spec.vni, local: node.vtepIp, port: VXLAN_PORT, learning: false, master: node.bridge, addrGenModeNone: true, mtu, ...owned('l2vni-vxlan') });
    desired.bridgeVlans.push({ dev: vx, vid: vlan, pvid: true, untagged: true });
    desired.portFlags.push({ dev: vx, learning: false, neighSuppress: true });
    result.devices.push(vx);
  }
  const irb = irbDevice(node.bridge, vlan);
  if (vrf) {
    desired.links.push({ name: irb, kind: 'vlan', link: node.bridge, vlanId: vlan, master: vrfDevice(vrf.spec.vni), mtu: n.spec.mtu ?? node.defaultMtu, ...owned('irb') });
    result.devices.push(irb);
    result.routes = (result.routes ?? 0) + renderIrbLayer3(desired, n, irb, effectiveRoutingTable(vrf.spec));
  }
  result.localPorts = input.ports.length;
  const port: PortContext = { node, network: n, subnets: subnetsOf(n), vlan, irb, table: vrf ? effectiveRoutingTable(vrf.spec) : undefined };
  for (const p of input.ports) renderPort(desired, result, port, p);
  return result;
}

/** An l2 network's gateway addresses on its IRB, or an l3 network's subnets routed to it; plus its routes. Returns the routes added. */
function renderIrbLayer3(desired: DesiredKernelState, n: EvpnNetwork, irb: string, table: number): number {
  let routes = 0;
  for (const s of n.spec.subnets ?? []) {
    // The IRB is the VMs' gateway (anycast, on every node) unless an OVN router
    // port answers for it (gatewayOwner ovn): holding it too would make VM ARP
    // flap. Without the gateway on the IRB, the subnet is routed to the IRB
    // instead, l2 (ovn-owned) and l3 alike; with it, the kernel's connected
    // route does that. An l3 network's VMs need the IRB as their gateway too:
    // it is the only way off their subnet into the VRF's type-5 routes.
    const irbHoldsGateway = s.gatewayOwner !== 'ovn' && s.gateway !== undefined;
    if (irbHoldsGateway) {
      desired.addrs.push({ dev: irb, address: `${s.gateway}/${s.cidr.split('/')[1] ?? ''}` });
    } else if (n.spec.type === 'l3' || s.gatewayOwner === 'ovn') {
      desired.routes.push({ table, dst: s.cidr, dev: irb });
      routes++;
    }
  }
  for (const r of n.spec.routes ?? []) {
    desired.routes.push({ table, dst: r.destination, via: r.nexthop });
    routes++;
  }
  return routes;
}

interface PortContext { node: NodeConfig; network: EvpnNetwork; subnets: readonly Cidr[]; vlan: number; irb: string; table: number | undefined }

/** A local port: a static FDB entry on the trunk, its fixed IPs (neighbours on l2, host routes on l3) and its routes. */
function renderPort(desired: DesiredKernelState, result: PlannedObject, c: PortContext, p: Port): void {
  const { node, network: n, irb, table } = c;
  desired.fdb.push({ dev: node.uplink, mac: p.mac, vlan: c.vlan, master: true, state: 'static' });
  result.fdbEntries = (result.fdbEntries ?? 0) + 1;
  const advertise = p.advertiseFixedIps ?? n.spec.advertiseFixedIps ?? true;
  if (table === undefined || !advertise) return;
  for (const ip of portIpsInSubnets(c.subnets, p.ips ?? [])) {
    if (n.spec.type === 'l2') {
      desired.neighbors.push({ dev: irb, dst: ip, lladdr: p.mac, state: 'permanent' });
      result.neighbors = (result.neighbors ?? 0) + 1;
    } else {
      desired.routes.push({ table, dst: ip.includes(':') ? `${ip}/128` : `${ip}/32`, dev: irb });
      result.routes = (result.routes ?? 0) + 1;
    }
  }
  for (const r of p.routes ?? []) {
    desired.routes.push({ table, dst: r.destination, via: r.nexthop });
    result.routes = (result.routes ?? 0) + 1;
  }
}

function dedupe(d: DesiredKernelState): void {
  const uniq = <T>(list: T[], key: (t: T) => string): T[] => {
    const seen = new Set<string>();
    return list.filter((x) => { const k = key(x); if (seen.has(k)) return false; seen.add(k); return true; });
  };
  d.bridgeVlans = uniq(d.bridgeVlans, (v) => `${v.dev}|${v.vid}`);
  d.routes = uniq(d.routes, (r) => `${r.table}|${r.family ?? ''}|${r.dst}|${r.type ?? ''}`);
  d.neighbors = uniq(d.neighbors, (n) => `${n.dev}|${n.dst}`);
  d.fdb = uniq(d.fdb, (f) => `${f.dev}|${f.mac}|${f.vlan ?? ''}`);
  d.addrs = uniq(d.addrs, (a) => `${a.dev}|${a.address}`);
}
