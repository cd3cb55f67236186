// The data-path facts of each Neutron network, read from OVN NB the way Neutron
// writes them (pure):
//  - the provider path: the switch's localnet Logical_Switch_Port, whose `tag`
//    is the VLAN (Neutron's segmentation id) and `options:network_name` the
//    physical network. No localnet (a Geneve tenant network), a localnet
//    without tag (flat) or several localnets (multi-segment) give no VLAN path;
//  - the MTU: Logical_Switch external_ids `neutron:mtu`;
//  - the subnets: the DHCP_Options rows the switch's ports reference (`cidr`,
//    `options:router` for IPv4) and the addresses of the router ports attached
//    to the switch (IPv6 DHCP_Options carry no router: the gateway comes from a
//    router port). A gateway that an attached router port holds is owned by OVN.
import type { Subnet } from '../../crds/index.ts';
import { gatewayInside } from '../../crds/index.ts';
import { networkOf } from '../../crds/net-address.ts';
import type {
  DhcpOptionsRow,
  LogicalRouterPortRow,
  LogicalSwitchPortRow,
  LogicalSwitchRow,
  OvnSnapshot,
} from '../ovn-source/ovn-snapshot.ts';
import { NeutronKey, neutronIdOf } from '../ovn-source/bgpvpn-keys.ts';

export const MTU_KEY = 'neutron:mtu';
export const MTU_RANGE = { min: 576, max: 9216 } as const;

/** How the network's frames reach OVN's provider bridge. */
export type ProviderPath =
  | { kind: 'vlan'; vlanId: number; physicalNetwork: string }
  /** A localnet without tag: untagged frames on the provider bridge. */
  | { kind: 'flat'; physicalNetwork: string }
  /** No localnet port: the network lives in OVN's tunnels (Geneve) only. */
  | { kind: 'tunnel' }
  /** More than one localnet port (a multi-segment network). */
  | { kind: 'ambiguous'; localnets: string[] };

export type MtuFact = { ok: number } | { invalid: string } | undefined;

export interface NetworkFacts {
  provider: ProviderPath;
  mtu: MtuFact;
  subnets: Subnet[];
}

/** `neutron:mtu` → a usable MTU, an invalid-value text, or undefined when absent. */
export function mtuOf(ids: Readonly<Record<string, string>>): MtuFact {
  const raw = ids[MTU_KEY];
  if (raw === undefined) return undefined;
  const n = /^\d{1,6}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (Number.isInteger(n) && n >= MTU_RANGE.min && n <= MTU_RANGE.max) return { ok: n };
  return { invalid: raw };
}

/** The localnet ports of a switch → its provider path. */
export function providerPathOf(localnets: readonly LogicalSwitchPortRow[]): ProviderPath {
  const [only, ...more] = localnets;
  if (only === undefined) return { kind: 'tunnel' };
  if (more.length > 0) return { kind: 'ambiguous', localnets: localnets.map((p) => p.name).sort() };
  const physicalNetwork = only.options['network_name'] ?? '';
  if (only.tag === undefined) return { kind: 'flat', physicalNetwork };
  return { kind: 'vlan', vlanId: only.tag, physicalNetwork };
}

interface SubnetDraft {
  cidr: string;
  dhcpGateway?: string;
  routerAddresses: string[];
}

/**
 * DHCP subnets and attached router ports → the network's subnets. Per cidr:
 * the gateway is the DHCP `router` option when it lies inside, else the first
 * router-port address in it; the owner is `ovn` when an attached router port
 * holds that gateway. Sorted by cidr.
 */
export function mergeSubnets(dhcp: readonly DhcpOptionsRow[], routerPorts: readonly LogicalRouterPortRow[]): Subnet[] {
  const drafts = new Map<string, SubnetDraft>();
  for (const row of dhcp) addDhcpGateway(drafts, row);
  for (const lrp of [...routerPorts].sort((a, b) => a.name.localeCompare(b.name))) {
    for (const address of lrp.networks) {
      const parsed = networkOf(address);
      if (parsed !== undefined) draftOf(drafts, parsed.cidr).routerAddresses.push(parsed.address);
    }
  }
  return [...drafts.values()].sort((a, b) => a.cidr.localeCompare(b.cidr)).map(subnetOfDraft);
}

function draftOf(drafts: Map<string, SubnetDraft>, cidr: string): SubnetDraft {
  let d = drafts.get(cidr);
  if (d === undefined) {
    d = { cidr, routerAddresses: [] };
    drafts.set(cidr, d);
  }
  return d;
}

