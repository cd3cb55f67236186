// A Geneve tenant network on the ovn backend (issue 26 item 4): Neutron's
// tenant network (no localnet port, Geneve between chassis) associated with the
// l2 BGPVPN vni 10100 as networking-bgpvpn writes it, one VM on node-a, and the
// leaf's bare-metal server on the same L2VNI (leaf/setup.sh: 10.1.0.50 behind
// vxlan10100, dstport 4789). OVN carries it: the operator writes the
// Logical_Switch's dynamic-routing-* keys once the network is on `ovn`, the
// agents create the devices OVN names and render FRR, ovn-controller tunnels
// the VM's frames through its flow-based port ovn-evpn-4789.
//
// The underlay: OVS's userspace (netdev) datapath routes OVN's VXLAN only
// through an address on one of its bridges (docs/backends.md, "The ovn data
// path on OVN 26.03.1"), so node-a's VTEP 10.0.0.1 moves from its veth
// `underlay` to the internal port of a netdev bridge br-phy whose port is that
// veth (test/harness/ovn-evpn/dataplane.ts did the same on one chassis).
//
// Runs after the kernel networks are withdrawn: with ovn-evpn-4789 in br-int,
// OVS's tunnel termination on br-phy takes every VXLAN packet to 10.0.0.1:4789
// (it matches address, port and br-phy's MAC, not the VNI) into br-int, where
// the kernel backend's VNIs are dropped: one node cannot carry both backends on
// one VTEP address and 4789 (docs/backends.md, the blocked path).
import { driverExternalIds } from '../fixtures/mirror/driver-rows.ts';
import type { Fabric } from './fabric.ts';
import { bash, tryRun } from './guest-exec.ts';
import type { Kubectl } from './kube.ts';
import { l2Bgpvpn, leaf, nodeA, nodeB, type OvnDriver } from './scenario.ts';

/** Neutron's Geneve tenant network: no segment, MTU 1442 (Geneve's overhead), subnet 10.1.0.0/24 (the bms' L2VNI). */
export const netG = {
  label: 'net-g',
  id: 'a7a7a7a7-0000-4000-8000-000000000007',
  subnetId: 'a7a7a7a7-5b00-4000-8000-000000000007',
  cidr: '10.1.0.0/24',
  gateway: '10.1.0.1',
  bgpvpn: l2Bgpvpn,
  vni: 10100,
} as const;
export const vmG = {
  name: 'vm-ga',
  node: nodeA.name,
  portId: '7a7a7a7a-1111-4000-8000-000000000021',
  mac: 'fa:16:3e:07:00:21',
  ip: '10.1.0.21',
} as const;
export const UNDERLAY_BRIDGE = 'br-phy';
/** Who sets spec.backend: a person's field manager, never the operator's (docs/backends.md). */
const PERSON = 'e2e-admin';

const q = (text: string): string => JSON.stringify(text);
const idArgs = (ids: Readonly<Record<string, string>>): string[] =>
  Object.entries(ids).map(([k, v]) => `external_ids:${q(k)}=${q(v)}`);
export const lsG = `neutron-${netG.id}`;

/** The network, its subnet's DHCP_Options and the VM's port (requested-chassis node-a), as Neutron writes them. */
export async function createGeneveNetwork(ovn: OvnDriver): Promise<void> {
  const addr = `${vmG.mac} ${vmG.ip}`;
  await ovn.nbctl([
    'ls-add',
    lsG,
    '--',
    'set',
    'Logical_Switch',
    lsG,
    ...idArgs({ 'neutron:network_name': netG.label, 'neutron:mtu': '1442', 'neutron:revision_number': '2' }),
    'other_config:mcast_snoop="false"',
    '--',
    '--id=@dhcpg',
    'create',
    'DHCP_Options',
    `cidr=${q(netG.cidr)}`,
    `options:router=${q(netG.gateway)}`,
    `options:server_id=${q(netG.gateway)}`,
    'options:server_mac="fa:16:3e:fe:07:01"',
    'options:lease_time="43200"',
    'options:mtu="1442"',
    ...idArgs({ subnet_id: netG.subnetId, 'neutron:revision_number': '0' }),
    '--',
    'lsp-add',
    lsG,
    vmG.portId,
    '--',
    'lsp-set-addresses',
    vmG.portId,
    addr,
    '--',
    'lsp-set-port-security',
    vmG.portId,
    addr,
    '--',
    'lsp-set-options',
    vmG.portId,
    `requested-chassis=${vmG.node}`,
    '--',
    'set',
    'Logical_Switch_Port',
    vmG.portId,
    'dhcpv4_options=@dhcpg',
    ...idArgs({
      'neutron:cidrs': `${vmG.ip}/24`,
      'neutron:device_owner': 'compute:nova',
      'neutron:network_name': lsG,
      'neutron:port_name': vmG.name,
      'neutron:host_id': vmG.node,
    }),
  ]);
}

/** networking-bgpvpn's network association (l2 BGPVPN vni 10100) on the Logical_Switch. */
export async function associateGeneve(ovn: OvnDriver): Promise<void> {
  await ovn.nbctl(['set', 'Logical_Switch', lsG, ...idArgs(driverExternalIds(netG.bgpvpn))]);
}

