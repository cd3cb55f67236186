// The project's error codes, EVPN-001…007, carried in validation messages, condition
// reasons' messages and Events, so an operator can grep one code end to end.
export const EvpnErrorCode = {
  /** A VNI outside 1–16777215. */
  InvalidVni: 'EVPN-001',
  /** An association that cannot be applied as OVN has the network (e.g. no VLAN path: flat or Geneve). */
  UnusableAssociation: 'EVPN-001',
  /** A route target or route distinguisher that is not one of the RFC 4360 forms. */
  InvalidRouteTarget: 'EVPN-002',
  /** A reference to a BGPVPN/VRF that does not exist. */
  NotFound: 'EVPN-003',
  /** A network claimed twice: two BGPVPNs, or an OVN association and a user object. */
  Conflict: 'EVPN-004',
  /** Kernel/infrastructure state could not be created. */
  Infrastructure: 'EVPN-005',
  /** FRR configuration could not be applied. */
  Frr: 'EVPN-006',
  /** An OVN name that cannot name a Kubernetes object (not a DNS-1123 subdomain). */
  InvalidName: 'EVPN-007',
} as const;
export type EvpnErrorCode = (typeof EvpnErrorCode)[keyof typeof EvpnErrorCode];
