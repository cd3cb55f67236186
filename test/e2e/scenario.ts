// The scenario as Neutron and networking-bgpvpn leave it in OVN, done with
// the real ovn-nbctl / ovn-sbctl from inside the guest (over TCP to the host's
// databases). Five VLAN provider networks on physnet1 (`--provider-network-type
// vlan --provider-segment N`): a Logical_Switch with neutron:network_name /
// neutron:mtu, a localnet port `provnet-<segment>` with the segmentation id as
// its tag, a DHCP_Options row per subnet. Ids and addresses match the
// hand-written leaf (leaf/frr.conf, leaf/setup.sh):
//  - net-a (10.1.0.0/24): network association to the l2 BGPVPN vni 10100
//    (RT 65000:10100), no OVN router: the IRB holds the gateway 10.1.0.1
//    (gatewayOwner evpn), the leaf's bare-metal server 10.1.0.50 shares the
//    segment;
//  - net-b, net-c (10.2/10.3.0.0/24): network associations to the l3 BGPVPN
//    vni 20000 (RT 65000:20000, the leaf's vrf-tenant), no OVN router;
//  - net-d, net-e (10.4/10.5.0.0/24): behind OVN router r1, which holds their
//    gateways (gatewayOwner ovn), each with its own l2 BGPVPN (vni 10200,
//    10300): OVN routes between them, EVPN stretches each segment;
//  - VM ports with requested-chassis = the node, bound by the node's own
//    ovn-controller when the VM's port appears on br-int (ovn-chassis.ts):
//    nothing here writes Chassis or Port_Binding rows.
import { driverExternalIds, type BgpvpnFixture } from '../fixtures/mirror/driver-rows.ts';
import { waitFor } from '../harness/wait-for.ts';
import { run } from './guest-exec.ts';
import { PHYSNET } from './ovn-chassis.ts';

export type NodeName = 'node-a' | 'node-b';

export interface Network {
  /** Neutron's name, for people; the objects are named by the id. */
  readonly label: string;
  readonly id: string;
  readonly cidr: string;
  readonly gateway: string;
  readonly type: 'l2' | 'l3';
  /** The BGPVPN of the network's association, and its vni. */
  readonly bgpvpn: BgpvpnFixture;
  readonly vni: number;
  /** An OVN router holds the gateway (gatewayOwner ovn); otherwise the IRB does (evpn). */
  readonly routed: boolean;
  /** Neutron's segmentation id: the tag of the localnet port, the VLAN on the provider bridge. */
  readonly segmentationId: number;
  /** The id of the network's segment (names the localnet port) and of its subnet (DHCP_Options). */
  readonly segmentId: string;
  readonly subnetId: string;
  readonly mtu: number;
}

export interface Vm {
  readonly name: string;
  readonly node: NodeName;
  readonly network: Network;
  readonly portId: string;
  readonly mac: string;
  readonly ip: string;
}

/** The BGPVPNs, as the driver writes them (strings, Python JSON lists); 10100 and 20000 are what the leaf is configured for. */
const l2 = (vni: number): BgpvpnFixture => ({
  vni,
  type: 'l2',
  routeTargets: [`65000:${String(vni)}`],
  routeDistinguishers: [`192.0.2.1:${String(vni)}`],
  localPref: 100,
});
export const l2Bgpvpn = l2(10100);
/** Two RDs: each node advertises with its own (node-agent/inputs/route-distinguisher.ts), so the leaf reflects one path per node. */
export const l3Bgpvpn: BgpvpnFixture = {
  vni: 20000,
  type: 'l3',
  routeTargets: ['65000:20000'],
  routeDistinguishers: ['192.0.2.1:20000', '192.0.2.2:20000'],
};

/** The VLANs the scenario chooses for its provider networks (Neutron's segmentation ids), as a cloud admin would. */
export const SEGMENTATION_IDS = { 'net-a': 101, 'net-b': 102, 'net-c': 103, 'net-d': 104, 'net-e': 105 } as const;

