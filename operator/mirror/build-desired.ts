// The mirror as one pure function: OVN snapshot + the objects already in the
// cluster → the EvpnVrf/EvpnNetwork/EvpnPortSet specs that should exist, plus
// the problems to report. The operator applies the result with server-side
// apply and prunes only mirrored objects that are no longer desired.
//
// The VNI rule (standard EVPN; docs/api.md): an l2 BGPVPN's vni and route
// targets are the network's L2VNI's; the network routes in its router's l3
// BGPVPN's VRF, else in vrf-<vni> with L3VNI vni + --l3vni-offset. An l3
// BGPVPN's vni is the L3VNI of vrf-<vni>. One VNI is never both (measured:
// ../shared/notes/real-components.md §3), and one L2VNI is one network. The
// VLAN, physical network, MTU and subnets are OVN's (network-facts.ts).
import type { Backend, EvpnNetwork, EvpnNetworkSpec, EvpnPortSetSpec, EvpnVrf, EvpnVrfSpec } from '../../crds/index.ts';
import { hasProviderPath } from '../../crds/index.ts';
import type { OvnSnapshot } from '../ovn-source/ovn-snapshot.ts';
import { collectAssociations, type NetworkAssociation } from './collect-associations.ts';
import { keepVrfsOfLastGood, networksFromAssociations } from './desired-networks.ts';
import { portSetsByNetworkAndNode } from './desired-port-sets.ts';
import { vrfsOfNetworks, yieldToUserVrfs } from './desired-vrfs.ts';
import type { MirrorNotice, MirrorProblem } from './mirror-problem.ts';
import { networkFacts, switchlessFacts, type NetworkFacts } from './network-facts.ts';
import { assignNetworkVnis, DEFAULT_L3VNI_OFFSET } from './network-vnis.ts';
import { dropMixedTypeVnis, isMirrored, selectAssociations } from './select-associations.ts';

export type { MirrorProblem } from './mirror-problem.ts';
export { vrfNameFor } from './vrf-spec.ts';
export { isMirrored } from './select-associations.ts';

export interface MirrorInput {
  snapshot: OvnSnapshot;
  networks: readonly EvpnNetwork[];
  vrfs: readonly EvpnVrf[];
  /** L3VNI of an l2 network's own VRF = its L2VNI + this (default DEFAULT_L3VNI_OFFSET). */
  l3vniOffset?: number | undefined;
  /** The backend of a network without spec.backend (operator --default-backend). */
  defaultBackend?: Backend | undefined;
}

export interface MirrorOutput {
  vrfs: Map<string, EvpnVrfSpec>;
  networks: Map<string, EvpnNetworkSpec>;
  portSets: Map<string, EvpnPortSetSpec>;
  problems: MirrorProblem[];
  /** Things accepted with a fallback (collect-associations' warnings): Events, not conditions. */
  notices: MirrorNotice[];
  /** The association kind of each mirrored network (for the source label). */
  sources: Map<string, string>;
}

/**
 * What the phases read from OVN, per network: its association, its data-path
 * facts and its port sets. Taken from a whole snapshot here (ovnPartsOf), or
 * kept per network and recomputed only for the networks a change touched
 * (incremental-parts.ts); the phases that decide across networks (one holder
 * per VNI, VLAN collisions, VRFs) always run over all of them.
 */
export interface OvnParts {
  /** Every network some association names, in name order. */
  readonly associations: ReadonlyMap<string, NetworkAssociation>;
  factsOf(id: string): NetworkFacts;
  /** The port sets of these networks. */
  portSets(wanted: ReadonlySet<string>): Map<string, EvpnPortSetSpec>;
}

export function ovnPartsOf(snapshot: OvnSnapshot): OvnParts {
  const facts = networkFacts(snapshot);
  return {
    associations: collectAssociations(snapshot),
    factsOf: (id) => facts.get(id) ?? switchlessFacts(snapshot, id),
    portSets: (wanted) => portSetsByNetworkAndNode(snapshot, wanted),
  };
}

/** The phases, in order; each one's problems follow the previous one's. */
export function buildDesired(input: MirrorInput): MirrorOutput {
  return desiredFromParts(ovnPartsOf(input.snapshot), input);
}

/** buildDesired over OVN's parts (a whole snapshot's, or the incremental ones). */
export function desiredFromParts(parts: OvnParts, input: Omit<MirrorInput, 'snapshot'>): MirrorOutput {
  const userNetworks = input.networks.filter((n) => !isMirrored(n));
  const userVrfs = input.vrfs.filter((v) => !isMirrored(v));
  const mirroredNetworks = new Map(input.networks.filter(isMirrored).map((n) => [n.metadata.name, n]));
  const userNetworkNames = new Set(userNetworks.map((n) => n.metadata.name));

  // 1. Decide which networks are mirrored and from which association.
  const associations = parts.associations;
  const selected = selectAssociations(associations, userNetworkNames, mirroredNetworks);
  // 2. One VNI, one type.
  const typed = dropMixedTypeVnis(selected.usable, mirroredNetworks);
  // 3. VNIs: each network's L2VNI and the VRF it routes in; every VNI has one holder.
  const vnis = assignNetworkVnis({
    usable: typed.usable,
    mirroredNetworks,
    userNetworks,
    userVrfs,
    keptLastGood: selected.keptLastGood,
    l3vniOffset: input.l3vniOffset ?? DEFAULT_L3VNI_OFFSET,
  });
  const { usable } = vnis;
  // 4. VRFs: one per name. User VRFs with the same name or VNI are left alone.
  const fromOvn = vrfsOfNetworks(vnis.routing);
  const afterUsers = yieldToUserVrfs(fromOvn.vrfs, userVrfs);
  // 5. Network specs with OVN's facts; then the VRFs, plus those kept-last-good networks still use. The API's
  // checks are the reconciler's last step (keep-valid-desired.ts), where a failing VRF keeps its live spec instead of vanishing.
  const desired = networksFromAssociations({
    usable,
    keptLastGood: selected.keptLastGood,
    numbers: { vrfOf: new Map([...vnis.routing].map(([id, r]) => [id, r.vrf])) },
    mirroredNetworks,
    userNetworks,
    factsOf: (id) => parts.factsOf(id),
    defaultBackend: input.defaultBackend,
  });
  const { vrfs, sources } = keepVrfsOfLastGood(
    selected.keptLastGood,
    { vrfs: afterUsers.vrfs, sources: desired.sources },
    { vrfs: input.vrfs, mirroredNetworks },
  );

  // A network no agent applies (no VLAN path) gets no port sets.
  const wantedPortNetworks = new Set([
    ...[...desired.networks].filter(([, spec]) => hasProviderPath(spec)).map(([id]) => id),
    ...userNetworkNames,
  ]);
  return {
    vrfs,
    networks: desired.networks,
    sources,
    portSets: parts.portSets(wantedPortNetworks),
    problems: [
      ...selected.problems,
      ...typed.problems,
      ...vnis.problems,
      ...fromOvn.problems,
      ...afterUsers.problems,
      ...desired.problems,
    ],
    notices: [...associations].flatMap(([id, a]) =>
      a.warnings.map((message): MirrorNotice => ({
        kind: 'EvpnNetwork',
        name: id,
        reason: 'AssociationWarning',
        message,
      })),
    ),
  };
}
