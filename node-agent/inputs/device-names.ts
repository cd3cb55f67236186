// Deterministic kernel names, 15 characters at most (IFNAMSIZ - 1), derived
// only from numbers in the spec, so every node and every restart agrees.
export const vrfDevice = (l3vni: number): string => `vrf-${l3vni}`;
/** Per-VRF bridge of the L3VNI; it is also the L3VNI's SVI (router MAC). */
export const l3BridgeDevice = (l3vni: number): string => `br3-${l3vni}`;
export const l3VxlanDevice = (l3vni: number): string => `vx3-${l3vni}`;
export const l2VxlanDevice = (l2vni: number): string => `vx-${l2vni}`;
/** IRB/SVI of a network: a VLAN device on the shared bridge. */
export const irbDevice = (bridge: string, vlanId: number): string => `${bridge.slice(0, 10)}.${vlanId}`;
