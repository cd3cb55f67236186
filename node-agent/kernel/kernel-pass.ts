// One level-triggered kernel pass: render (pure) → read (netlink dumps) →
// diff (pure) → apply (removes, link creates, updates, creates) → failures
// attributed to the VRFs/networks whose devices they touch (pure,
// attribute-failures.ts).
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import type { BatchFailure, KernelAdapter } from './netlink/kernel-adapter.ts';
import { describeOp } from './netlink/kernel-ops.ts';
import { attributeFailures } from './attribute-failures.ts';
import type { KernelPassResult } from './kernel-pass-result.ts';
import { holdBackNewL3Vxlans } from './hold-back.ts';
import { marksOfPlan, type OwnWrites } from './own-writes.ts';
import { readActualState, type ActualKernelState } from './actual-state.ts';
import { diffKernelState, planPhases, planSize } from './diff-kernel-state.ts';
import type { KernelPlan } from './diff-kernel-state.ts';
import type { NodeConfig } from '../inputs/node-config.ts';
import { renderKernelState } from './render-kernel-state.ts';
import type { KernelStateCache } from './state-cache.ts';
import type { Rejection } from '../inputs/select-applicable.ts';

export type { KernelPassResult } from './kernel-pass-result.ts';

/**
 * A link that is already gone when we delete it is what we wanted: deleting a
 * bridge takes its VLAN devices with it, and one veth end takes the other.
 */
const alreadyGone = (f: BatchFailure): boolean => f.op.op === 'deleteLink' && f.error.errno === 'ENODEV';

async function applyKernelPlan(kernel: KernelAdapter, plan: KernelPlan): Promise<BatchFailure[]> {
  return (await applyKernelOps(kernel, plan)).filter((f) => !alreadyGone(f));
}

/**
 * Ops applied per batch: each slice's requests, ACKs and promises die before
 * the next one is built, so a cold start's memory peak is one slice, not the
 * whole plan (the pipelining window is 64 anyway).
 */
const APPLY_SLICE = 1024;

async function applyKernelOps(kernel: KernelAdapter, plan: KernelPlan): Promise<BatchFailure[]> {
  const failed: BatchFailure[] = [];
  for (const p of planPhases(plan)) {
    // Chunked: one large group delete holds rtnl and stalls every namespace.
    if (p.phase === 'linkDeletes') {
      if (p.names.length) failed.push(...(await kernel.deleteLinks(p.names, 64)).failed);
      continue;
    }
    for (let i = 0; i < p.ops.length; i += APPLY_SLICE)
      failed.push(...(await kernel.applyBatch(p.ops.slice(i, i + APPLY_SLICE))).failed);
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
  /**
   * The kernel's state kept current from the monitors (state-cache.ts);
   * without it every pass dumps everything. With it, a pass whose inputs
   * (resourceVersions) and the cache are unchanged since a clean pass is
   * skipped outright.
   */
  cache?: KernelStateCache;
}

/**
 * What a pass's outcome depends on besides the kernel: every object's name and
 * resourceVersion, the rejections and the hold-back; undefined when an object
 * has no resourceVersion (then the pass always runs).
 */
export function inputFingerprint(input: KernelPassInput): string | undefined {
  const parts: string[] = [input.holdNewL3Vxlans === true ? 'hold' : 'all'];
  for (const list of [input.vrfs, input.networks, input.portSets] as const) {
    parts.push('|');
    for (const o of list) {
      const rv = o.metadata.resourceVersion;
      if (rv === undefined || rv === '') return undefined;
      parts.push(`${o.metadata.name}@${rv}`);
    }
  }
  for (const m of [input.rejectedVrfs, input.rejectedNetworks]) {
    parts.push('|');
    for (const [k, r] of m) parts.push(`${k}:${r.code}:${r.message}`);
  }
  return parts.join(' ');
}

export async function runKernelPass(
  kernel: KernelAdapter,
  node: NodeConfig,
  input: KernelPassInput,
): Promise<KernelPassResult> {
  const started = performance.now();
  const fingerprint = input.cache === undefined ? undefined : inputFingerprint(input);
  const same = fingerprint === undefined ? undefined : input.cache?.cleanPass(fingerprint);
  if (same !== undefined) return { ...same, writes: 0, skipped: true, durationMs: performance.now() - started };
  const writesBefore = kernel.writeCount;
  const rendered = renderKernelState(node, input.vrfs, input.networks, input.portSets);
  const actual = input.cache === undefined ? await readActualState(kernel) : await input.cache.read(kernel);
  const { desired, heldBack } =
    input.holdNewL3Vxlans === true
      ? holdBackNewL3Vxlans(rendered.desired, new Set(actual.links.map((l) => l.name)))
      : { desired: rendered.desired, heldBack: [] };
  const plan = diffKernelState(desired, actual);
  const failures = planSize(plan) > 0 ? await applyRecorded(kernel, plan, actual.links, input) : [];
  const attribution = attributeFailures({
    rendered,
    failures,
    blocked: plan.blocked,
    rejectedVrfs: input.rejectedVrfs,
    rejectedNetworks: input.rejectedNetworks,
  });
  const result: KernelPassResult = {
    ...attribution,
    writes: kernel.writeCount - writesBefore,
    failed: failures.length,
    planned: planSize(plan),
    durationMs: performance.now() - started,
    heldBack,
    changes: describeChanges(plan),
    skipped: false,
  };
  if (
    input.cache !== undefined &&
    fingerprint !== undefined &&
    result.planned === 0 &&
    result.failed === 0 &&
    heldBack.length === 0
  ) {
    input.cache.rememberCleanPass(fingerprint, result);
  }
  return result;
}

/** Applies the plan with its echoes recorded (drift watch and cache), then brings the cache up to date. */
async function applyRecorded(
  kernel: KernelAdapter,
  plan: KernelPlan,
  links: ActualKernelState['links'],
  input: KernelPassInput,
): Promise<BatchFailure[]> {
  // One set of marks for both: the drift watch and the cache each drop the echoes of these writes.
  const removed = marksOfPlan(plan, links);
  const writesDone = input.ownWrites?.begin(removed);
  const cacheWritesDone = input.cache?.beginWrites(plan, links, removed);
  const failures = await applyKernelPlan(kernel, plan);
  writesDone?.(Date.now());
  await input.cache?.afterWrites(kernel, plan, failures);
  cacheWritesDone?.(Date.now());
  return failures;
}

/** The first planned changes, in words. */
function describeChanges(plan: KernelPlan, limit = 20): string[] {
  return planPhases(plan)
    .flatMap((p) =>
      p.phase === 'linkDeletes'
        ? p.names.map((n) => `delete link ${n}`)
        : p.ops.map((op) => {
            const d = describeOp(op);
            return `${d.op} ${d.object}`;
          }),
    )
    .slice(0, limit);
}
