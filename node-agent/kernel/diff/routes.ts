// Routes: only ours (our rtm_protocol) are compared, so nobody else's route is
// ever removed. A route on a link this pass cycles is put back; one on a link
// this pass deletes goes with the link.
//
// Desired and dumped routes meet on one canonical identity, spelled the way
// the kernel reports a route: the protocol and table are fixed by the dump
// filter and the spec, the preference (RTA_PREF) is not part of a route's
// identity, and a metric left out is 0 for IPv4 but 1024 (IP6_RT_PRIO_USER)
// for IPv6, where the kernel fills it in.
import type { Route, RouteSpec } from '../netlink/addr-route-codec.ts';
import { RTPROT_OVN_EVPN } from '../ownership.ts';
import type { DiffContext, KindPlan } from './context.ts';
import { normDst, normIp } from './normalize.ts';

/** The metric the kernel gives an IPv6 route added without one. */
export const IP6_RT_PRIO_USER = 1024;

interface RouteIdentity {
  family: 4 | 6;
  table: number;
  dst: string;
  type: string;
  metric: number;
  via: string;
  dev: string;
}

// Only direct unicast routes name their device: a gateway route gets one from
// the kernel, and IPv6 unreachable routes are reported on `lo`.
const identityKey = (r: RouteIdentity): string =>
  `${r.family}|${r.table}|${normDst(r.dst, r.family)}|${r.type}|${r.metric}|${normIp(r.via)}|${r.via === '' && r.type === 'unicast' ? r.dev : ''}`;

const defaultMetric = (family: 4 | 6): number => (family === 6 ? IP6_RT_PRIO_USER : 0);

export function specFamily(r: RouteSpec): 4 | 6 {
  return r.family ?? (r.dst.includes(':') || (r.via ?? '').includes(':') ? 6 : 4);
}

/** The identity of a desired route, as the kernel will report it once installed. */
export function specRouteKey(r: RouteSpec): string {
  const family = specFamily(r);
  return identityKey({
    family,
    table: r.table,
    dst: r.dst,
    type: r.type ?? 'unicast',
    metric: r.metric ?? defaultMetric(family),
    via: r.via ?? '',
    dev: r.dev ?? '',
  });
}

/** The identity of a dumped route; `dev` is its output device's name. */
export function kernelRouteKey(r: Route, dev: string): string {
  return identityKey({
    family: r.family,
    table: r.table,
    dst: r.dst,
    type: String(r.type),
    metric: r.metric ?? defaultMetric(r.family),
    via: r.gateway ?? '',
    dev,
  });
}

function removal(r: Route): RouteSpec {
  return {
    table: r.table,
    dst: r.dst,
    family: r.family,
    ...(typeof r.type === 'string' ? { type: r.type } : {}),
    ...(r.metric !== null ? { metric: r.metric } : {}),
    ...(r.gateway !== null ? { via: r.gateway } : {}),
  };
}

export function diffRoutes(desired: readonly RouteSpec[], actual: readonly Route[], ctx: DiffContext): KindPlan {
  const plan: KindPlan = { removes: [], creates: [] };
  const want = new Map(desired.map((r) => [specRouteKey(r), r]));
  for (const r of actual) {
    if (r.protocol !== RTPROT_OVN_EVPN) continue;
    const dev = r.oif === null ? '' : (ctx.nameOf(r.oif) ?? `#${r.oif}`);
    // The kernel flushes a deleted link's routes: neither present nor to remove.
    if (ctx.gone.has(dev)) continue;
    const key = kernelRouteKey(r, dev);
    if (want.has(key)) {
      if (!ctx.cycled.has(dev)) want.delete(key);
      continue;
    }
    plan.removes.push({ op: 'delRoute', route: removal(r) });
  }
  for (const r of want.values()) plan.creates.push({ op: 'replaceRoute', route: r });
  return plan;
}