const net = (label: keyof typeof SEGMENTATION_IDS, n: number, bgpvpn: BgpvpnFixture, routed = false): Network => {
  const letter = label.slice(-1);
  return {
    label,
    id: `${letter.repeat(8)}-0000-4000-8000-00000000000${String(n)}`,
    cidr: `10.${String(n)}.0.0/24`,
    gateway: `10.${String(n)}.0.1`,
    type: bgpvpn.type === 'l2' ? 'l2' : 'l3',
    bgpvpn,
    vni: Number(bgpvpn.vni),
    routed,
    segmentationId: SEGMENTATION_IDS[label],
    segmentId: `${letter.repeat(8)}-5e60-4000-8000-00000000000${String(n)}`,
    subnetId: `${letter.repeat(8)}-5b00-4000-8000-00000000000${String(n)}`,
    mtu: 1500,
  };
};
export const netA = net('net-a', 1, l2Bgpvpn);
export const netB = net('net-b', 2, l3Bgpvpn);
export const netC = net('net-c', 3, l3Bgpvpn);
export const netD = net('net-d', 4, l2(10200), true);
export const netE = net('net-e', 5, l2(10300), true);
export const networks: readonly Network[] = [netA, netB, netC, netD, netE];

/** The leaf's side (leaf/setup.sh): the bare-metal server on net-a's L2VNI, the host behind its vrf-tenant (L3VNI 20000). */
export const leaf = {
  vtep: '10.0.0.3',
  asn: 65100,
  bms: { ns: 'bms', ip: '10.1.0.50', mac: '02:00:0a:01:00:32' },
  host: { ns: 'leaf-host', ip: '10.99.0.10' },
} as const;

const vm = (network: Network, node: NodeName, host: number): Vm => {
  const short = network.label.slice(-1);
  const nodeShort = node.slice(-1);
  return {
    name: `vm-${short}${nodeShort}`,
    node,
    network,
    // Distinct in the first 11 characters: the VM's device is tap<port-id[:11]>, as Nova names it.
    portId: `${network.id.slice(0, 3)}0${String(host)}${nodeShort}0-1111-4000-8000-0000000000${String(host)}`,
    mac: `fa:16:3e:0${String(network.id.charCodeAt(0) - 96)}:00:${String(host)}`,
    ip: `10.${network.cidr.split('.')[1] ?? '0'}.0.${String(host)}`,
  };
};
export const vms: readonly Vm[] = [
  vm(netA, 'node-a', 11),
  vm(netA, 'node-b', 12),
  vm(netB, 'node-a', 11),
  vm(netC, 'node-b', 12),
  vm(netD, 'node-a', 11),
  vm(netE, 'node-b', 12),
];

/** OVN router r1 holds the gateways of net-d and net-e (distributed: it routes on the sending chassis). */
export const routers = {
  r1: { id: 'e1e1e1e1-0000-4000-8000-000000000001', networks: [netD, netE] },
} as const;
/** The MAC of a router port (Neutron's fa:16:3e prefix), what the VMs behind it resolve their gateway to. */
export const routerPortMac = (n: Network): string => `fa:16:3e:ff:0${String(n.id.charCodeAt(0) - 96)}:01`;

export interface FabricNode {
  readonly name: NodeName;
  readonly vtep: string;
  readonly peer: string;
}
export const nodeA: FabricNode = { name: 'node-a', vtep: '10.0.0.1', peer: '10.0.0.2' };
export const nodeB: FabricNode = { name: 'node-b', vtep: '10.0.0.2', peer: '10.0.0.1' };
export const nodes: readonly FabricNode[] = [nodeA, nodeB];

const q = (text: string): string => JSON.stringify(text);
const idArgs = (ids: Readonly<Record<string, string>>): string[] =>
  Object.entries(ids).map(([k, v]) => `external_ids:${q(k)}=${q(v)}`);
export const lsName = (n: Network): string => `neutron-${n.id}`;
/** ovn-nbctl/ovn-sbctl `--format=csv --data=bare --no-headings` rows (no value here contains a comma or a quote). */
const parseRows = (csv: string): string[][] =>
  csv
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));
const lrpName = (router: string, n: Network): string => `lrp-${router.slice(0, 8)}-${n.id.slice(0, 8)}`;

// The ovn-nbctl commands of createTopology, each one starting with its `--` separator.

