// Phase 5 of buildDesired: the number OVN does not carry, a VLAN id for every
// mirrored network; VLANs held by user objects and kept-last-good networks are
// never handed out. (VNIs all come from the BGPVPNs: network-vnis.ts.)
import type { EvpnNetwork, EvpnNetworkSpec } from '../../crds/index.ts';
import { allocateNumbers, VLAN_RANGE } from './allocate.ts';
import type { UsableAssociation } from './select-associations.ts';

export interface NumberInput {
  usable: ReadonlyMap<string, UsableAssociation>;
  mirroredNetworks: ReadonlyMap<string, EvpnNetwork>;
  userNetworks: readonly EvpnNetwork[];
  keptLastGood: ReadonlyMap<string, EvpnNetworkSpec>;
}

export interface NetworkNumbers {
  vlans: Map<string, number>;
  /** The EvpnVrf each network routes in (phase 3). */
  vrfOf: ReadonlyMap<string, string>;
}

export function allocateVlans(input: NumberInput): Map<string, number> {
  const reservedVlans = new Set(input.userNetworks.flatMap((n) => (n.spec.vlanId === undefined ? [] : [n.spec.vlanId])));
  for (const spec of input.keptLastGood.values()) if (spec.vlanId !== undefined) reservedVlans.add(spec.vlanId);
  return allocateNumbers(
    [...input.usable.keys()].map((id) => ({ key: id, current: input.mirroredNetworks.get(id)?.spec.vlanId })), VLAN_RANGE, reservedVlans);
}