/** The DHCP `router` option is the gateway when it lies inside the cidr; the first such row wins. */
function addDhcpGateway(drafts: Map<string, SubnetDraft>, row: DhcpOptionsRow): void {
  const parsed = networkOf(row.cidr);
  if (parsed === undefined) return;
  const d = draftOf(drafts, parsed.cidr);
  const router = row.options['router'];
  if (d.dhcpGateway === undefined && router !== undefined && gatewayInside({ cidr: parsed.cidr, gateway: router })) {
    d.dhcpGateway = networkOf(`${router}/${router.includes(':') ? 128 : 32}`)?.address ?? router;
  }
}

/** The gateway: DHCP's, else the first router address; owned by OVN when a router port holds it. */
function subnetOfDraft(d: SubnetDraft): Subnet {
  const gateway = d.dhcpGateway ?? d.routerAddresses[0];
  if (gateway === undefined) return { cidr: d.cidr };
  return d.routerAddresses.includes(gateway)
    ? { cidr: d.cidr, gateway, gatewayOwner: 'ovn' }
    : { cidr: d.cidr, gateway };
}

/** Indexes that join switches, their ports, DHCP options and router ports. */
interface Indexes {
  lsps: Map<string, LogicalSwitchPortRow>;
  dhcp: Map<string, DhcpOptionsRow>;
  lrpByName: Map<string, LogicalRouterPortRow>;
  /** Router ports that name the network in external_ids (`neutron:network_name`), by switch name. */
  lrpsByNetworkName: Map<string, LogicalRouterPortRow[]>;
}

function indexes(snapshot: OvnSnapshot): Indexes {
  const lrpsByNetworkName = new Map<string, LogicalRouterPortRow[]>();
  for (const lrp of snapshot.logicalRouterPorts) {
    const net = lrp.externalIds[NeutronKey.networkName];
    if (net !== undefined) lrpsByNetworkName.set(net, [...(lrpsByNetworkName.get(net) ?? []), lrp]);
  }
  return {
    lsps: new Map(snapshot.logicalSwitchPorts.map((p) => [p.uuid, p])),
    dhcp: new Map(snapshot.dhcpOptions.map((d) => [d.uuid, d])),
    lrpByName: new Map(snapshot.logicalRouterPorts.map((r) => [r.name, r])),
    lrpsByNetworkName,
  };
}

function factsOf(ls: LogicalSwitchRow, ix: Indexes): NetworkFacts {
  const ports = ls.ports.flatMap((u) => {
    const p = ix.lsps.get(u);
    return p === undefined ? [] : [p];
  });
  const dhcp = new Map<string, DhcpOptionsRow>();
  const routerPorts = new Map<string, LogicalRouterPortRow>();
  for (const p of ports) {
    for (const ref of [p.dhcpv4Options, p.dhcpv6Options]) {
      const row = ref === undefined ? undefined : ix.dhcp.get(ref);
      if (row !== undefined) dhcp.set(row.uuid, row);
    }
    const peer = p.type === 'router' ? ix.lrpByName.get(p.options['router-port'] ?? '') : undefined;
    if (peer !== undefined) routerPorts.set(peer.uuid, peer);
  }
  // Router ports that name this network are attached to it too (Neutron sets the key on every LRP).
  for (const lrp of ix.lrpsByNetworkName.get(ls.name) ?? []) routerPorts.set(lrp.uuid, lrp);
  return {
    provider: providerPathOf(ports.filter((p) => p.type === 'localnet')),
    mtu: mtuOf(ls.externalIds),
    subnets: mergeSubnets([...dhcp.values()], [...routerPorts.values()]),
  };
}

/** Facts of every Neutron network with a Logical_Switch, by network id. */
export function networkFacts(snapshot: OvnSnapshot): Map<string, NetworkFacts> {
  const ix = indexes(snapshot);
  const out = new Map<string, NetworkFacts>();
  for (const ls of snapshot.logicalSwitches) out.set(neutronIdOf(ls.name), factsOf(ls, ix));
  return out;
}

/** Facts of a network OVN has no switch for (only port or router rows name it). */
export function switchlessFacts(snapshot: OvnSnapshot, networkId: string): NetworkFacts {
  const lrps = snapshot.logicalRouterPorts.filter(
    (l) => neutronIdOf(l.externalIds[NeutronKey.networkName] ?? '') === networkId,
  );
  return { provider: { kind: 'tunnel' }, mtu: undefined, subnets: mergeSubnets([], lrps) };
}
