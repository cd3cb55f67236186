// Phase 4 of buildDesired: the numbers OVN does not carry. A VLAN id for every
// mirrored network, an L2VNI for every l2 one; numbers held by user objects,
// VRFs and kept-last-good networks are never handed out.
import type { EvpnNetwork, EvpnNetworkSpec, EvpnVrf, EvpnVrfSpec } from '../../crds/index.ts';
import { allocateNumbers, DEFAULT_L2VNI_RANGE, VLAN_RANGE, type Range } from './allocate.ts';
import type { UsableAssociation } from './select-associations.ts';

export interface NumberInput {
  usable: ReadonlyMap<string, UsableAssociation>;
  mirroredNetworks: ReadonlyMap<string, EvpnNetwork>;
  userNetworks: readonly EvpnNetwork[];
  userVrfs: readonly EvpnVrf[];
  keptLastGood: ReadonlyMap<string, EvpnNetworkSpec>;
  vrfs: ReadonlyMap<string, EvpnVrfSpec>;
  l2vniRange?: Range | undefined;
}

export interface NetworkNumbers {
  vlans: Map<string, number>;
  l2vnis: Map<string, number>;
}

export function allocateNetworkNumbers(input: NumberInput): NetworkNumbers {
  const reservedVlans = new Set(input.userNetworks.flatMap((n) => (n.spec.vlanId === undefined ? [] : [n.spec.vlanId])));
  for (const spec of input.keptLastGood.values()) if (spec.vlanId !== undefined) reservedVlans.add(spec.vlanId);
  const vlans = allocateNumbers(
    [...input.usable.keys()].map((id) => ({ key: id, current: input.mirroredNetworks.get(id)?.spec.vlanId })), VLAN_RANGE, reservedVlans);
  const reservedVnis = new Set<number>([
    ...[...input.vrfs.values()].map((v) => v.vni), ...input.userVrfs.map((v) => v.spec.vni),
    ...input.userNetworks.flatMap((n) => (n.spec.vni === undefined ? [] : [n.spec.vni])),
    ...[...input.keptLastGood.values()].flatMap((s) => (s.vni === undefined ? [] : [s.vni])),
  ]);
  const currentL2vni = (id: string): number | undefined => {
    const current = input.mirroredNetworks.get(id)?.spec;
    return current?.type === 'l2' ? current.vni : undefined;
  };
  const l2vnis = allocateNumbers(
    [...input.usable].filter(([, a]) => a.association.type === 'l2').map(([id]) => ({ key: id, current: currentL2vni(id) })),
    input.l2vniRange ?? DEFAULT_L2VNI_RANGE, reservedVnis);
  return { vlans, l2vnis };
}
