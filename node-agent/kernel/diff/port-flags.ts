// Bridge port flags (learning, neigh_suppress): set when a wanted flag differs.
import type { BridgePort, BridgePortFlags } from '../netlink/bridge-codec.ts';
import type { DiffContext, KindPlan } from './context.ts';

export function diffPortFlags(
  desired: readonly BridgePortFlags[],
  actual: readonly BridgePort[],
  ctx: DiffContext,
): KindPlan {
  const plan: KindPlan = { removes: [], creates: [] };
  const portByName = new Map(actual.map((p) => [ctx.nameOf(p.index) ?? p.name, p]));
  for (const f of desired) {
    const have = ctx.ownedLive.has(f.dev) && !ctx.cycled.has(f.dev) ? portByName.get(f.dev) : undefined;
    if (
      have &&
      (f.learning === undefined || have.learning === f.learning) &&
      (f.neighSuppress === undefined || have.neighSuppress === f.neighSuppress)
    )
      continue;
    plan.creates.push({ op: 'setBridgePort', port: f });
  }
  return plan;
}
