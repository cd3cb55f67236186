// One level-triggered kernel pass: render (pure) → read (netlink dumps) →
// diff (pure) → apply (removes, link creates, updates, creates) → failures
// attributed to the VRFs/networks whose devices they touch (pure,
// attribute-failures.ts).
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import type { BatchFailure, KernelAdapter } from './netlink/kernel-adapter.ts';
import { describeOp } from './netlink/kernel-ops.ts';
import { attributeFailures, type Attribution } from './attribute-failures.ts';
import { holdBackNewL3Vxlans } from './hold-back.ts';
import { marksOfPlan, type OwnWrites } from './own-writes.ts';
import { readActualState } from './actual-state.ts';
import { diffKernelState, planPhases, planSize } from './diff-kernel-state.ts';
import type { KernelPlan } from './diff-kernel-state.ts';
import type { NodeConfig } from '../inputs/node-config.ts';
import { renderKernelState } from './render-kernel-state.ts';
import type { Rejection } from '../inputs/select-applicable.ts';

export interface KernelPassResult extends Attribution {
  writes: number;
  /** Operations the kernel refused (a link already gone is not one): the pass is retried with backoff. */
  failed: number;
  planned: number;
  /** L3VNI VXLAN devices left out of this pass (see `holdNewL3Vxlans`). */
  heldBack: string[];
  /** The first planned changes, in words (for logs and for tests that expect none). */
  changes: string[];
  durationMs: number;
}

/**
 * A link that is already gone when we delete it is what we wanted: deleting a
 * bridge takes its VLAN devices with it, and one veth end takes the other.
 */
const alreadyGone = (f: BatchFailure): boolean => f.op.op === 'deleteLink' && f.error.errno === 'ENODEV';

async function applyKernelPlan(kernel: KernelAdapter, plan: KernelPlan): Promise<BatchFailure[]> {
  return (await applyKernelOps(kernel, plan)).filter((f) => !alreadyGone(f));
}

async function applyKernelOps(kernel: KernelAdapter, plan: KernelPlan): Promise<BatchFailure[]> {
  const failed: BatchFailure[] = [];
  for (const p of planPhases(plan)) {
    // Chunked: one large group delete holds rtnl and stalls every namespace.
    if (p.phase === 'linkDeletes') { if (p.names.length) failed.push(...(await kernel.deleteLinks(p.names, 64)).failed); }
    else if (p.ops.length) failed.push(...(await kernel.applyBatch(p.ops)).failed);
  }
  return failed;
}

export interface KernelPassInput {
  vrfs: EvpnVrf[];
  networks: EvpnNetwork[];
  portSets: EvpnPortSet[];
  rejectedVrfs: Map<string, Rejection>;
  rejectedNetworks: Map<string, Rejection>;
  /** Leave out L3VNI VXLAN devices that do not exist yet (see hold-back.ts). */
  holdNewL3Vxlans?: boolean;
  /** Where the pass records what it is about to delete or change, so the drift watch ignores the echoes. */
  ownWrites?: OwnWrites;
}

export async function runKernelPass(kernel: KernelAdapter, node: NodeConfig, input: KernelPassInput): Promise<KernelPassResult> {
  const started = performance.now();
  const writesBefore = kernel.writeCount;
  const rendered = renderKernelState(node, input.vrfs, input.networks, input.portSets);
  const actual = await readActualState(kernel);
  const { desired, heldBack } = input.holdNewL3Vxlans === true
    ? holdBackNewL3Vxlans(rendered.desired, new Set(actual.links.map((l) => l.name)))
    : { desired: rendered.desired, heldBack: [] };
  const plan = diffKernelState(desired, actual);
  let failures: BatchFailure[] = [];
  if (planSize(plan) > 0) {
    const writesDone = input.ownWrites?.begin(marksOfPlan(plan, actual.links));
    failures = await applyKernelPlan(kernel, plan);
    writesDone?.(Date.now());
  }
  const attribution = attributeFailures({ rendered, failures, blocked: plan.blocked, rejectedVrfs: input.rejectedVrfs, rejectedNetworks: input.rejectedNetworks });
  return {
    ...attribution,
    writes: kernel.writeCount - writesBefore, failed: failures.length, planned: planSize(plan), durationMs: performance.now() - started, heldBack,
    changes: describeChanges(plan),
  };
}

/** The first planned changes, in words. */
function describeChanges(plan: KernelPlan, limit = 20): string[] {
  return planPhases(plan).flatMap((p) => (p.phase === 'linkDeletes'
    ? p.names.map((n) => `delete link ${n}`)
    : p.ops.map((op) => { const d = describeOp(op); return `${d.op} ${d.object}`; }))).slice(0, limit);
}
