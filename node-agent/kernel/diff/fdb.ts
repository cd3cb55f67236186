// FDB: static (noarp) master entries on owned ports of owned bridges. Learnt,
// zebra's (extern_learn), self and permanent entries are not ours.
import type { FdbEntry, FdbSpec } from '../netlink/neigh-codec.ts';
import type { KernelOp } from '../netlink/kernel-ops.ts';
import type { DiffContext, KindPlan } from './context.ts';

const NUD_PERMANENT = 0x80;
const NUD_NOARP = 0x40;

const fdbKey = (dev: string, mac: string, vlan: number | null | undefined): string =>
  `${dev}|${mac.toLowerCase()}|${vlan ?? 0}`;

function isOurs(e: FdbEntry, ctx: DiffContext): boolean {
  // Entries in a foreign bridge's table belong to it.
  if (e.master !== null && ctx.ownedLiveName(e.master) === undefined) return false;
  return !e.externLearn && !e.self && (e.state & NUD_NOARP) !== 0 && (e.state & NUD_PERMANENT) === 0;
}

/**
 * `portVlans`: the VLANs each port has now. A static entry left in a VLAN its
 * port no longer has (the VLAN was removed first, as this agent once did) can
 * only be deleted inside that VLAN: the kernel refuses `fdb del … vlan V`
 * otherwise (EINVAL), and deleting the VLAN spares static entries. So the
 * VLAN is put back for the removal and taken away again.
 */
export function diffFdb(
  desired: readonly FdbSpec[],
  actual: readonly FdbEntry[],
  ctx: DiffContext,
  portVlans: ReadonlyMap<string, ReadonlySet<number>> = new Map(),
): KindPlan {
  const plan: KindPlan = { removes: [], creates: [] };
  const want = new Map(desired.map((f) => [fdbKey(f.dev, f.mac, f.vlan), f]));
  for (const e of actual) {
    const dev = ctx.ownedLiveName(e.index);
    if (dev === undefined || ctx.foreignEntries.has(dev) || !isOurs(e, ctx)) continue;
    const key = fdbKey(dev, e.mac, e.vlan);
    if (want.has(key)) {
      if (!ctx.cycled.has(dev)) want.delete(key);
      continue;
    }
    const del: KernelOp = {
      op: 'delFdb',
      fdb: { dev, mac: e.mac, ...(e.vlan !== null ? { vlan: e.vlan } : {}), master: true },
    };
    const vid = e.vlan;
    if (vid !== null && vid > 0 && portVlans.has(dev) && portVlans.get(dev)?.has(vid) !== true) {
      plan.removes.push({ op: 'addBridgeVlan', vlan: { dev, vid } }, del, { op: 'delBridgeVlan', vlan: { dev, vid } });
    } else plan.removes.push(del);
  }
  for (const f of want.values()) plan.creates.push({ op: 'replaceFdb', fdb: f });
  return plan;
}
