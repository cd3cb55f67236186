export const API_GROUP = 'evpn.ovn-evpn.dev';
export const API_VERSION = 'v1alpha1';
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;

/** Labels this project puts on the objects it manages. */
export const Label = {
  /** Set on every object the operator mirrors from OVN; its value names the source kind. */
  MirroredFrom: `${API_GROUP}/mirrored-from`,
  /** The node an EvpnNodeState or EvpnPortSet belongs to. */
  Node: `${API_GROUP}/node`,
  /** The EvpnNetwork an EvpnPortSet belongs to. */
  Network: `${API_GROUP}/network`,
} as const;

/** Field manager of every write the operator makes (server-side apply). */
export const OPERATOR_FIELD_MANAGER = 'ovn-evpn-operator';
/** Field manager of every write a node agent makes. */
export const AGENT_FIELD_MANAGER = 'ovn-evpn-node-agent';

/** Default VRF routing table: vni + 1000000 (vrf-10100 → 1010100). */
export const DEFAULT_TABLE_OFFSET = 1_000_000;
