// Phase 5's last step: two mirrored networks that OVN puts on one VLAN of one
// physical network cannot both be stretched (which one OVN means cannot be
// told), so both lose their VLAN path and say why.
import type { EvpnNetworkSpec } from '../../crds/index.ts';
import { conflictProblem, type MirrorProblem } from './mirror-problem.ts';

/** Takes the VLAN path away (the spec stays visible; no agent applies it). */
function withoutPath(spec: EvpnNetworkSpec): EvpnNetworkSpec {
  const { vlanId: _vlan, provider: _provider, ...rest } = spec;
  return rest;
}

/**
 * Two mirrored networks with one VLAN on one physical network: EVPN-004 on
 * each, and neither keeps its VLAN path (which of them OVN really means cannot
 * be told). A mirrored network whose VLAN a user-authored or kept-last-good
 * network already holds loses its path the same way.
 */
export function dropVlanCollisions(
  networks: Map<string, EvpnNetworkSpec>,
  candidates: ReadonlySet<string>,
  holders: ReadonlyMap<string, EvpnNetworkSpec>,
): MirrorProblem[] {
  const problems: MirrorProblem[] = [];
  for (const ids of groupByVlan(networks, candidates)) {
    const spec = networks.get(ids[0] ?? '');
    if (spec?.vlanId === undefined) continue;
    const holder = vlanHolder(holders, spec);
    if (ids.length < 2 && holder === undefined) continue;
    for (const id of ids) {
      const others = [...ids.filter((o) => o !== id), ...(holder !== undefined ? [holder] : [])];
      networks.set(id, withoutPath(networks.get(id) ?? spec));
      problems.push(
        conflictProblem(
          'EvpnNetwork',
          id,
          `${describeVlan(spec)} is also the VLAN of EvpnNetwork ${others.join(', ')}; no agent applies this network until one of them changes`,
        ),
      );
    }
  }
  return problems;
}

/** The candidates with a VLAN path, grouped by physical network and VLAN, ids sorted. */
function groupByVlan(networks: ReadonlyMap<string, EvpnNetworkSpec>, candidates: ReadonlySet<string>): string[][] {
  const byVlan = new Map<string, string[]>();
  const keyOf = (s: EvpnNetworkSpec): string | undefined =>
    s.vlanId === undefined ? undefined : `${s.provider?.physicalNetwork ?? ''}/${s.vlanId}`;
  for (const id of [...candidates].sort()) {
    const key = keyOf(networks.get(id) ?? { type: 'l3' });
    if (key !== undefined) byVlan.set(key, [...(byVlan.get(key) ?? []), id]);
  }
  return [...byVlan.values()];
}

/** The name of a held network on the same VLAN (one without a provider holds it on every physical network). */
function vlanHolder(holders: ReadonlyMap<string, EvpnNetworkSpec>, spec: EvpnNetworkSpec): string | undefined {
  const physnet = spec.provider?.physicalNetwork;
  return [...holders].find(
    ([, h]) => h.vlanId === spec.vlanId && (h.provider === undefined || h.provider.physicalNetwork === physnet),
  )?.[0];
}

function describeVlan(spec: EvpnNetworkSpec): string {
  const physnet = spec.provider?.physicalNetwork;
  return `VLAN ${spec.vlanId ?? '?'}${physnet === undefined ? '' : ` on physical network ${physnet}`}`;
}