/** A network's Logical_Switch, with Neutron's external ids. */
const logicalSwitchArgs = (n: Network): string[] => {
  const ls = lsName(n);
  return [
    '--',
    'ls-add',
    ls,
    '--',
    'set',
    'Logical_Switch',
    ls,
    ...idArgs({
      'neutron:network_name': n.label,
      'neutron:mtu': String(n.mtu),
      'neutron:revision_number': '2',
      'neutron:availability_zone_hints': '',
    }),
    'other_config:mcast_snoop="false"',
    'other_config:mcast_flood_unregistered="false"',
  ];
};

/** The segment: a localnet port on physnet1 tagged with the segmentation id. */
const localnetPortArgs = (n: Network): string[] => {
  const ls = lsName(n);
  const ln = `provnet-${n.segmentId}`;
  return [
    '--',
    'lsp-add',
    ls,
    ln,
    '--',
    'lsp-set-type',
    ln,
    'localnet',
    '--',
    'lsp-set-addresses',
    ln,
    'unknown',
    '--',
    'lsp-set-options',
    ln,
    `network_name=${PHYSNET}`,
    'mcast_flood=false',
    'mcast_flood_reports=true',
    '--',
    'set',
    'Logical_Switch_Port',
    ln,
    `tag=${String(n.segmentationId)}`,
    ...idArgs({ 'neutron:network_name': ls, 'neutron:device_owner': '' }),
  ];
};

/** The subnet: Neutron's DHCP_Options row (`@dhcp<letter>`), referenced by every VM port of the network. */
const dhcpOptionsArgs = (n: Network): string[] => {
  const letter = String(n.id.charCodeAt(0) - 96);
  return [
    `--`,
    `--id=@dhcp${letter}`,
    'create',
    'DHCP_Options',
    `cidr=${q(n.cidr)}`,
    `options:router=${q(n.gateway)}`,
    `options:server_id=${q(n.gateway)}`,
    `options:server_mac=${q(`fa:16:3e:fe:0${letter}:01`)}`,
    'options:lease_time="43200"',
    `options:mtu=${q(String(n.mtu))}`,
    'options:dns_server="{192.0.2.53}"',
    ...idArgs({ subnet_id: n.subnetId, 'neutron:revision_number': '0' }),
  ];
};

/** A Neutron router's Logical_Router. */
const logicalRouterArgs = (name: string, routerId: string): string[] => [
  '--',
  'lr-add',
  `neutron-${routerId}`,
  '--',
  'set',
  'Logical_Router',
  `neutron-${routerId}`,
  ...idArgs({ 'neutron:router_name': name }),
];

/** A router interface: the router port holding the network's gateway and its peer switch port. */
const routerInterfaceArgs = (routerId: string, n: Network): string[] => {
  const lrp = lrpName(routerId, n);
  const rsp = `${routerId.slice(0, 8)}-${n.id.slice(0, 8)}-rp`;
  return [
    '--',
    'lrp-add',
    `neutron-${routerId}`,
    lrp,
    routerPortMac(n),
    `${n.gateway}/${n.cidr.split('/')[1] ?? '24'}`,
    '--',
    'set',
    'Logical_Router_Port',
    lrp,
    ...idArgs({ 'neutron:network_name': lsName(n), 'neutron:router_name': routerId }),
    '--',
    'lsp-add',
    lsName(n),
    rsp,
    '--',
    'lsp-set-type',
    rsp,
    'router',
    '--',
    'lsp-set-addresses',
    rsp,
    'router',
    '--',
    'lsp-set-options',
    rsp,
    `router-port=${lrp}`,
    '--',
    'set',
    'Logical_Switch_Port',
    rsp,
    ...idArgs({ 'neutron:device_owner': 'network:router_interface', 'neutron:device_id': routerId }),
  ];
};

/** A VM's port, pinned to its node (requested-chassis) and using its network's DHCP_Options. */
const vmPortArgs = (v: Vm): string[] => {
  const addr = `${v.mac} ${v.ip}`;
  const prefix = v.network.cidr.split('/')[1] ?? '24';
  return [
    '--',
    'lsp-add',
    lsName(v.network),
    v.portId,
    '--',
    'lsp-set-addresses',
    v.portId,
    addr,
    '--',
    'lsp-set-port-security',
    v.portId,
    addr,
    '--',
    'lsp-set-options',
    v.portId,
    `requested-chassis=${v.node}`,
    '--',
    'set',
    'Logical_Switch_Port',
    v.portId,
    `dhcpv4_options=@dhcp${String(v.network.id.charCodeAt(0) - 96)}`,
    ...idArgs({
      'neutron:cidrs': `${v.ip}/${prefix}`,
      'neutron:device_owner': 'compute:nova',
      'neutron:device_id': `${v.portId.slice(0, 8)}-d000-4000-8000-000000000000`,
      'neutron:network_name': lsName(v.network),
      'neutron:port_name': v.name,
      'neutron:host_id': v.node,
      'neutron:revision_number': '3',
    }),
  ];
};

