// Pure: one network's share of the kernel state — its VLAN on the shared
// bridge and trunk, its L2VNI VXLAN, its IRB in the VRF with the gateway
// addresses or routes, and its local ports' FDB entries, neighbours and host
// routes. Split from render-kernel-state.ts, which describes the whole layout.
import { effectiveRoutingTable } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import { cidrContains, parseCidr, parseIp } from '../../crds/net-address.ts';
import type { DesiredKernelState } from './desired-state.ts';
import type { PlannedObject } from './rendered-state.ts';
import { ownedLink, VXLAN_PORT } from './render-node-devices.ts';
import { irbDevice, l2VxlanDevice, vrfDevice } from '../inputs/device-names.ts';
import type { NodeConfig } from '../inputs/node-config.ts';

export type Port = EvpnPortSet['spec']['ports'][number];

type Cidr = NonNullable<ReturnType<typeof parseCidr>>;

/** A network's subnets, parsed once per network (not once per port). */
const subnetsOf = (network: EvpnNetwork): Cidr[] =>
  (network.spec.subnets ?? []).map((s) => parseCidr(s.cidr)).filter((c) => c !== undefined);

function portIpsInSubnets(subnets: readonly Cidr[], ips: readonly string[]): string[] {
  if (ips.length === 0) return [];
  return ips.filter((ip) => {
    const parsed = parseIp(ip);
    return parsed !== undefined && subnets.some((c) => cidrContains(c, parsed));
  });
}

export interface NetworkInput {
  node: NodeConfig;
  /** The node-wide bridge-port MTU. */
  mtu: number;
  network: EvpnNetwork;
  vrf: EvpnVrf | undefined;
  ports: readonly Port[];
}

/** One network: its VLAN on the trunk, L2VNI VXLAN, IRB in the VRF, and its local ports. */
export function renderNetwork(desired: DesiredKernelState, input: NetworkInput): PlannedObject {
  const { node, mtu, network: n, vrf } = input;
  const result: PlannedObject = {
    name: n.metadata.name,
    devices: [],
    localPorts: 0,
    fdbEntries: 0,
    neighbors: 0,
    routes: 0,
  };
  const vlan = n.spec.vlanId;
  if (vlan === undefined) return result;
  desired.bridgeVlans.push({ dev: node.bridge, vid: vlan, self: true }, { dev: node.uplink, vid: vlan });
  const l2Vni = n.spec.type === 'l2' ? n.spec.vni : undefined;
  if (l2Vni !== undefined) {
    const vx = l2VxlanDevice(l2Vni);
    // Every bridge port gets the node-wide MTU: the kernel lowers a bridge to
    // its smallest port, and an IRB can never exceed its bridge. The
    // network's own MTU applies on its IRB, where routed packets leave.
    desired.links.push({
      name: vx,
      kind: 'vxlan',
      vni: l2Vni,
      local: node.vtepIp,
      port: VXLAN_PORT,
      learning: false,
      master: node.bridge,
      addrGenModeNone: true,
      mtu,
      ...ownedLink('l2vni-vxlan'),
    });
    desired.bridgeVlans.push({ dev: vx, vid: vlan, pvid: true, untagged: true });
    desired.portFlags.push({ dev: vx, learning: false, neighSuppress: true });
    result.devices.push(vx);
  }
  const irb = irbDevice(node.bridge, vlan);
  if (vrf) {
    desired.links.push({
      name: irb,
      kind: 'vlan',
      link: node.bridge,
      vlanId: vlan,
      master: vrfDevice(vrf.spec.vni),
      mtu: n.spec.mtu ?? node.defaultMtu,
      ...ownedLink('irb'),
    });
    result.devices.push(irb);
    result.routes = (result.routes ?? 0) + renderIrbLayer3(desired, n, irb, effectiveRoutingTable(vrf.spec));
  }
  result.localPorts = input.ports.length;
  const port: PortContext = {
    node,
    network: n,
    subnets: subnetsOf(n),
    vlan,
    irb,
    table: vrf ? effectiveRoutingTable(vrf.spec) : undefined,
    hasL2Vni: l2Vni !== undefined,
  };
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

interface PortContext {
  node: NodeConfig;
  network: EvpnNetwork;
  subnets: readonly Cidr[];
  vlan: number;
  irb: string;
  table: number | undefined;
  /** The network has a VXLAN device on the bridge (an L2VNI whose type-2 routes carry its ports' MACs). */
  hasL2Vni: boolean;
}

/**
 * A local port's static FDB entry on the trunk, for an L2VNI only. The entry
 * is what zebra advertises as the port's type-2 route. A VLAN without a VXLAN
 * device (an l3 network) gets none: zebra 10.7.1 files a MAC of a VLAN no VNI
 * maps to under the bridge's first L2VNI (measured in the e2e on the current
 * world: VLAN 102's MAC local in VNI 10100 while `show evpn access-vlan` lists
 * only the L2VNIs' VLANs) and leaks it as type-2; 8.4.4 ignores it. Without
 * it the IRB's frames to the VM flood the VLAN, whose only port is the uplink
 * (learning off), so they go exactly where the entry sent them.
 */
function renderPortFdb(desired: DesiredKernelState, result: PlannedObject, c: PortContext, p: Port): void {
  if (!c.hasL2Vni) return;
  desired.fdb.push({ dev: c.node.uplink, mac: p.mac, vlan: c.vlan, master: true, state: 'static' });
  result.fdbEntries = (result.fdbEntries ?? 0) + 1;
}

/** A local port: its FDB entry, its fixed IPs (neighbours on l2, host routes on l3) and its routes. */
function renderPort(desired: DesiredKernelState, result: PlannedObject, c: PortContext, p: Port): void {
  const { network: n, irb, table } = c;
  renderPortFdb(desired, result, c, p);
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
