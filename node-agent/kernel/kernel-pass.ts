// One level-triggered kernel pass: render (pure) → read (netlink dumps) →
// diff (pure) → apply (removes, link creates, updates, creates). Failures are
// attributed to the VRFs/networks whose devices they touch, so one broken
// object never hides the others' success.
import { EvpnErrorCode } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import type { BatchFailure, KernelAdapter } from './netlink/kernel-adapter.ts';
import { describeOp } from './netlink/kernel-ops.ts';
import { ownerAlias } from './ownership.ts';
import type { KernelOp } from './netlink/kernel-ops.ts';
import { readActualState } from './actual-state.ts';
import { diffKernelState, planSize } from './diff-kernel-state.ts';
import type { KernelPlan } from './diff-kernel-state.ts';
import type { NodeConfig } from '../inputs/node-config.ts';
import { renderKernelState } from './render-kernel-state.ts';
import type { PlannedObject } from './render-kernel-state.ts';
import type { Rejection } from '../inputs/select-applicable.ts';

export interface ObjectOutcome extends PlannedObject {
  ready: boolean;
  reason?: string;
  message?: string;
}

export interface KernelPassResult {
  vrfs: Map<string, ObjectOutcome>;
  networks: Map<string, ObjectOutcome>;
  /** Failures that belong to no single object (shared bridge, uplink). */
  nodeErrors: string[];
  /** True when the kernel lacks a needed feature (e.g. no VRF module). */
  unsupported?: string;
  writes: number;
  planned: number;
  /** L3VNI VXLAN devices left out of this pass (see `holdNewL3Vxlans`). */
  heldBack: string[];
  /** The first planned changes, in words (for logs and for tests that expect none). */
  changes: string[];
  durationMs: number;
}

function devicesOf(op: KernelOp): string[] {
  switch (op.op) {
    case 'createLink': return [op.link.name, ...(op.link.master !== undefined ? [op.link.master] : [])];
    case 'setLink': case 'deleteLink': return [op.name];
    case 'addAddr': case 'replaceAddr': case 'delAddr': return [op.addr.dev];
    case 'addRoute': case 'replaceRoute': case 'delRoute': return op.route.dev !== undefined ? [op.route.dev] : [];
    case 'replaceNeighbor': case 'delNeighbor': return [op.neighbor.dev];
    case 'addFdb': case 'replaceFdb': case 'appendFdb': case 'delFdb': return [op.fdb.dev];
    case 'addBridgeVlan': case 'delBridgeVlan': return [op.vlan.dev];
    case 'setBridgePort': return [op.port.dev];
  }
}

/**
 * A link that is already gone when we delete it is what we wanted: deleting a
 * bridge takes its VLAN devices with it, and one veth end takes the other.
 */
const alreadyGone = (f: BatchFailure): boolean => f.op.op === 'deleteLink' && f.error.errno === 'ENODEV';

export async function applyKernelPlan(kernel: KernelAdapter, plan: KernelPlan): Promise<BatchFailure[]> {
  return (await applyKernelOps(kernel, plan)).filter((f) => !alreadyGone(f));
}

async function applyKernelOps(kernel: KernelAdapter, plan: KernelPlan): Promise<BatchFailure[]> {
  const failed: BatchFailure[] = [];
  // Chunked: one large group delete holds rtnl and stalls every namespace.
  if (plan.linkDeletes.length) failed.push(...(await kernel.deleteLinks(plan.linkDeletes, 64)).failed);
  for (const ops of [plan.removes, plan.linkCreates, plan.updates, plan.creates]) {
    if (ops.length) failed.push(...(await kernel.applyBatch(ops)).failed);
  }
  return failed;
}

