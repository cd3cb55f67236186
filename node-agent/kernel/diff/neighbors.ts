// Neighbours: permanent entries on owned links; zebra's (extern_learn) and the
// kernel's own (not permanent) are left alone.
import type { Neighbor, NeighborSpec } from '../netlink/neigh-codec.ts';
import type { DiffContext, KindPlan } from './context.ts';
import { normIp } from './normalize.ts';

const NUD_PERMANENT = 0x80;
const NTF_EXT_LEARNED = 0x10;

export function diffNeighbors(
  desired: readonly NeighborSpec[],
  actual: readonly Neighbor[],
  ctx: DiffContext,
): KindPlan {
  const plan: KindPlan = { removes: [], creates: [] };
  const want = new Map(desired.map((n) => [`${n.dev}|${normIp(n.dst)}`, n]));
  for (const n of actual) {
    const dev = ctx.ownedLiveName(n.index);
    if (dev === undefined || ctx.foreignEntries.has(dev)) continue;
    if ((n.state & NUD_PERMANENT) === 0 || (n.flags & NTF_EXT_LEARNED) !== 0) continue;
    const key = `${dev}|${normIp(n.dst)}`;
    const w = want.get(key);
    if (w && w.lladdr.toLowerCase() === n.lladdr?.toLowerCase()) {
      if (!ctx.cycled.has(dev)) want.delete(key);
      continue;
    }
    if (!w)
      plan.removes.push({ op: 'delNeighbor', neighbor: { dev, dst: n.dst, lladdr: n.lladdr ?? '00:00:00:00:00:00' } });
  }
  for (const n of want.values()) plan.creates.push({ op: 'replaceNeighbor', neighbor: n });
  return plan;
}
