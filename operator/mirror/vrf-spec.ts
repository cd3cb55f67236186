// What a BGPVPN association makes of a VRF: its name and its spec. Both the
// per-network routing (network-vnis.ts) and the one-VRF-per-name phase
// (desired-vrfs.ts) use them, so they sit below both.
import type { EvpnVrfSpec } from '../../crds/index.ts';
import type { Association } from './parse-association.ts';

/** A mirrored VRF is named after the BGPVPN's vni (networking-bgpvpn's vrf_info), which is its L3VNI only for l3 BGPVPNs. */
export const vrfNameFor = (bgpvpnVni: number): string => `vrf-${bgpvpnVni}`;

/** The BgpPolicyFields an EvpnVrf and an EvpnNetwork share. */
export type BgpPolicy = Omit<EvpnVrfSpec, 'vni' | 'routingTable'>;

/** A BGPVPN's policy: an l3 one's goes to its VRF, an l2 one's to the network's L2VNI. */
export function bgpPolicyOf(a: Association): BgpPolicy {
  const spec: BgpPolicy = {};
  if (a.bgpAs !== undefined) spec.bgpAs = a.bgpAs;
  if (a.routeTargets.length) spec.routeTargets = a.routeTargets;
  if (a.importTargets.length) spec.importTargets = a.importTargets;
  if (a.exportTargets.length) spec.exportTargets = a.exportTargets;
  if (a.routeDistinguishers.length) spec.routeDistinguishers = a.routeDistinguishers;
  if (a.localPref !== undefined) spec.localPref = a.localPref;
  return spec;
}

export const vrfSpecOf = (a: Association): EvpnVrfSpec => ({ vni: a.vni, ...bgpPolicyOf(a) });
