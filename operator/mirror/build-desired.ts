// The mirror as one pure function: OVN snapshot + the objects already in the
// cluster → the EvpnVrf/EvpnNetwork/EvpnPortSet specs that should exist, plus
// the problems to report. The operator applies the result with server-side
// apply and prunes only mirrored objects that are no longer desired.
//
// The single-number rule (one VNI cannot be both the L2VNI and the L3VNI):
// a BGPVPN association's `vni` is always the L3VNI of the VRF `vrf-<vni>`.
// A type-l2 network additionally gets its own L2VNI, allocated from a pool
// (default 16000000–16777215) and kept for the life of the network. The VLAN,
// physical network, MTU and subnets are OVN's (network-facts.ts).
import type { EvpnNetwork, EvpnNetworkSpec, EvpnPortSetSpec, EvpnVrf, EvpnVrfSpec } from '../../crds/index.ts';
import { hasProviderPath } from '../../crds/index.ts';
import type { OvnSnapshot } from '../ovn-source/ovn-snapshot.ts';
import type { Range } from './allocate.ts';
import { collectAssociations } from './collect-associations.ts';
import { keepVrfsOfLastGood, networksFromAssociations } from './desired-networks.ts';
import { portSetsByNetworkAndNode } from './desired-port-sets.ts';
import { vrfsFromAssociations, yieldToUserVrfs } from './desired-vrfs.ts';
import type { MirrorProblem } from './mirror-problem.ts';
import { networkFacts, switchlessFacts } from './network-facts.ts';
import { allocateNetworkNumbers } from './network-numbers.ts';
import { dropMixedTypeVnis, isMirrored, selectAssociations } from './select-associations.ts';

export type { MirrorProblem } from './mirror-problem.ts';
export { vrfNameFor } from './desired-vrfs.ts';
export { isMirrored } from './select-associations.ts';

export interface MirrorInput {
  snapshot: OvnSnapshot;
  networks: readonly EvpnNetwork[];
  vrfs: readonly EvpnVrf[];
  /** Chassis hostname → Kubernetes node name; undefined drops the port. */
  nodeNameOf: (hostname: string) => string | undefined;
  l2vniRange?: Range;
}

export interface MirrorOutput {
  vrfs: Map<string, EvpnVrfSpec>;
  networks: Map<string, EvpnNetworkSpec>;
  portSets: Map<string, EvpnPortSetSpec>;
  problems: MirrorProblem[];
  /** Things accepted with a fallback (collect-associations' warnings): Events, not conditions. */
  notices: MirrorProblem[];
  /** The association kind of each mirrored network (for the source label). */
  sources: Map<string, string>;
}

/** The phases, in order; each one's problems follow the previous one's. */
export function buildDesired(input: MirrorInput): MirrorOutput {
  const userNetworks = input.networks.filter((n) => !isMirrored(n));
  const userVrfs = input.vrfs.filter((v) => !isMirrored(v));
  const mirroredNetworks = new Map(input.networks.filter(isMirrored).map((n) => [n.metadata.name, n]));
  const userNetworkNames = new Set(userNetworks.map((n) => n.metadata.name));

  // 1. Decide which networks are mirrored and from which association.
  const associations = collectAssociations(input.snapshot);
  const selected = selectAssociations(associations, userNetworkNames, mirroredNetworks);
  // 2. One VNI, one type.
  const { usable, problems: typeProblems } = dropMixedTypeVnis(selected.usable, mirroredNetworks);
  // 3. VRFs: one per L3VNI. User VRFs with the same name or VNI are left alone.
  const fromOvn = vrfsFromAssociations(usable);
  const afterUsers = yieldToUserVrfs(fromOvn.vrfs, userVrfs);
  // 4. Numbers: L2VNIs for l2 networks.
  const numbers = allocateNetworkNumbers({
    usable, mirroredNetworks, userNetworks, userVrfs, keptLastGood: selected.keptLastGood, vrfs: afterUsers.vrfs, l2vniRange: input.l2vniRange,
  });
  // 5. Network specs with OVN's facts; then the VRFs, plus those kept-last-good networks still use. The API's
  // checks are the reconciler's last step (keep-valid-desired.ts), where a failing VRF keeps its live spec instead of vanishing.
  const facts = networkFacts(input.snapshot);
  const desired = networksFromAssociations({
    usable, keptLastGood: selected.keptLastGood, numbers, mirroredNetworks, userNetworks,
    factsOf: (id) => facts.get(id) ?? switchlessFacts(input.snapshot, id),
  });
  const { vrfs, sources } = keepVrfsOfLastGood(selected.keptLastGood, { vrfs: afterUsers.vrfs, sources: desired.sources },
    { vrfs: input.vrfs, mirroredNetworks });

  // A network no agent applies (no VLAN path) gets no port sets.
  const wantedPortNetworks = new Set([...[...desired.networks].filter(([, spec]) => hasProviderPath(spec)).map(([id]) => id), ...userNetworkNames]);
  return {
    vrfs, networks: desired.networks, sources,
    portSets: portSetsByNetworkAndNode(input.snapshot, input.nodeNameOf, wantedPortNetworks),
    problems: [...selected.problems, ...typeProblems, ...fromOvn.problems, ...afterUsers.problems, ...desired.problems],
    notices: [...associations].flatMap(([id, a]) => a.warnings.map((message): MirrorProblem => ({ kind: 'EvpnNetwork', name: id, reason: 'AssociationWarning', keptLastGood: false, message }))),
  };
}
