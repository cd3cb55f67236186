// Pure: the devices every node has once anything is applicable — per VRF its
// vrf-<l3vni>, L3VNI bridge and VXLAN, and the one shared VLAN-aware bridge
// with its veth trunk towards OVN. Split from render-kernel-state.ts, which
// describes the whole layout.
import { createHash } from 'node:crypto';
import { effectiveRoutingTable } from '../../crds/index.ts';
import type { EvpnVrf } from '../../crds/index.ts';
import type { LinkSpec } from './netlink/link-codec.ts';
import { OWNED_LINK_GROUP, ownerAlias } from './ownership.ts';
import type { DesiredKernelState } from './desired-state.ts';
import type { PlannedObject } from './rendered-state.ts';
import { l3BridgeDevice, l3VxlanDevice, vrfAltName, vrfDevice } from '../inputs/device-names.ts';
import type { NodeConfig } from '../inputs/node-config.ts';

/** Kernel convention for a VRF's catch-all: lowest priority, so any real route wins. */
export const VRF_UNREACHABLE_METRIC = 4_278_198_272;
export const VXLAN_PORT = 4789;

/** A stable, locally administered unicast MAC for (node, purpose). */
export function stableMac(...parts: string[]): string {
  const d = createHash('sha256').update(parts.join('/')).digest();
  const bytes = [0x02, d[0] ?? 0, d[1] ?? 0, d[2] ?? 0, d[3] ?? 0, d[4] ?? 0];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The fields that mark a link as ours (ownership.ts) and keep it up. */
export const ownedLink = (role: string): Pick<LinkSpec, 'alias' | 'group' | 'up'> => ({
  alias: ownerAlias(role),
  group: OWNED_LINK_GROUP,
  up: true,
});

/** vrf-<l3vni>, its L3VNI bridge and VXLAN, and the unreachable defaults. */
export function renderVrf(desired: DesiredKernelState, node: NodeConfig, v: EvpnVrf, mtu: number): PlannedObject {
  const vni = v.spec.vni;
  const table = effectiveRoutingTable(v.spec);
  const [vrfDev, br, vx] = [vrfDevice(vni), l3BridgeDevice(vni), l3VxlanDevice(vni)];
  const altName = vrfAltName(v.metadata.name, vni);
  desired.links.push(
    { name: vrfDev, kind: 'vrf', table, ...(altName === undefined ? {} : { altName }), ...ownedLink('vrf') },
    {
      name: br,
      kind: 'bridge',
      vlanFiltering: false,
      vlanDefaultPvid: 0,
      stp: false,
      master: vrfDev,
      address: stableMac(node.nodeName, 'rmac', String(vni)),
      addrGenModeNone: true,
      mtu,
      ...ownedLink('l3vni-bridge'),
    },
    {
      name: vx,
      kind: 'vxlan',
      vni,
      local: node.vtepIp,
      port: VXLAN_PORT,
      learning: false,
      master: br,
      addrGenModeNone: true,
      mtu,
      ...ownedLink('l3vni-vxlan'),
    },
  );
  desired.portFlags.push({ dev: vx, learning: false, neighSuppress: true });
  for (const family of [4, 6] as const) {
    desired.routes.push({ table, dst: 'default', type: 'unreachable', metric: VRF_UNREACHABLE_METRIC, family });
  }
  return { name: v.metadata.name, devices: [vrfDev, br, vx], routes: 2 };
}

/** The shared VLAN-aware bridge and the veth trunk towards OVN. */
export function renderSharedBridge(desired: DesiredKernelState, node: NodeConfig, mtu: number): void {
  desired.links.push(
    // Its MTU is set, not inherited: the kernel gives a bridge its smallest
    // port's MTU, and an IRB cannot be larger than the bridge under it.
    {
      name: node.bridge,
      kind: 'bridge',
      vlanFiltering: true,
      vlanDefaultPvid: 0,
      stp: false,
      address: node.anycastGatewayMac,
      addrGenModeNone: true,
      mtu,
      ...ownedLink('bridge'),
    },
    {
      name: node.uplink,
      kind: 'veth',
      peer: { name: node.uplinkPeer, mtu },
      master: node.bridge,
      mtu,
      ...ownedLink('uplink'),
    },
    { name: node.uplinkPeer, kind: 'veth', peer: { name: node.uplink }, mtu, ...ownedLink('uplink-peer') },
  );
  // The trunk must not learn: OVN's MACs are known (static entries) and the rest floods.
  desired.portFlags.push({ dev: node.uplink, learning: false });
}
