// Bridge VLANs on owned ports of owned bridges, and on an owned bridge itself.
// A port enslaved again in this pass (its bridge re-created) starts empty.
import type { BridgePort, BridgeVlanSpec } from '../netlink/bridge-codec.ts';
import type { DiffContext, KindPlan } from './context.ts';

const vlanKey = (dev: string, vid: number): string => `${dev}|${vid}`;

/** The VLANs the kernel holds on owned ports of owned bridges, by key. */
function ownedVlans(actual: readonly BridgePort[], ctx: DiffContext): Map<string, BridgeVlanSpec> {
  const have = new Map<string, BridgeVlanSpec>();
  for (const port of actual) {
    const dev = ctx.ownedLiveName(port.index);
    // An owned port in a bridge we do not own (the uplink's peer in the
    // provider bridge) carries the provider's VLANs: not ours to remove.
    if (dev === undefined || ctx.ownedLiveName(port.master) === undefined) continue;
    const self = port.master === port.index;
    for (const v of port.vlans)
      have.set(vlanKey(dev, v.vid), { dev, vid: v.vid, pvid: v.pvid, untagged: v.untagged, ...(self ? { self } : {}) });
  }
  return have;
}

const sameFlags = (h: BridgeVlanSpec, w: BridgeVlanSpec): boolean =>
  (h.pvid ?? false) === (w.pvid ?? false) && (h.untagged ?? false) === (w.untagged ?? false);

export function diffBridgeVlans(
  desired: readonly BridgeVlanSpec[],
  actual: readonly BridgePort[],
  ctx: DiffContext,
): KindPlan {
  const plan: KindPlan = { removes: [], creates: [] };
  const want = new Map(desired.map((v) => [vlanKey(v.dev, v.vid), v]));
  const have = ownedVlans(actual, ctx);
  for (const [k, h] of have) if (!want.has(k)) plan.removes.push({ op: 'delBridgeVlan', vlan: h });
  for (const [k, w] of want) {
    const h = have.get(k);
    if (h && !ctx.cycled.has(w.dev) && sameFlags(h, w)) continue;
    plan.creates.push({ op: 'addBridgeVlan', vlan: w });
  }
  return plan;
}
