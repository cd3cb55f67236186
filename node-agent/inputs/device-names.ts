// Deterministic kernel names, 15 characters at most (IFNAMSIZ - 1), derived
// only from numbers in the spec, so every node and every restart agrees.
export const vrfDevice = (l3vni: number): string => `vrf-${l3vni}`;
/** Per-VRF bridge of the L3VNI; it is also the L3VNI's SVI (router MAC). */
export const l3BridgeDevice = (l3vni: number): string => `br3-${l3vni}`;
export const l3VxlanDevice = (l3vni: number): string => `vx3-${l3vni}`;
/**
 * The L2VNI's VXLAN device: `vxlan-<vni>`, the name the upstream verify-evpn.sh
 * checks and ovn-bgp-agent and OVN 25.09 use. At most 14 characters (VNI ≤
 * 16777215), and no other device shares the `vxlan-` prefix (the L3VNI's is
 * `vx3-`). Agents before used `vx-<vni>`: the level-based diff deletes that
 * owned device before it creates this one (a pass deletes first, so the kernel
 * never sees two devices with one VNI); node-agent/README.md, "Adoption".
 */
export const l2VxlanDevice = (l2vni: number): string => `vxlan-${l2vni}`;

/** IRB/SVI of a network: a VLAN device on the shared bridge. */
export const irbDevice = (bridge: string, vlanId: number): string => `${bridge.slice(0, 10)}.${vlanId}`;
/**
 * The VRF device's alternative name (`ip link show` and `ip route show vrf`
 * find it): the EvpnVrf's own name when it reads `vrf-<number>` and is not the
 * device's name. Mirrored VRFs are named after the BGPVPN's vni (an l2
 * BGPVPN of VNI 10100 gives `vrf-10100`, table 1010100), which for an l2 BGPVPN
 * is not the L3VNI the device is named after (1010100), and the upstream
 * verify-evpn.sh checks `ip link show vrf-<vni>`. A name any other device holds is not given
 * (renderKernelState, diffLinks), so it never collides.
 */
export function vrfAltName(vrfName: string, l3vni: number): string | undefined {
  return /^vrf-[1-9][0-9]{0,10}$/.test(vrfName) && vrfName !== vrfDevice(l3vni) ? vrfName : undefined;
}
