// Pure: the applicable EvpnVrfs and EvpnNetworks + node-level BGP settings →
// the FRR model the renderer turns into text. Device names come from the same
// planner the kernel side uses, so FRR and the kernel always agree.
//
// Policy mapping:
//  - a VRF imports routeTargets ∪ importTargets and exports routeTargets ∪
//    exportTargets; FRR takes one route distinguisher: the only one given, or
//    of several one per node (inputs/route-distinguisher.ts); none given →
//    FRR's auto RD/RT, valid for any VNI;
//  - an l2 network's own RD/RTs go to its L2VNI (`vni N` under l2vpn evpn);
//  - type-5 routes: `redistribute connected` (the IRB subnets) and
//    `redistribute kernel` (l3 subnet routes, host routes, port association
//    routes the agent installs), never the VRF's unreachable default;
//  - bgpAs: the VRF's BGP instance runs in the node ASN; a different bgpAs only
//    shapes FRR's auto route targets, so explicit route targets are the way to
//    interoperate across ASNs.
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import type { FrrModelInput } from './model.ts';
import { vrfDeviceOf } from '../backends/ovn/backend.ts';
import { routeDistinguisherFor } from '../inputs/route-distinguisher.ts';

export type FrrNodeSettings = Omit<FrrModelInput, 'vrfs' | 'l2vnis'>;

/** The agent configuration's parts the node-level FRR settings come from (config.ts AgentConfig). */
export type NodeFrrSource = {
  /** The node model as the chart's init derived it (and rendered FRR's boot config from): used as is. */
  readonly frrNodeSettings?: Readonly<Record<string, unknown>> | undefined;
  readonly bgp: {
    readonly asn: number;
    readonly routerId: string;
    readonly peers: readonly { readonly address: string; readonly remoteAs: 'internal' | 'external' | number }[];
    readonly bfd: boolean;
  };
  readonly node: { readonly vtepIp: string };
};

/** The node-level part of the FRR model. */
export function frrNodeSettings(c: NodeFrrSource): FrrNodeSettings {
  // Validated with the whole FRR model before every render (validateFrrModel).
  if (c.frrNodeSettings !== undefined) return c.frrNodeSettings as FrrNodeSettings;
  return {
    asn: c.bgp.asn,
    routerId: c.bgp.routerId,
    underlayNeighbors: c.bgp.peers.map((p) => ({
      address: p.address,
      remoteAs: p.remoteAs,
      evpn: true,
      bfd: c.bgp.bfd,
      timers: { keepalive: 3, hold: 9 },
      connectRetry: 1,
    })),
    advertiseNetworks: [`${c.node.vtepIp}/32`],
    gracefulRestart: { enabled: true },
    ...(c.bgp.bfd ? { bfd: {} } : {}),
  };
}

const union = (...lists: (readonly string[] | undefined)[]): string[] =>
  [...new Set(lists.flatMap((l) => l ?? []))].sort();

/** The order of FrrModelInput.vrfs (so a field error `vrfs[i]` names its EvpnVrf). */
export function frrVrfOrder(vrfs: readonly EvpnVrf[]): EvpnVrf[] {
  return [...vrfs].sort((a, b) => a.spec.vni - b.spec.vni);
}

/** The networks behind FrrModelInput.l2vnis, in its order. */
export function frrL2Order(networks: readonly EvpnNetwork[]): EvpnNetwork[] {
  return networks
    .filter((n) => n.spec.type === 'l2' && n.spec.vni !== undefined)
    .sort((a, b) => (a.spec.vni ?? 0) - (b.spec.vni ?? 0));
}

export function buildFrrModel(
  node: FrrNodeSettings,
  vrfs: readonly EvpnVrf[],
  networks: readonly EvpnNetwork[],
): FrrModelInput {
  const networksOfVrf = new Map<string, EvpnNetwork[]>();
  for (const n of networks)
    if (n.spec.vrf !== undefined) networksOfVrf.set(n.spec.vrf, [...(networksOfVrf.get(n.spec.vrf) ?? []), n]);
  const hasV6 = (list: readonly EvpnNetwork[]): boolean =>
    list.some(
      (n) =>
        (n.spec.subnets ?? []).some((s) => s.cidr.includes(':')) ||
        (n.spec.routes ?? []).some((r) => r.destination.includes(':')),
    );

  const rdOf = (o: EvpnVrf | EvpnNetwork): { rd?: string } => {
    const rd = routeDistinguisherFor(o.spec.routeDistinguishers, node.routerId);
    return rd === undefined ? {} : { rd };
  };
  return {
    ...node,
    vrfs: frrVrfOrder(vrfs).map((v) => {
      const members = networksOfVrf.get(v.metadata.name) ?? [];
      return {
        name: vrfDeviceOf(v),
        l3vni: v.spec.vni,
        ...rdOf(v),
        importRts: union(v.spec.routeTargets, v.spec.importTargets),
        exportRts: union(v.spec.routeTargets, v.spec.exportTargets),
        advertiseIpv4: true,
        advertiseIpv6: hasV6(members),
        redistribute: { connected: true, kernel: true, static: false },
        ...(v.spec.localPref !== undefined ? { localPref: v.spec.localPref } : {}),
      };
    }),
    l2vnis: frrL2Order(networks).map((n) => ({
      vni: n.spec.vni ?? 0,
      ...rdOf(n),
      importRts: union(n.spec.routeTargets, n.spec.importTargets),
      exportRts: union(n.spec.routeTargets, n.spec.exportTargets),
    })),
  };
}
