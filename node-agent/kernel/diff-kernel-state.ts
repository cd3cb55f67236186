// Pure: desired vs actual → the kernel operations that close the gap, touching
// only owned objects (ownership.ts). Removes come first, then link creation,
// then link updates (an update may point at a master created in this pass),
// then everything that hangs off links. An object that already matches yields
// no operation, so a no-op pass makes zero netlink writes. One file per kind
// under diff/.
import type { ActualKernelState } from './actual-state.ts';
import type { DesiredKernelState } from './desired-state.ts';
import { diffAddrs } from './diff/addrs.ts';
import { diffBridgeVlans } from './diff/bridge-vlans.ts';
import { diffContext } from './diff/context.ts';
import { diffFdb } from './diff/fdb.ts';
import { diffLinks } from './diff/links.ts';
import { diffNeighbors } from './diff/neighbors.ts';
import { diffPortFlags } from './diff/port-flags.ts';
import { diffRoutes } from './diff/routes.ts';
import type { KernelOp } from './netlink/kernel-ops.ts';

export interface KernelPlan {
  /** Owned links to delete, applied in small chunks (a big group delete holds rtnl for seconds). */
  linkDeletes: string[];
  removes: KernelOp[];
  linkCreates: KernelOp[];
  updates: KernelOp[];
  creates: KernelOp[];
  /** Desired links whose name is held by a link we do not own: never touched. */
  blocked: string[];
}

export const planSize = (p: KernelPlan): number =>
  p.linkDeletes.length + p.removes.length + p.linkCreates.length + p.updates.length + p.creates.length;

export function diffKernelState(desired: DesiredKernelState, actual: ActualKernelState): KernelPlan {
  const links = diffLinks(desired.links, actual.links);
  // Entries of links being deleted (or re-created) do not count as present,
  // and those of links this pass cycles are put back in this pass.
  const ctx = diffContext(actual.links, links.linkDeletes, links.updates);
  const kinds = [
    diffBridgeVlans(desired.bridgeVlans, actual.bridgePorts, ctx),
    diffPortFlags(desired.portFlags, actual.bridgePorts, ctx),
    diffAddrs(desired.addrs, actual.addrs, ctx),
    diffRoutes(desired.routes, actual.routes, ctx),
    diffNeighbors(desired.neighbors, actual.neighbors, ctx),
    diffFdb(desired.fdb, actual.fdb, ctx),
  ];
  return {
    linkDeletes: links.linkDeletes,
    removes: kinds.flatMap((k) => k.removes),
    linkCreates: links.linkCreates,
    updates: links.updates,
    creates: kinds.flatMap((k) => k.creates),
    blocked: links.blocked,
  };
}
