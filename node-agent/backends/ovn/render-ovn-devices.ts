// Pure: the kernel devices OVN 26.03's native EVPN expects, for the objects on
// the ovn backend, into the same desired state the kernel backend renders (so
// one diff creates, adopts and removes them, marked ours like every link).
// Layout (OVN's Documentation/topics/dynamic-routing, tests/multinode-bgp-macros.at):
//  - per EvpnVrf: the VRF ovnvrf-<l3vni> (table as the kernel backend's), and
//    the L3VNI's bridge ovnbr-<l3vni> in it, with ovnvx-<l3vni> and the
//    advertise dummy ovnlo-<l3vni> as its ports: zebra needs a VXLAN device and
//    an SVI for `vrf … / vni` to come up (type-5), and these are the names a
//    Logical_Switch carrying the L3VNI is given (crds ovnEvpnSwitchDevices);
//  - per l2 network: ovnbr-<l2vni> (in its VRF, if any) with ovnvx-<l2vni> and
//    ovnlo-<l2vni>, the names the operator writes into the Logical_Switch's
//    dynamic-routing-*-ifname keys;
//  - l3 networks: nothing of their own (OVN routes them; its Advertised_Route
//    rows land in the VRF table, FRR redistributes them).
// What is deliberately not rendered, and why:
//  - no VRF for OVN to maintain (dynamic-routing-maintain-vrf stays unset): OVN
//    creates it only where the router port is bound and deletes it when the
//    port unbinds, but every node carrying a network needs it (our bridge's
//    master, FRR's `vrf`), and two owners of one device would churn;
//  - no unreachable default in the VRF table: ovn-controller learns every route
//    of a protocol above RTPROT_STATIC as a Learned_Route, ours (234) included,
//    and would route the whole VRF into a blackhole;
//  - no FDB or neighbour entries, no bridge VLANs: ovn-controller writes the
//    local MACs/IPs on the advertise dummy itself and deletes entries it thinks
//    are its own (the diff leaves entries on these devices alone: ownership.ts);
//  - nothing on the uplink trunk: OVN carries the traffic in br-int.
import { effectiveRoutingTable } from '../../../crds/index.ts';
import type { EvpnNetwork, EvpnVrf } from '../../../crds/index.ts';
import type { DesiredKernelState } from '../../kernel/desired-state.ts';
import type { PlannedObject } from '../../kernel/rendered-state.ts';
import { ownedLink, stableMac } from '../../kernel/render-node-devices.ts';
import type { NodeConfig } from '../../inputs/node-config.ts';
import type { LinkSpec } from '../../kernel/netlink/link-codec.ts';
import { vrfDeviceOf } from './backend.ts';
import { ovnEvpnSwitchDevices } from '../../../crds/index.ts';

/**
 * The alias role prefix of the ovn backend's links. The FDB and neighbour
 * diffs skip entries on links whose alias carries it (kernel/ownership.ts):
 * those entries are ovn-controller's and zebra's.
 */
export const OVN_ROLE_PREFIX = 'ovn-';

/** A bridge with a VXLAN device and the advertise dummy as ports; `master` is the VRF it sits in, if any. */
function renderSwitchDevices(
  desired: DesiredKernelState,
  node: NodeConfig,
  vni: number,
  opts: { master: string | undefined; mtu: number; purpose: string },
): string[] {
  const d = ovnEvpnSwitchDevices(vni);
  const links: LinkSpec[] = [
    {
      name: d.bridge,
      kind: 'bridge',
      vlanFiltering: false,
      vlanDefaultPvid: 0,
      stp: false,
      ...(opts.master === undefined ? {} : { master: opts.master }),
      // The L3VNI's bridge is its SVI: its MAC is the router MAC zebra advertises.
      address: stableMac(node.nodeName, opts.purpose, String(vni)),
      addrGenModeNone: true,
      mtu: opts.mtu,
      ...ownedLink(`${OVN_ROLE_PREFIX}bridge`),
    },
    {
      name: d.vxlan,
      kind: 'vxlan',
      vni,
      local: node.vtepIp,
      port: node.ovn.deviceVxlanPort,
      learning: false,
      master: d.bridge,
      addrGenModeNone: true,
      mtu: opts.mtu,
      ...ownedLink(`${OVN_ROLE_PREFIX}vxlan`),
    },
    {
      name: d.advertise,
      kind: 'dummy',
      master: d.bridge,
      addrGenModeNone: true,
      mtu: opts.mtu,
      ...ownedLink(`${OVN_ROLE_PREFIX}advertise`),
    },
  ];
  desired.links.push(...links);
  return [d.bridge, d.vxlan, d.advertise];
}

/** An EvpnVrf on the ovn backend: its VRF and the L3VNI's devices. */
export function renderOvnVrf(desired: DesiredKernelState, node: NodeConfig, v: EvpnVrf, mtu: number): PlannedObject {
  const vrf = vrfDeviceOf(v);
  desired.links.push({ name: vrf, kind: 'vrf', table: effectiveRoutingTable(v.spec), ...ownedLink('ovn-vrf') });
  const devices = renderSwitchDevices(desired, node, v.spec.vni, { master: vrf, mtu, purpose: 'ovn-rmac' });
  return { name: v.metadata.name, devices: [vrf, ...devices], routes: 0 };
}

export interface OvnNetworkInput {
  node: NodeConfig;
  mtu: number;
  network: EvpnNetwork;
  /** The network's EvpnVrf (either backend: the bridge goes into that VRF's device). */
  vrf: EvpnVrf | undefined;
  /** This node's ports of the network: counted, never written (ovn-controller advertises them). */
  localPorts: number;
}

/** A network on the ovn backend: an l2 network's three devices; an l3 network has none of its own. */
export function renderOvnNetwork(desired: DesiredKernelState, input: OvnNetworkInput): PlannedObject {
  const { node, network: n, vrf } = input;
  const result: PlannedObject = { name: n.metadata.name, devices: [], localPorts: input.localPorts, routes: 0 };
  if (n.spec.type !== 'l2' || n.spec.vni === undefined) return result;
  result.devices = renderSwitchDevices(desired, node, n.spec.vni, {
    master: vrf === undefined ? undefined : vrfDeviceOf(vrf),
    mtu: n.spec.mtu ?? node.defaultMtu,
    purpose: 'ovn-l2',
  });
  return result;
}
