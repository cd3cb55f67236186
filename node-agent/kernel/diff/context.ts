// What every per-kind diff needs to know about the links: names by ifindex,
// which owned links survive this pass, and which are cycled by it.
import type { Link } from '../netlink/link-codec.ts';
import type { KernelOp } from '../netlink/kernel-ops.ts';
import { hasForeignEntries, isOwnedLink } from '../ownership.ts';

export interface DiffContext {
  /** The name of an ifindex in the dump (null or unknown: undefined). */
  nameOf(index: number | null): string | undefined;
  /** The name of an owned link that stays in this pass, else undefined. */
  ownedLiveName(index: number | null): string | undefined;
  /** Owned links that stay in this pass. */
  ownedLive: ReadonlySet<string>;
  /**
   * Links this pass enslaves or brings up/down: the kernel cycles them, which
   * flushes their routes and neighbours, so those count as absent.
   */
  cycled: ReadonlySet<string>;
  /** Links this pass deletes (and maybe re-creates): whatever sits on them goes with them. */
  gone: ReadonlySet<string>;
  /** Owned links whose FDB and neighbour entries are ovn-controller's (ownership.ts): the diffs leave them alone. */
  foreignEntries: ReadonlySet<string>;
}

/** A partial plan of one kind of object. */
export interface KindPlan {
  removes: KernelOp[];
  creates: KernelOp[];
}

export function linkNameResolver(links: readonly Link[]): (index: number | null) => string | undefined {
  const byIndex = new Map(links.map((l) => [l.index, l]));
  return (i) => (i === null ? undefined : byIndex.get(i)?.name);
}

export function diffContext(
  links: readonly Link[],
  linkDeletes: readonly string[],
  updates: readonly KernelOp[],
): DiffContext {
  const nameOf = linkNameResolver(links);
  const cycled = new Set(
    updates.flatMap((op) =>
      op.op === 'setLink' && (op.change.master !== undefined || op.change.up !== undefined) ? [op.name] : [],
    ),
  );
  const gone = new Set(linkDeletes);
  const ownedLive = new Set(links.filter((l) => isOwnedLink(l) && !gone.has(l.name)).map((l) => l.name));
  const ownedLiveName = (i: number | null): string | undefined => {
    const n = nameOf(i);
    return n !== undefined && ownedLive.has(n) ? n : undefined;
  };
  const foreignEntries = new Set(links.filter((l) => isOwnedLink(l) && hasForeignEntries(l)).map((l) => l.name));
  return { nameOf, ownedLiveName, ownedLive, cycled, gone, foreignEntries };
}
