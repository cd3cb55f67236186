// Pure: one pass of the uplink step over a database view: render the port,
// diff it against the view, and check the bridge for loop risks.
import type { EvpnNetwork } from '../../crds/index.ts';
import { currentUplinkBridge, diffUplink, type UplinkDiff } from './diff-uplink.ts';
import { findLoopRisks, type LoopRisk } from './loop-risk.ts';
import { parseBridgeMappings, type OvsView } from './ovs-view.ts';
import { renderUplink, type UplinkPlan } from './render-uplink.ts';

export interface UplinkPassPlan extends UplinkPlan, UplinkDiff {
  loopRisks: LoopRisk[];
}

export function planUplinkPass(view: OvsView, networks: readonly EvpnNetwork[], portName: string): UplinkPassPlan {
  const plan = renderUplink({
    networks,
    portName,
    mappings: parseBridgeMappings(view.bridgeMappings),
    bridges: new Set(view.bridges.map((b) => b.name)),
    currentBridge: currentUplinkBridge(view, portName),
  });
  const diff = diffUplink(plan.port, view, portName);
  const loopRisks = plan.port === undefined ? [] : findLoopRisks(view, plan.port.bridge, plan.port.trunks);
  return { ...plan, ...diff, loopRisks };
}
