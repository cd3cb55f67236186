// Addresses on owned links; link-local ones are the kernel's. Cycling a link
// (a new master) drops its IPv6 addresses, so on a cycled link they are put
// back, with replace: the IPv4 ones survive the cycle.
import type { Addr, AddrSpec } from '../netlink/addr-route-codec.ts';
import type { DiffContext, KindPlan } from './context.ts';
import { normPrefix } from './normalize.ts';

const RT_SCOPE_LINK = 253;

export function diffAddrs(desired: readonly AddrSpec[], actual: readonly Addr[], ctx: DiffContext): KindPlan {
  const plan: KindPlan = { removes: [], creates: [] };
  const want = new Map(desired.map((a) => [`${a.dev}|${normPrefix(a.address)}`, a]));
  for (const a of actual) {
    const dev = ctx.ownedLiveName(a.index);
    if (dev === undefined || a.scope === RT_SCOPE_LINK) continue;
    const key = `${dev}|${normPrefix(`${a.address}/${a.prefixLen}`)}`;
    if (want.has(key)) {
      if (!ctx.cycled.has(dev)) want.delete(key);
    } else plan.removes.push({ op: 'delAddr', addr: { dev, address: `${a.address}/${a.prefixLen}` } });
  }
  for (const a of want.values()) plan.creates.push({ op: 'replaceAddr', addr: a });
  return plan;
}
