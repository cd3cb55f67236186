// Pure: what each node would change to reach the cluster's objects (with a
// manifest applied on top), computed with the agent's own code:
// selectApplicable → renderKernelState → diffKernelState for the kernel,
// buildFrrModel → renderFrrConfig for FRR. The "before" side is what the node
// reports it applied in its EvpnNodeState (node-actual.ts), rendered and taken
// as applied exactly (simulateApplied) plus the devices it reports that the
// rebuilt objects do not render, so deletions (objects gone from the cluster,
// changed VNIs) and objects the node failed show up per node; FRR lines of
// gone objects the rebuild cannot render come from gone-frr.ts.
import { defaultServerAsn } from '../../node-agent/frr/model.ts';
import { renderFrrConfig } from '../../node-agent/frr/render.ts';
import { buildFrrModel } from '../../node-agent/frr/build-frr-model.ts';
import type { KernelPlan } from '../../node-agent/kernel/diff-kernel-state.ts';
import { diffKernelState, planSize } from '../../node-agent/kernel/diff-kernel-state.ts';
import { NodeConfig } from '../../node-agent/inputs/node-config.ts';
import { renderKernelState } from '../../node-agent/kernel/render-kernel-state.ts';
import { selectApplicable } from '../../node-agent/inputs/select-applicable.ts';
import type { Rejection } from '../../node-agent/inputs/select-applicable.ts';
import type { Link } from '../../node-agent/kernel/netlink/link-codec.ts';
import { OWNED_LINK_GROUP, ownerAlias } from '../../node-agent/kernel/ownership.ts';
import { goneFrrLines } from './gone-frr.ts';
import { changedLinesWithContext, diffLines } from './line-diff.ts';
import { actualOf, type NodeActual } from './node-actual.ts';
import type { EvpnObjects } from './objects.ts';
import { simulateApplied } from './simulate-applied.ts';

/** Stand-in VTEP for a node whose EvpnNodeState has none yet (RFC 5737 TEST-NET-1). */
export const PLACEHOLDER_VTEP = '192.0.2.1';

export interface PlanNode {
  name: string;
  vtepIp: string;
  asn: number;
  vtepKnown: boolean;
}

export interface ObjectChange {
  kind: 'EvpnVrf' | 'EvpnNetwork';
  name: string;
  before: string;
  after: string;
}

/** What the "before" side is: the node's EvpnNodeState, or nothing (a node that never reported). */
export interface PlanBasis {
  reported: boolean;
  lastSyncTime?: string;
  notes: string[];
}

export interface NodePlan {
  node: PlanNode;
  basis: PlanBasis;
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
    return {
      name,
      vtepIp,
      asn: stateOf.get(name)?.status?.asn ?? defaultServerAsn(vtepIp),
      vtepKnown: vtepIp !== PLACEHOLDER_VTEP,
    };
  });
}

interface Rendered {
  kernel: ReturnType<typeof renderKernelState>;
  frr: string;
  verdict: Map<string, string>;
}

function verdicts(
  kind: 'EvpnVrf' | 'EvpnNetwork',
  names: readonly string[],
  rejected: ReadonlyMap<string, Rejection>,
): Map<string, string> {
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
    ...verdicts(
      'EvpnVrf',
      objects.vrfs.map((v) => v.metadata.name),
      sel.rejectedVrfs,
    ),
    ...verdicts(
      'EvpnNetwork',
      objects.networks.map((n) => n.metadata.name),
      sel.rejectedNetworks,
    ),
  ]);
  return { kernel, frr, verdict };
}

/** A device the node reports but the rebuilt objects do not render: an owned link of the kind its name says (`vx-`: an older agent's L2VNI device). */
function reportedLink(name: string, index: number): Link {
  const kind = name.startsWith('vrf-')
    ? 'vrf'
    : name.startsWith('br3-')
      ? 'bridge'
      : /^(vx3|vxlan|vx)-/.test(name)
        ? 'vxlan'
        : name.startsWith('lo3-')
          ? 'dummy'
          : name.includes('.')
            ? 'vlan'
            : null;
  return {
    index,
    name,
    kind,
    slaveKind: null,
    mtu: 1500,
    address: null,
    master: null,
    link: null,
    linkNetnsId: null,
    alias: ownerAlias(`reported by the node: ${name}`),
    group: OWNED_LINK_GROUP,
    up: true,
    operstate: 'up',
  };
}

export function planNode(node: PlanNode, actual: NodeActual, after: EvpnObjects): NodePlan {
  const was = renderNode(node, actual.objects);
  const will = renderNode(node, after);
  const before = simulateApplied(was.kernel.desired);
  const rendered = new Set(before.links.map((l) => l.name));
  for (const d of actual.extraDevices)
    if (!rendered.has(d)) before.links.push(reportedLink(d, before.links.length + 1));
  const kernel = diffKernelState(will.kernel.desired, before);
  const stays = (kind: 'EvpnVrf' | 'EvpnNetwork', name: string): boolean => will.verdict.has(`${kind}/${name}`);
  const gone = goneFrrLines(
    {
      vrfs: actual.objects.vrfs.filter((v) => !stays('EvpnVrf', v.metadata.name)),
      networks: actual.objects.networks.filter((n) => !stays('EvpnNetwork', n.metadata.name)),
    },
    node.asn,
    was.frr,
  );
  const frr = [...changedLinesWithContext(diffLines(was.frr, will.frr)), ...gone.lines];
  const objects: ObjectChange[] = [];
  for (const key of new Set([...actual.verdicts.keys(), ...will.verdict.keys()])) {
    const previous = actual.verdicts.get(key) ?? 'absent';
    const verdict = will.verdict.get(key) ?? 'absent';
    if (previous === verdict) continue;
    const [kind = '', name = ''] = key.split('/');
    objects.push({ kind: kind as ObjectChange['kind'], name, before: previous, after: verdict });
  }
  const basis: PlanBasis = {
    reported: actual.reported,
    ...(actual.lastSyncTime === undefined ? {} : { lastSyncTime: actual.lastSyncTime }),
    notes: [...actual.notes, ...gone.notes],
  };
  return { node, basis, kernel, frr, objects };
}

/** Each node's plan from what it reports applied (`before`'s EvpnNodeStates) to `after`. */
export function planManifest(before: EvpnObjects, after: EvpnObjects, manifest: EvpnObjects): NodePlan[] {
  const nodes = nodesOf(before, manifest);
  const stateOf = new Map(before.nodeStates.map((s) => [s.metadata.name, s]));
  const list =
    nodes.length > 0
      ? nodes
      : [{ name: '(any node)', vtepIp: PLACEHOLDER_VTEP, asn: defaultServerAsn(PLACEHOLDER_VTEP), vtepKnown: false }];
  return list.map((n) => planNode(n, actualOf(n.name, stateOf.get(n.name), before), after));
}

export const isEmptyPlan = (p: NodePlan): boolean =>
  planSize(p.kernel) === 0 && p.frr.length === 0 && p.objects.length === 0;
