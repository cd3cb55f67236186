// Pure: what applying a manifest would change on each node, computed with the
// agent's own code: selectApplicable → renderKernelState → diffKernelState for
// the kernel, buildFrrModel → renderFrrConfig for FRR. The "before" side is the
// render of the current objects, applied exactly (simulateApplied), so the plan
// needs no access to the nodes: it shows the change the manifest causes, not
// drift a node may have.
import { defaultServerAsn } from '../../node-agent/frr/model.ts';
import { renderFrrConfig } from '../../node-agent/frr/render.ts';
import { buildFrrModel } from '../../node-agent/frr/build-frr-model.ts';
import type { KernelPlan } from '../../node-agent/kernel/diff-kernel-state.ts';
import { diffKernelState, planSize } from '../../node-agent/kernel/diff-kernel-state.ts';
import { NodeConfig } from '../../node-agent/inputs/node-config.ts';
import { renderKernelState } from '../../node-agent/kernel/render-kernel-state.ts';
import { selectApplicable } from '../../node-agent/inputs/select-applicable.ts';
import type { Rejection } from '../../node-agent/inputs/select-applicable.ts';
import { changedLinesWithContext, diffLines } from './line-diff.ts';
import type { EvpnObjects } from './objects.ts';
import { simulateApplied } from './simulate-applied.ts';

/** Stand-in VTEP for a node whose EvpnNodeState has none yet (RFC 5737 TEST-NET-1). */
export const PLACEHOLDER_VTEP = '192.0.2.1';

export interface PlanNode { name: string; vtepIp: string; asn: number; vtepKnown: boolean }

export interface ObjectChange { kind: 'EvpnVrf' | 'EvpnNetwork'; name: string; before: string; after: string }

export interface NodePlan {
  node: PlanNode;
  kernel: KernelPlan;
  frr: string[];
  objects: ObjectChange[];
}

export function nodesOf(objects: EvpnObjects, extra: EvpnObjects): PlanNode[] {
  const names = new Set<string>();
  for (const s of [...objects.nodeStates, ...extra.nodeStates]) names.add(s.metadata.name);
  for (const p of [...objects.portSets, ...extra.portSets]) names.add(p.spec.nodeName);
  const stateOf = new Map(objects.nodeStates.map((s) => [s.metadata.name, s]));
  return [...names].sort().map((name) => {
    const vtep = stateOf.get(name)?.status?.vtepIp;
    const vtepIp = vtep !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(vtep) ? vtep : PLACEHOLDER_VTEP;
    return { name, vtepIp, asn: stateOf.get(name)?.status?.asn ?? defaultServerAsn(vtepIp), vtepKnown: vtepIp !== PLACEHOLDER_VTEP };
  });
}

interface Rendered { kernel: ReturnType<typeof renderKernelState>; frr: string; verdict: Map<string, string> }

function verdicts(kind: 'EvpnVrf' | 'EvpnNetwork', names: readonly string[], rejected: ReadonlyMap<string, Rejection>): Map<string, string> {
  return new Map(names.map((n) => [`${kind}/${n}`, rejected.get(n)?.message ?? 'applied']));
}

function renderNode(node: PlanNode, objects: EvpnObjects): Rendered {
  const sel = selectApplicable(objects.vrfs, objects.networks);
  const config = NodeConfig.parse({ nodeName: node.name, vtepIp: node.vtepIp });
  const ports = objects.portSets.filter((p) => p.spec.nodeName === node.name);
  const kernel = renderKernelState(config, sel.vrfs, sel.networks, ports);
  // Node-level BGP (leaf, route reflectors) is the same on both sides and is left out.
  const frr = renderFrrConfig(buildFrrModel({ asn: node.asn, routerId: node.vtepIp }, sel.vrfs, sel.networks));
  const verdict = new Map([
    ...verdicts('EvpnVrf', objects.vrfs.map((v) => v.metadata.name), sel.rejectedVrfs),
    ...verdicts('EvpnNetwork', objects.networks.map((n) => n.metadata.name), sel.rejectedNetworks),
  ]);
  return { kernel, frr, verdict };
}

export function planNode(node: PlanNode, before: EvpnObjects, after: EvpnObjects): NodePlan {
  const was = renderNode(node, before);
  const will = renderNode(node, after);
  const kernel = diffKernelState(will.kernel.desired, simulateApplied(was.kernel.desired));
  const frr = changedLinesWithContext(diffLines(was.frr, will.frr));
  const objects: ObjectChange[] = [];
  for (const [key, verdict] of will.verdict) {
    const previous = was.verdict.get(key) ?? 'absent';
    if (previous === verdict) continue;
    const [kind = '', name = ''] = key.split('/');
    objects.push({ kind: kind as ObjectChange['kind'], name, before: previous, after: verdict });
  }
  return { node, kernel, frr, objects };
}

export function planManifest(before: EvpnObjects, after: EvpnObjects, manifest: EvpnObjects): NodePlan[] {
  const nodes = nodesOf(before, manifest);
  const list = nodes.length > 0 ? nodes : [{ name: '(any node)', vtepIp: PLACEHOLDER_VTEP, asn: defaultServerAsn(PLACEHOLDER_VTEP), vtepKnown: false }];
  return list.map((n) => planNode(n, before, after));
}

export const isEmptyPlan = (p: NodePlan): boolean => planSize(p.kernel) === 0 && p.frr.length === 0 && p.objects.length === 0;
