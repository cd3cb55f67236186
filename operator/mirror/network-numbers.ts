// Phase 4 of buildDesired: the number OVN does not carry: an L2VNI for every l2
// network; numbers held by user objects, VRFs and kept-last-good networks are
// never handed out. (The VLAN is OVN's: the localnet tag, network-facts.ts.)
import type { EvpnNetwork, EvpnNetworkSpec, EvpnVrf, EvpnVrfSpec } from '../../crds/index.ts';
import { allocateNumbers, DEFAULT_L2VNI_RANGE, type Range } from './allocate.ts';
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
  l2vnis: Map<string, number>;
}

export function allocateNetworkNumbers(input: NumberInput): NetworkNumbers {
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
  return { l2vnis };
}
