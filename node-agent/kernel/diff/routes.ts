// Routes: only ours (our rtm_protocol) are compared, so nobody else's route is
// ever removed. A route on a link this pass cycles is put back.
import type { Route, RouteSpec } from '../netlink/addr-route-codec.ts';
import { RTPROT_OVN_EVPN } from '../ownership.ts';
import type { DiffContext, KindPlan } from './context.ts';
import { normDst, normIp } from './normalize.ts';

// Only direct unicast routes name their device: a gateway route gets one from
// the kernel, and IPv6 unreachable routes are reported on `lo`.
const routeKey = (r: { table: number; dst: string; type: string; metric: number; via: string; dev: string }): string =>
  `${r.table}|${r.dst}|${r.type}|${r.metric}|${normIp(r.via)}|${r.via === '' && r.type === 'unicast' ? r.dev : ''}`;

function specKey(r: RouteSpec): string {
  const family = r.family ?? (r.dst.includes(':') || (r.via ?? '').includes(':') ? 6 : 4);
  return routeKey({ table: r.table, dst: normDst(r.dst, family), type: r.type ?? 'unicast', metric: r.metric ?? 0, via: r.via ?? '', dev: r.dev ?? '' });
}

function removal(r: Route): RouteSpec {
  return {
    table: r.table, dst: r.dst, family: r.family, ...(typeof r.type === 'string' ? { type: r.type } : {}),
    ...(r.metric !== null ? { metric: r.metric } : {}), ...(r.gateway !== null ? { via: r.gateway } : {}),
  };
}

export function diffRoutes(desired: readonly RouteSpec[], actual: readonly Route[], ctx: DiffContext): KindPlan {
  const plan: KindPlan = { removes: [], creates: [] };
  const want = new Map(desired.map((r) => [specKey(r), r]));
  for (const r of actual) {
    if (r.protocol !== RTPROT_OVN_EVPN) continue;
    const dev = r.oif === null ? '' : (ctx.nameOf(r.oif) ?? `#${r.oif}`);
    const key = routeKey({ table: r.table, dst: normDst(r.dst, r.family), type: String(r.type), metric: r.metric ?? 0, via: r.gateway ?? '', dev });
    if (want.has(key)) {
      if (!ctx.cycled.has(dev)) want.delete(key);
      continue;
    }
    plan.removes.push({ op: 'delRoute', route: removal(r) });
  }
  for (const r of want.values()) plan.creates.push({ op: 'replaceRoute', route: r });
  return plan;
}
