// Folds what every node reported (EvpnNodeState status.vrfs[] / networks[]) and
// what the mirror found (its problems) into the status of one EvpnNetwork or
// EvpnVrf. Pure: the status reconciler compares the result with the live status
// and writes only when they differ.
//
// A node counts as ready for an object when its result says ready for the
// object's current generation (or carries no generation); as failing when its
// result says not ready with a reason other than Pending; otherwise as pending
// (no result yet, or a result for an older generation).
import type { EvpnNetwork, EvpnNodeState, EvpnVrf, EvpnVrfSpec, NetworkResult, VrfResult } from '../../crds/index.ts';
import {
  ConditionReason,
  ConditionType,
  DEFAULT_BACKEND,
  effectiveBackend,
  effectiveRoutingTable,
  type Backend,
} from '../../crds/index.ts';
import { setConditions, type Condition, type ConditionInput } from '../../lib/kube/conditions.ts';
import type { MirrorProblem } from '../mirror/build-desired.ts';
import {
  convergingMessage,
  convergingNodes,
  type Converging,
  type ConvergenceInput,
  type ReceivedRoutes,
} from './convergence.ts';

export const MAX_FAILING_NODES = 20;
/** The condition types this operator owns on EvpnNetwork/EvpnVrf. */
export const OWNED_CONDITIONS: readonly string[] = [
  ConditionType.Ready,
  ConditionType.Accepted,
  ConditionType.SourceDegraded,
];

export interface NodeResults {
  readonly node: string;
  readonly vtepIp?: string | undefined;
  readonly vrfs: ReadonlyMap<string, VrfResult>;
  readonly networks: ReadonlyMap<string, NetworkResult>;
}

export function indexNodeState(ns: EvpnNodeState): NodeResults {
  return {
    node: ns.spec.nodeName !== '' ? ns.spec.nodeName : ns.metadata.name,
    vtepIp: ns.status?.vtepIp,
    vrfs: new Map((ns.status?.vrfs ?? []).map((r) => [r.name, r])),
    networks: new Map((ns.status?.networks ?? []).map((r) => [r.name, r])),
  };
}

export interface FailingNode {
  node: string;
  reason: string;
  message: string;
}

export interface NodeFold {
  readonly ready: string;
  readonly readyNodes: number;
  readonly totalNodes: number;
  readonly failingNodes: FailingNode[];
  readonly condition: ConditionInput;
}

/** `N of M nodes failed: a (Reason: message), …` with the first three nodes. */
function failingMessage(failing: readonly FailingNode[], totalNodes: number): string {
  const shown = failing
    .slice(0, 3)
    .map((f) => `${f.node} (${f.reason}${f.message === '' ? '' : `: ${f.message.slice(0, 200)}`})`)
    .join(', ');
  return `${failing.length} of ${totalNodes} nodes failed: ${shown}${failing.length > 3 ? ', …' : ''}`;
}

/** A network's convergence check (convergence.ts) and the VRF whose host routes an l3 network needs. */
export type NetworkConvergence = ConvergenceInput & { readonly vrf: string | undefined };

/** What an applying node reported having received, for the convergence check. */
function receivedOf(
  n: NodeResults,
  r: VrfResult | NetworkResult,
  convergence: NetworkConvergence | undefined,
): ReceivedRoutes {
  const remoteVtepIps = 'remoteVtepIps' in r ? r.remoteVtepIps : undefined;
  const remoteHosts = convergence?.vrf === undefined ? undefined : n.vrfs.get(convergence.vrf)?.remoteHosts;
  return { node: n.node, vtepIp: n.vtepIp, remoteVtepIps, remoteHosts };
}

/** The nodes that applied the object's current generation, and the failing ones; the rest are pending. */
function sortNodes(
  kind: 'EvpnNetwork' | 'EvpnVrf',
  name: string,
  generation: number | undefined,
  nodes: readonly NodeResults[],
  convergence: NetworkConvergence | undefined,
): { applied: ReceivedRoutes[]; failing: FailingNode[] } {
  const failing: FailingNode[] = [];
  const applied: ReceivedRoutes[] = [];
  for (const n of nodes) {
    const r = kind === 'EvpnVrf' ? n.vrfs.get(name) : n.networks.get(name);
    if (r === undefined) continue;
    const current = r.generation === undefined || generation === undefined || r.generation >= generation;
    if (r.ready) {
      if (current) applied.push(receivedOf(n, r, convergence));
    } else if (r.reason !== undefined && r.reason !== ConditionReason.Pending) {
      failing.push({ node: n.node, reason: r.reason, message: (r.message ?? '').slice(0, 4096) });
    }
  }
  return { applied, failing };
}

/** The Ready condition from the node counts: no nodes, then failing, converging, all ready, else pending. */
function readyCondition(fold: {
  readonly totalNodes: number;
  readonly appliedNodes: number;
  readonly readyNodes: number;
  readonly failing: readonly FailingNode[];
  readonly converging: readonly Converging[];
  readonly observedGeneration: number | undefined;
}): ConditionInput {
  const { totalNodes, appliedNodes, readyNodes, failing, converging, observedGeneration } = fold;
  const og = observedGeneration === undefined ? {} : { observedGeneration };
  if (totalNodes === 0) {
    return {
      type: ConditionType.Ready,
      status: 'False',
      reason: ConditionReason.NoNodes,
      message: 'no node agent has reported yet',
      ...og,
    };
  }
  if (failing.length > 0) {
    return {
      type: ConditionType.Ready,
      status: 'False',
      reason: ConditionReason.NodesFailing,
      message: failingMessage(failing, totalNodes),
      ...og,
    };
  }
  if (converging.length > 0 && appliedNodes === totalNodes) {
    return {
      type: ConditionType.Ready,
      status: 'False',
      reason: ConditionReason.Converging,
      message: convergingMessage(converging, totalNodes),
      ...og,
    };
  }
  if (readyNodes === totalNodes) {
    return {
      type: ConditionType.Ready,
      status: 'True',
      reason: ConditionReason.Applied,
      message: `applied on all ${totalNodes} nodes`,
      ...og,
    };
  }
  return {
    type: ConditionType.Ready,
    status: 'False',
    reason: ConditionReason.Pending,
    message: `applied on ${readyNodes} of ${totalNodes} nodes; waiting for the others`,
    ...og,
  };
}

