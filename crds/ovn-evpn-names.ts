// The kernel device names of the `ovn` backend. The operator writes them into
// OVN NB (Logical_Switch other_config dynamic-routing-*-ifname, Logical_Router
// options dynamic-routing-vrf-name) and the node agent creates exactly these
// devices, so both import this one function. Names are derived only from the
// VNI, so every node and every restart agrees, and fit IFNAMSIZ - 1 (15
// characters) for every VNI up to 16777215. Their prefixes are disjoint from the
// kernel backend's (node-agent/inputs/device-names.ts: vrf-, br3-, vx3-,
// vxlan-) and from the names OVN itself gives the devices it maintains
// (ovnvrf<id>, no dash), so no backend ever adopts or deletes another's device.
// Pure.
import { MAX_VNI } from './primitives.ts';

export interface OvnEvpnSwitchDevices {
  /** dynamic-routing-bridge-ifname: the bridge the VXLAN device is enslaved to. */
  readonly bridge: string;
  /** dynamic-routing-vxlan-ifname: the VXLAN device of the L2VNI (on a UDP port other than ovn-evpn-vxlan-ports). */
  readonly vxlan: string;
  /** dynamic-routing-advertise-ifname: the dummy whose FDB/neighbour entries FRR advertises. */
  readonly advertise: string;
}

function checkVni(vni: number): void {
  if (!Number.isInteger(vni) || vni < 1 || vni > MAX_VNI) throw new RangeError(`not a VNI: ${vni}`);
}

/** The three devices OVN 26.03 requires for a Logical_Switch with dynamic-routing-vni = l2vni. */
export function ovnEvpnSwitchDevices(l2vni: number): OvnEvpnSwitchDevices {
  checkVni(l2vni);
  return { bridge: `ovnbr-${l2vni}`, vxlan: `ovnvx-${l2vni}`, advertise: `ovnlo-${l2vni}` };
}

/** The VRF device of a Logical_Router with dynamic-routing-vrf-name (the L3VNI's VRF). */
export function ovnEvpnVrfDevice(l3vni: number): string {
  checkVni(l3vni);
  return `ovnvrf-${l3vni}`;
}