export async function runKernelPass(
  kernel: KernelAdapter, node: NodeConfig,
  input: {
    vrfs: EvpnVrf[]; networks: EvpnNetwork[]; portSets: EvpnPortSet[]; rejectedVrfs: Map<string, Rejection>; rejectedNetworks: Map<string, Rejection>;
    /**
     * Leave out L3VNI VXLAN devices that do not exist yet. zebra (with
     * advertise-all-vni) makes every VXLAN device it sees before FRR has
     * `vrf X / vni N` an L2VNI; bgpd then imports type-2 routes carrying the
     * VRF's route target (`AS:N` matches the L2VNI's auto RT `*:N`) into it,
     * zebra installs the remote VMs' MACs on vx3-N and never gets the VRF's
     * router MACs: routed traffic over the L3VNI dies (seen end to end). The
     * agent creates them in a second pass, once FRR has the VNI.
     */
    holdNewL3Vxlans?: boolean;
  },
): Promise<KernelPassResult> {
  const started = performance.now();
  const writesBefore = kernel.writeCount;
  const rendered = renderKernelState(node, input.vrfs, input.networks, input.portSets);
  const actual = await readActualState(kernel);
  const heldBack: string[] = [];
  if (input.holdNewL3Vxlans === true) {
    const present = new Set(actual.links.map((l) => l.name));
    const l3vxlan = ownerAlias('l3vni-vxlan');
    for (const l of rendered.desired.links) if (l.kind === 'vxlan' && l.alias === l3vxlan && !present.has(l.name)) heldBack.push(l.name);
    const held = new Set(heldBack);
    rendered.desired.links = rendered.desired.links.filter((l) => !held.has(l.name));
    rendered.desired.portFlags = rendered.desired.portFlags.filter((f) => !held.has(f.dev));
  }
  const plan = diffKernelState(rendered.desired, actual);
  const failures = planSize(plan) > 0 ? await applyKernelPlan(kernel, plan) : [];

  const owners = new Map<string, { kind: 'vrf' | 'network'; name: string }[]>();
  const addOwner = (dev: string, o: { kind: 'vrf' | 'network'; name: string }): void => { owners.set(dev, [...(owners.get(dev) ?? []), o]); };
  for (const [name, v] of rendered.vrfs) for (const d of v.devices) addOwner(d, { kind: 'vrf', name });
  for (const [name, n] of rendered.networks) for (const d of n.devices) addOwner(d, { kind: 'network', name });

  const errors = new Map<string, string[]>();
  const nodeErrors: string[] = [];
  let unsupported: string | undefined;
  for (const f of failures) {
    const message = f.error.message;
    if (f.error.errno === 'EOPNOTSUPP' && f.op.op === 'createLink') unsupported = message;
    const objs = devicesOf(f.op).flatMap((d) => owners.get(d) ?? []);
    if (objs.length === 0) nodeErrors.push(message);
    for (const o of objs) errors.set(`${o.kind}/${o.name}`, [...(errors.get(`${o.kind}/${o.name}`) ?? []), message]);
  }
  for (const name of plan.blocked) {
    const objs = owners.get(name) ?? [];
    const message = `a link named ${name} exists and is not owned by ovn-evpn; it is left alone`;
    if (objs.length === 0) nodeErrors.push(message);
    for (const o of objs) errors.set(`${o.kind}/${o.name}`, [...(errors.get(`${o.kind}/${o.name}`) ?? []), message]);
  }

  const outcome = (kind: 'vrf' | 'network', p: PlannedObject): ObjectOutcome => {
    const errs = [...(errors.get(`${kind}/${p.name}`) ?? []), ...nodeErrors];
    return errs.length === 0
      ? { ...p, ready: true }
      : { ...p, ready: false, reason: 'InfrastructureFailed', message: `${EvpnErrorCode.Infrastructure}: ${errs.slice(0, 3).join('; ')}${errs.length > 3 ? ` (+${errs.length - 3} more)` : ''}` };
  };
  const rejected = (name: string, r: Rejection): ObjectOutcome => ({ name, devices: [], ready: false, reason: r.reason, message: r.message });
  const vrfs = new Map<string, ObjectOutcome>([...rendered.vrfs].map(([k, v]) => [k, outcome('vrf', v)]));
  for (const [k, r] of input.rejectedVrfs) vrfs.set(k, rejected(k, r));
  const networks = new Map<string, ObjectOutcome>([...rendered.networks].map(([k, v]) => [k, outcome('network', v)]));
  for (const [k, r] of input.rejectedNetworks) networks.set(k, rejected(k, r));
  return {
    vrfs, networks, nodeErrors, ...(unsupported !== undefined ? { unsupported } : {}),
    writes: kernel.writeCount - writesBefore, planned: planSize(plan), durationMs: performance.now() - started, heldBack,
    changes: [
      ...plan.linkDeletes.map((n) => `delete link ${n}`),
      ...[...plan.removes, ...plan.linkCreates, ...plan.updates, ...plan.creates].map((op) => { const d = describeOp(op); return `${d.op} ${d.object}`; }),
    ].slice(0, 20),
  };
}
