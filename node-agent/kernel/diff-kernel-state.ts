// Pure: desired vs actual → the kernel operations that close the gap, touching
// only owned objects (ownership.ts). An object that already matches yields no
// operation, so a no-op pass makes zero netlink writes. One file per kind under
// diff/.
//
// The order is structural, by containment: what lives in or on a container is
// removed before the container, and created after it. An FDB entry and a
// neighbour live in a VLAN and on a device, a route goes through an address's
// prefix or a device, an address and a bridge VLAN live on a link:
//   removes   fdb → neighbours → routes → addresses → bridge VLANs
//   then      link deletes → link creates → link updates (an update may point
//             at a master created in this pass)
//   creates   bridge VLANs → port flags → addresses → routes → neighbours → fdb
// The kernel refuses the other way round: `bridge fdb del … vlan V` after VLAN V
// left the port is EINVAL, so the static entry would stay for good.
import type { ActualKernelState } from './actual-state.ts';
import type { DesiredKernelState } from './desired-state.ts';
import { diffAddrs } from './diff/addrs.ts';
import { diffBridgeVlans } from './diff/bridge-vlans.ts';
import { diffContext, type KindPlan } from './diff/context.ts';
import { diffFdb } from './diff/fdb.ts';
import { diffLinks } from './diff/links.ts';
import { diffNeighbors } from './diff/neighbors.ts';
import { diffPortFlags } from './diff/port-flags.ts';
import { diffRoutes } from './diff/routes.ts';
import type { KernelOp } from './netlink/kernel-ops.ts';

export interface KernelPlan {
  /** Entries on surviving links, contents before containers (REMOVAL_ORDER). */
  removes: KernelOp[];
  /** Owned links to delete, after the removes; applied in small chunks (a big group delete holds rtnl for seconds). */
  linkDeletes: string[];
  linkCreates: KernelOp[];
  updates: KernelOp[];
  /** Entries, containers before contents (CREATION_ORDER). */
  creates: KernelOp[];
  /** Desired links whose name is held by a link we do not own: never touched. */
  blocked: string[];
}

type EntryKind = 'bridgeVlans' | 'portFlags' | 'addrs' | 'routes' | 'neighbors' | 'fdb';

/** Contents before containers. Port flags have no removal. */
export const REMOVAL_ORDER: readonly EntryKind[] = ['fdb', 'neighbors', 'routes', 'addrs', 'bridgeVlans'];
/** Containers before contents. */
export const CREATION_ORDER: readonly EntryKind[] = ['bridgeVlans', 'portFlags', 'addrs', 'routes', 'neighbors', 'fdb'];

export const planSize = (p: KernelPlan): number =>
  p.linkDeletes.length + p.removes.length + p.linkCreates.length + p.updates.length + p.creates.length;

/** The plan's phases in the order they are applied. */
export function planPhases(
  p: KernelPlan,
): (
  | { phase: 'linkDeletes'; names: string[] }
  | { phase: 'removes' | 'linkCreates' | 'updates' | 'creates'; ops: KernelOp[] }
)[] {
  return [
    { phase: 'removes', ops: p.removes },
    { phase: 'linkDeletes', names: p.linkDeletes },
    { phase: 'linkCreates', ops: p.linkCreates },
    { phase: 'updates', ops: p.updates },
    { phase: 'creates', ops: p.creates },
  ];
}

export function diffKernelState(desired: DesiredKernelState, actual: ActualKernelState): KernelPlan {
  const links = diffLinks(desired.links, actual.links);
  // Entries of links being deleted (or re-created) do not count as present,
  // and those of links this pass cycles are put back in this pass.
  const ctx = diffContext(actual.links, links.linkDeletes, links.updates);
  // Removing a device's last IPv4 address makes the kernel flush its IPv4
  // routes and neighbours (permanent ones too), and removing a primary takes
  // its secondaries along: such a device counts as cycled for what lives on it.
  const readdressed = diffAddrs(desired.addrs, actual.addrs, ctx).removes.flatMap((o) =>
    o.op === 'delAddr' && !o.addr.address.includes(':') ? [o.addr.dev] : [],
  );
  const onAddrs = readdressed.length === 0 ? ctx : { ...ctx, cycled: new Set([...ctx.cycled, ...readdressed]) };
  const kinds: Record<EntryKind, KindPlan> = {
    bridgeVlans: diffBridgeVlans(desired.bridgeVlans, actual.bridgePorts, ctx),
    portFlags: diffPortFlags(desired.portFlags, actual.bridgePorts, ctx),
    addrs: diffAddrs(desired.addrs, actual.addrs, onAddrs),
    routes: diffRoutes(desired.routes, actual.routes, onAddrs),
    neighbors: diffNeighbors(desired.neighbors, actual.neighbors, onAddrs),
    fdb: diffFdb(
      desired.fdb,
      actual.fdb,
      ctx,
      new Map(actual.bridgePorts.map((p) => [ctx.nameOf(p.index) ?? p.name, new Set(p.vlans.map((v) => v.vid))])),
    ),
  };
  return {
    removes: REMOVAL_ORDER.flatMap((k) => kinds[k].removes),
    linkDeletes: links.linkDeletes,
    linkCreates: links.linkCreates,
    updates: links.updates,
    creates: CREATION_ORDER.flatMap((k) => kinds[k].creates),
    blocked: links.blocked,
  };
}