export function foldNodeResults(
  kind: 'EvpnNetwork' | 'EvpnVrf',
  name: string,
  generation: number | undefined,
  nodes: readonly NodeResults[],
  convergence?: NetworkConvergence,
): NodeFold {
  const { applied, failing } = sortNodes(kind, name, generation, nodes, convergence);
  // Applied is not enough: a node counts as ready once it also has the other applying nodes' routes.
  const converging = convergence === undefined ? [] : convergingNodes(applied, convergence);
  const readyNodes = applied.length - converging.length;
  failing.sort((a, b) => a.node.localeCompare(b.node));
  const totalNodes = nodes.length;
  return {
    ready: `${readyNodes}/${totalNodes}`,
    readyNodes,
    totalNodes,
    failingNodes: failing.slice(0, MAX_FAILING_NODES),
    condition: readyCondition({
      totalNodes,
      appliedNodes: applied.length,
      readyNodes,
      failing,
      converging,
      observedGeneration: generation,
    }),
  };
}

/** Accepted (and, for mirrored objects, SourceDegraded) from the mirror's problems. */
export function problemConditions(
  problems: readonly MirrorProblem[],
  mirrored: boolean,
  generation: number | undefined,
): ConditionInput[] {
  const og = generation === undefined ? {} : { observedGeneration: generation };
  const kept = problems.filter((p) => p.keptLastGood);
  const refused = problems.filter((p) => !p.keptLastGood);
  const out: ConditionInput[] = [];
  const first = refused[0];
  out.push(
    first === undefined
      ? {
          type: ConditionType.Accepted,
          status: 'True',
          reason: ConditionReason.Valid,
          message: mirrored ? 'mirrored from its OVN association' : 'no OVN association conflicts with this object',
          ...og,
        }
      : {
          type: ConditionType.Accepted,
          status: 'False',
          reason: first.reason,
          message: refused.map((p) => p.message).join('; '),
          ...og,
        },
  );
  if (mirrored) {
    const k = kept[0];
    out.push(
      k === undefined
        ? {
            type: ConditionType.SourceDegraded,
            status: 'False',
            reason: ConditionReason.SourceHealthy,
            message: 'the OVN association reads cleanly',
            ...og,
          }
        : {
            type: ConditionType.SourceDegraded,
            status: 'True',
            reason: ConditionReason.LastGoodSpecKept,
            message: kept.map((p) => p.message).join('; '),
            ...og,
          },
    );
  }
  return out;
}

function conditionsFor(
  live: readonly Condition[] | undefined,
  inputs: readonly ConditionInput[],
  now: Date,
): Condition[] {
  const ours = (live ?? []).filter((c) => OWNED_CONDITIONS.includes(c.type));
  const wanted = new Set(inputs.map((c) => c.type));
  // Start from our live conditions so lastTransitionTime survives an unchanged status.
  return setConditions(
    ours.filter((c) => wanted.has(c.type)),
    inputs,
    now,
  );
}

export interface StatusContext {
  readonly nodes: readonly NodeResults[];
  readonly problems: readonly MirrorProblem[];
  readonly mirrored: boolean;
  readonly now: Date;
  /** Networks: what Ready waits for beyond each node's own apply (absent: applied is enough). */
  readonly convergence?: NetworkConvergence;
  /** The backend of an object without spec.backend (operator --default-backend). */
  readonly defaultBackend?: Backend;
}

/** The status fields this operator owns; `undefined` values are removed from the object. */
export type DesiredStatus = Record<string, unknown>;

function commonStatus(kind: 'EvpnNetwork' | 'EvpnVrf', obj: EvpnNetwork | EvpnVrf, ctx: StatusContext): DesiredStatus {
  const generation = obj.metadata.generation;
  const fold = foldNodeResults(kind, obj.metadata.name, generation, ctx.nodes, ctx.convergence);
  const conditions = conditionsFor(
    obj.status?.conditions as Condition[] | undefined,
    [fold.condition, ...problemConditions(ctx.problems, ctx.mirrored, generation)],
    ctx.now,
  );
  return {
    observedGeneration: generation,
    conditions,
    ready: fold.ready,
    readyNodes: fold.readyNodes,
    totalNodes: fold.totalNodes,
    failingNodes: fold.failingNodes,
    backend: effectiveBackend(obj.spec, ctx.defaultBackend ?? DEFAULT_BACKEND),
  };
}

export function desiredNetworkStatus(
  net: EvpnNetwork,
  ctx: StatusContext & { readonly vrf: EvpnVrfSpec | undefined; readonly ports: number },
): DesiredStatus {
  return { ...commonStatus('EvpnNetwork', net, ctx), l3vni: ctx.vrf?.vni, ports: ctx.ports };
}

export function desiredVrfStatus(vrf: EvpnVrf, ctx: StatusContext & { readonly networkCount: number }): DesiredStatus {
  return {
    ...commonStatus('EvpnVrf', vrf, ctx),
    routingTable: effectiveRoutingTable(vrf.spec),
    networkCount: ctx.networkCount,
  };
}
