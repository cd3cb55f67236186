// What OVN and FRR put into the kernel for the ovn backend's networks, read
// back for the node's status (issue 26: status shows what OVN advertised and
// learned). The agent reaches no OVN database (it talks to the node's
// Open_vSwitch only), so it reads the kernel side of the exchange, which is
// what FRR advertises from and what ovn-controller learns from:
//  - local: the static FDB entries (MACs) and neighbours (IPs) ovn-controller
//    wrote on the advertise dummy / bridge for its bound ports (FRR sends them
//    as type-2);
//  - remote: zebra's entries on the VXLAN device from the fabric's type-2
//    (extern_learn MACs) and type-3 (the flood list: one all-zero MAC entry
//    per remote VTEP), which ovn-controller turns into its EVPN bindings;
//  - per VRF: the routes ovn-controller installed from SB Advertised_Route
//    (protocol RTPROT_OVN), which FRR redistributes as type-5.
// Pure, plus one read of three dumps at FRR's status cadence (never per item).
import type { Route } from '../../kernel/netlink/addr-route-codec.ts';
import type { KernelAdapter } from '../../kernel/netlink/kernel-adapter.ts';
import type { Link } from '../../kernel/netlink/link-codec.ts';
import type { FdbEntry, Neighbor } from '../../kernel/netlink/neigh-codec.ts';
import { ovnEvpnSwitchDevices } from '../../../crds/index.ts';

/** rtm_protocol of the routes ovn-controller installs (linux/rtnetlink.h since 6.15; OVN defines it for older headers). */
export const RTPROT_OVN = 84;
const NUD_NOARP = 0x40;
const NUD_PERMANENT = 0x80;
const ZERO_MAC = '00:00:00:00:00:00';

export interface OvnSwitchObserved {
  /** MACs ovn-controller advertises (static entries on the advertise dummy or bridge ports). */
  localMacs: number;
  /** IPs ovn-controller advertises (permanent neighbours on the bridge or the dummy). */
  localIps: number;
  /** MACs zebra learned from the fabric (type-2) on the VXLAN device. */
  remoteMacs: number;
  /** Remote VTEPs zebra flooded to (type-3) on the VXLAN device. */
  remoteVteps: string[];
}

export interface OvnObserved {
  /** By L2VNI. */
  switches: Map<number, OvnSwitchObserved>;
  /** Routes ovn-controller installed (Advertised_Route), by routing table. */
  advertisedRoutes: Map<number, number>;
}

export interface KernelDumps {
  links: readonly Link[];
  fdb: readonly FdbEntry[];
  neighbors: readonly Neighbor[];
  routes: readonly Route[];
}

function observeSwitch(vni: number, byName: ReadonlyMap<string, number>, d: KernelDumps): OvnSwitchObserved {
  const dev = ovnEvpnSwitchDevices(vni);
  const [br, vx, lo] = [byName.get(dev.bridge), byName.get(dev.vxlan), byName.get(dev.advertise)];
  const isStatic = (e: FdbEntry): boolean =>
    !e.self && !e.externLearn && (e.state & NUD_NOARP) !== 0 && (e.state & NUD_PERMANENT) === 0;
  const localMacs = new Set(
    d.fdb
      .filter((e) => (e.index === lo || e.master === br) && e.index !== vx && isStatic(e))
      .map((e) => e.mac.toLowerCase()),
  );
  const localIps = new Set(
    d.neighbors.filter((n) => (n.index === br || n.index === lo) && (n.state & NUD_PERMANENT) !== 0).map((n) => n.dst),
  );
  const onVx = d.fdb.filter((e) => e.index === vx);
  const remoteVteps = new Set(
    onVx.filter((e) => e.self && e.mac === ZERO_MAC && e.dst !== null).map((e) => e.dst ?? ''),
  );
  const remoteMacs = new Set(onVx.filter((e) => e.externLearn && e.mac !== ZERO_MAC).map((e) => e.mac.toLowerCase()));
  return {
    localMacs: localMacs.size,
    localIps: localIps.size,
    remoteMacs: remoteMacs.size,
    remoteVteps: [...remoteVteps].sort(),
  };
}

/** Pure: the dumps → what OVN and zebra hold for each ovn-backend L2VNI, and OVN's routes per table. */
export function observeOvn(l2vnis: readonly number[], d: KernelDumps): OvnObserved {
  const byName = new Map(d.links.map((l) => [l.name, l.index]));
  const switches = new Map(l2vnis.map((vni) => [vni, observeSwitch(vni, byName, d)]));
  const advertisedRoutes = new Map<number, number>();
  for (const r of d.routes)
    if (r.protocol === RTPROT_OVN) advertisedRoutes.set(r.table, (advertisedRoutes.get(r.table) ?? 0) + 1);
  return { switches, advertisedRoutes };
}

/** One read: links, FDB, neighbours and OVN's routes (all tables). */
export async function readOvnObserved(
  kernel: Pick<KernelAdapter, 'dumpLinks' | 'dumpFdb' | 'dumpNeighbors' | 'dumpRoutes'>,
  l2vnis: readonly number[],
): Promise<OvnObserved> {
  const [links, fdb, neighbors, routes] = [
    await kernel.dumpLinks(),
    await kernel.dumpFdb(),
    await kernel.dumpNeighbors(),
    await kernel.dumpRoutes({ protocol: RTPROT_OVN }),
  ];
  return observeOvn(l2vnis, { links, fdb, neighbors, routes });
}