export async function disassociateGeneve(ovn: OvnDriver): Promise<void> {
  const keys = Object.keys(driverExternalIds(netG.bgpvpn)).map(q);
  await ovn.nbctl(['remove', 'Logical_Switch', lsG, 'external_ids', ...keys]);
}

/** The Logical_Switch's other_config (what the operator wrote there). */
export async function switchOtherConfig(ovn: OvnDriver): Promise<string> {
  return ovn.nbctl(['get', 'Logical_Switch', lsG, 'other_config']);
}

/** A person puts the mirrored network and its VRF on the ovn backend with their own field manager. */
export async function chooseOvnBackend(kubectl: Kubectl): Promise<void> {
  const patch = JSON.stringify({ spec: { backend: 'ovn' } });
  for (const obj of [`evpnnetwork/${netG.id}`, `evpnvrf/vrf-${String(netG.vni)}`])
    await kubectl.run(['patch', obj, '--type', 'merge', '-p', patch, `--field-manager=${PERSON}`]);
}

/**
 * node-a's VTEP onto the netdev bridge br-phy (port: the veth `underlay`).
 * The senders into the fabric (the leaf's and node-b's veths) stop leaving
 * checksums to offload: OVS reads node-a's veth with AF_PACKET and would pass
 * such frames on unfinished to br-phy's tap, where the kernel drops them. The
 * veth no longer answers ARP for the address it gave away (arp_ignore=1), and
 * the peers forget its MAC.
 */
export async function vtepOnNetdevBridge(fabric: Fabric): Promise<void> {
  const a = nodeA.name;
  await fabric
    .chassis(a)
    .vsctl([
      '--may-exist',
      'add-br',
      UNDERLAY_BRIDGE,
      '--',
      'set',
      'Bridge',
      UNDERLAY_BRIDGE,
      'datapath_type=netdev',
      '--',
      '--may-exist',
      'add-port',
      UNDERLAY_BRIDGE,
      'underlay',
    ]);
  await bash(`
    for ns in leaf ${nodeB.name} ${a}; do ip netns exec $ns ethtool -K underlay tx off >/dev/null; done
    ip netns exec ${a} sysctl -qw net.ipv4.conf.underlay.arp_ignore=1
    ip -n ${a} addr del ${nodeA.vtep}/24 dev underlay
    ip -n ${a} addr replace ${nodeA.vtep}/24 dev ${UNDERLAY_BRIDGE}
    ip -n ${a} link set ${UNDERLAY_BRIDGE} up
    ip -n leaf neigh flush ${nodeA.vtep}; ip -n ${nodeB.name} neigh flush ${nodeA.vtep}; true`);
}

/** ovs-appctl of node-a's vswitchd and ovn-controller (for the oracles and the failure text). */
export const vswitchd = (fabric: Fabric, ...args: string[]): Promise<string> =>
  fabric.chassis(nodeA.name).appctl('ovs-vswitchd', args);
export const ovnController = (fabric: Fabric, ...args: string[]): Promise<string> =>
  fabric.chassis(nodeA.name).appctl('ovn-controller', args);

/**
 * Why a node cannot carry both backends on one VTEP address: OVS's tunnel
 * termination map on node-a while ovn-evpn-4789 exists. Each entry matches
 * br-phy's MAC, the VTEP address and UDP 4789, no VNI: every VXLAN packet the
 * fabric sends to 10.0.0.1:4789 is popped into br-int, the kernel backend's
 * VNIs too, and OVN's pipeline drops what it has no binding for.
 */
export const tunnelTermination = (fabric: Fabric): Promise<string> => vswitchd(fabric, 'tnl/ports/show', '-v');

/** The data path's state on node-a, for a failure message and the blocked-path note. */
export async function explainGeneve(fabric: Fabric): Promise<string> {
  const parts: string[] = [];
  const safe = async (title: string, f: () => Promise<string>): Promise<void> => {
    parts.push(`--- ${title}\n${await f().catch((e: unknown) => String(e))}`);
  };
  await safe('evpn/remote-vtep-list', () => ovnController(fabric, 'evpn/remote-vtep-list'));
  await safe('evpn/vtep-binding-list', () => ovnController(fabric, 'evpn/vtep-binding-list'));
  await safe('evpn/vtep-fdb-list', () => ovnController(fabric, 'evpn/vtep-fdb-list'));
  await safe('ovs/route/show', () => vswitchd(fabric, 'ovs/route/show'));
  await safe('tnl/neigh/show', () => vswitchd(fabric, 'tnl/neigh/show'));
  await safe('tnl/ports/show', () => vswitchd(fabric, 'tnl/ports/show', '-v'));
  await safe('ofproto/trace VM → bms', () =>
    vswitchd(
      fabric,
      'ofproto/trace',
      'br-int',
      `in_port=tap${vmG.portId.slice(0, 11)},dl_src=${vmG.mac},dl_dst=${leaf.bms.mac},ip,nw_src=${vmG.ip},nw_dst=${leaf.bms.ip},nw_proto=1`,
    ),
  );
  await safe(
    'vtysh show evpn vni',
    async () => (await tryRun('vtysh', ['-N', nodeA.name, '-c', 'show evpn vni'])).stdout,
  );
  return parts.join('\n');
}