export class OvnDriver {
  readonly #nb: string;
  readonly #sb: string;
  constructor(nbRemote: string, sbRemote: string) {
    this.#nb = nbRemote;
    this.#sb = sbRemote;
  }

  nbctl(args: readonly string[]): Promise<string> {
    return run('ovn-nbctl', [`--db=${this.#nb}`, '--timeout=20', ...args]);
  }

  sbctl(args: readonly string[]): Promise<string> {
    return run('ovn-sbctl', [`--db=${this.#sb}`, '--timeout=20', ...args]);
  }

  /**
   * Networks, subnets (DHCP_Options), routers and VM ports as Neutron's OVN
   * driver writes them, in one NB transaction. No Chassis, no binding: the
   * nodes' ovn-controllers do that when the VMs' ports appear (ovn-chassis.ts).
   */
  async createTopology(): Promise<void> {
    const nb: string[] = [];
    for (const n of networks) nb.push(...logicalSwitchArgs(n), ...localnetPortArgs(n), ...dhcpOptionsArgs(n));
    for (const [name, r] of Object.entries(routers)) {
      nb.push(...logicalRouterArgs(name, r.id));
      for (const n of r.networks) nb.push(...routerInterfaceArgs(r.id, n));
    }
    for (const v of vms) nb.push(...vmPortArgs(v));
    await this.nbctl(nb.slice(1));
  }

  /**
   * Where each VM port is bound: the SB Port_Binding's Chassis name (the
   * chassis ovn-controller registered, named by its system-id) and NB
   * Logical_Switch_Port.up. Three database reads, whatever the number of ports.
   */
  async bindings(): Promise<Map<string, { chassis: string | undefined; up: boolean }>> {
    const csv = ['--format=csv', '--data=bare', '--no-headings'];
    const [chassisRows, pbRows, lspRows] = await Promise.all([
      this.sbctl([...csv, '--columns=_uuid,name', 'list', 'Chassis']),
      this.sbctl([...csv, '--columns=logical_port,chassis', 'list', 'Port_Binding']),
      this.nbctl([...csv, '--columns=name,up', 'list', 'Logical_Switch_Port']),
    ]);
    const chassis = new Map(parseRows(chassisRows).map(([u, n]) => [u, n]));
    const up = new Map(parseRows(lspRows).map(([p, u]) => [p, u === 'true']));
    return new Map(
      parseRows(pbRows).map(([p, c]) => [p ?? '', { chassis: chassis.get(c ?? ''), up: up.get(p ?? '') ?? false }]),
    );
  }

  /** Waits until each node's ovn-controller has bound its VMs' ports (Port_Binding.chassis = the node, LSP up). */
  async waitForBindings(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      'VM ports bound by ovn-controller (Port_Binding.chassis, LSP up)',
      async () => {
        const b = await this.bindings();
        return vms.every((v) => b.get(v.portId)?.chassis === v.node && b.get(v.portId)?.up === true);
      },
      { timeoutMs, stepMs: 200 },
    );
  }

  /** The network associations: each network's BGPVPN keys on its Logical_Switch, in one transaction. */
  async associate(): Promise<void> {
    await this.nbctl(
      networks
        .flatMap((n) => ['--', 'set', 'Logical_Switch', lsName(n), ...idArgs(driverExternalIds(n.bgpvpn))])
        .slice(1),
    );
  }

  /** What the driver does when the associations are deleted: every neutron_bgpvpn:* key goes. */
  async disassociate(): Promise<void> {
    const keys = (f: BgpvpnFixture): string[] => Object.keys(driverExternalIds(f)).map(q);
    await this.nbctl(
      networks
        .flatMap((n) => ['--', 'remove', 'Logical_Switch', lsName(n), 'external_ids', ...keys(n.bgpvpn)])
        .slice(1),
    );
  }
}
