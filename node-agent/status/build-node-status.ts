// Pure: one pass's outcome → the EvpnNodeState status. Volatile fields (sync
// time, duration) are added only when something else changed, so a steady
// node writes nothing.
import {
  ConditionReason,
  ConditionType,
  EvpnErrorCode,
  REMOTE_HOSTS_MAX,
  REMOTE_VTEPS_MAX,
  effectiveRoutingTable,
} from '../../crds/index.ts';
import type { EvpnNetwork, EvpnNodeStateStatus, EvpnVrf, NetworkResult, VrfResult } from '../../crds/index.ts';
import { setConditions } from '../../lib/kube/conditions.ts';
import type { Condition, ConditionInput } from '../../lib/kube/conditions.ts';
import type { FrrOutcome } from '../frr/frr-unit.ts';
import type { ObjectOutcome } from '../kernel/attribute-failures.ts';
import type { KernelPassResult } from '../kernel/kernel-pass.ts';
import { vrfDevice } from '../inputs/device-names.ts';
import { ovnEvpnVrfDevice } from '../../crds/index.ts';
import type { OvsOutcome } from '../ovs/ovs-uplink.ts';
import { ovsConditions, withOvs } from './ovs-status.ts';
import { withOvnBackend, type OvnStatusInput } from '../backends/ovn/ovn-status.ts';

export interface NodeStatusInput {
  vtepIp: string;
  asn: number;
  kernel: KernelPassResult;
  frr: FrrOutcome;
  /** The OVS uplink step's outcome; absent when the agent does not manage OVS. */
  ovs?: OvsOutcome;
  /** The ovn backend's networks and what OVN wrote for them (backends/ovn/ovn-status.ts). */
  ovn?: OvnStatusInput;
  /** Routing table → the other nodes' VMs routed there by BGP (remote-hosts.ts); absent: unknown. */
  remoteHosts?: ReadonlyMap<number, readonly string[]>;
  generations: {
    vrfs: Map<string, { generation: number | undefined; vni: number; table?: number }>;
    networks: Map<string, { generation: number | undefined; vni?: number; vlanId?: number }>;
  };
  previous: readonly Condition[];
  now: Date;
}

const trim = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** What the operator's Ready waits on; over the cap it is left out, so Ready does not wait on a partial list. */
const capped = (list: readonly string[] | null | undefined, max: number): string[] | undefined =>
  list === null || list === undefined || list.length > max ? undefined : [...list];

function frrError(frr: FrrOutcome): string | undefined {
  if (!frr.enabled) return undefined;
  return frr.error ?? (frr.running ? undefined : 'FRR is not running');
}

function kernelCondition(
  kernel: KernelPassResult,
  failing: readonly (VrfResult | NetworkResult)[],
  kernelOk: boolean,
): ConditionInput {
  if (kernel.unsupported !== undefined) {
    return {
      type: ConditionType.KernelApplied,
      status: 'False',
      reason: ConditionReason.KernelUnsupported,
      message: `${EvpnErrorCode.Infrastructure}: ${kernel.unsupported}`,
    };
  }
  if (kernelOk)
    return {
      type: ConditionType.KernelApplied,
      status: 'True',
      reason: ConditionReason.Applied,
      message: 'kernel state matches the desired state',
    };
  const errors = [...kernel.nodeErrors, ...failing.map((f) => `${f.name}: ${f.message ?? ''}`)].slice(0, 5);
  return {
    type: ConditionType.KernelApplied,
    status: 'False',
    reason: ConditionReason.InfrastructureFailed,
    message: `${EvpnErrorCode.Infrastructure}: ${errors.join('; ')}`,
  };
}

function frrCondition(frr: FrrOutcome, frrErr: string | undefined): ConditionInput {
  if (!frr.enabled)
    return {
      type: ConditionType.FrrApplied,
      status: 'Unknown',
      reason: 'Disabled',
      message: 'FRR is not managed by this agent',
    };
  if (frrErr === undefined)
    return {
      type: ConditionType.FrrApplied,
      status: 'True',
      reason: ConditionReason.Applied,
      message: 'FRR runs the rendered configuration',
    };
  return {
    type: ConditionType.FrrApplied,
    status: 'False',
    reason: frr.running ? ConditionReason.FrrFailed : ConditionReason.FrrUnavailable,
    message: `${EvpnErrorCode.Frr}: ${frrErr}`,
  };
}

/** KernelApplied, FrrApplied and Ready from the per-object results. */
function nodeConditions(
  input: NodeStatusInput,
  results: readonly (VrfResult | NetworkResult)[],
  frrErr: string | undefined,
): Condition[] {
  const { kernel, frr } = input;
  const vrfCount = input.kernel.vrfs.size;
  const networkCount = input.kernel.networks.size;
  const failing = results.filter((r) => !r.ready);
  const kernelOk =
    kernel.unsupported === undefined &&
    kernel.nodeErrors.length === 0 &&
    failing.every((f) => f.reason !== 'InfrastructureFailed');
  const ovsOk = input.ovs?.applied ?? true;
  return setConditions(
    input.previous,
    [
      ...ovsConditions(input.ovs),
      kernelCondition(kernel, failing, kernelOk),
      frrCondition(frr, frrErr),
      failing.length === 0 && kernelOk && ovsOk && frrErr === undefined
        ? {
            type: ConditionType.Ready,
            status: 'True',
            reason: ConditionReason.Applied,
            message: `${vrfCount} VRFs and ${networkCount} networks applied`,
          }
        : {
            type: ConditionType.Ready,
            status: 'False',
            reason: failing.length ? ConditionReason.NodesFailing : ConditionReason.InfrastructureFailed,
            message: `${failing.length} of ${vrfCount + networkCount} objects not applied${ovsOk ? '' : `; ${input.ovs?.error ?? 'Open vSwitch not applied'}`}`,
          },
    ],
    input.now,
  );
}

type ObjectVerdict = Pick<ObjectOutcome, 'ready' | 'reason' | 'code' | 'message'>;

/** An object's own refused FRR lines first (it fails alone), then the node's FRR failure (every object). */
function withFrr(o: ObjectOutcome, refused: FrrOutcome['rejectedVrfs'], frrErr: string | undefined): ObjectVerdict {
  if (!o.ready) return o;
  const own = refused?.get(o.name);
  if (own !== undefined) return { ready: false, reason: own.reason, code: own.code, message: own.message };
  if (frrErr === undefined) return o;
  return {
    ready: false,
    reason: ConditionReason.FrrFailed,
    code: EvpnErrorCode.Frr,
    message: `${EvpnErrorCode.Frr}: ${frrErr}`,
  };
}

/** One entry per VRF the kernel pass saw, sorted by name, with its L3VNI state from FRR. */
function buildVrfResults(input: NodeStatusInput, frrErr: string | undefined): VrfResult[] {
  const { kernel, frr } = input;
  const frrVrfs = new Map((frr.status?.vrfs ?? []).map((v) => [v.vrf, v]));
  return [...kernel.vrfs.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((o) => {
      const g = input.generations.vrfs.get(o.name);
      // Either backend's VRF device: FRR has at most one of them for the VNI.
      const fv = g ? (frrVrfs.get(vrfDevice(g.vni)) ?? frrVrfs.get(ovnEvpnVrfDevice(g.vni))) : undefined;
      const r = withFrr(o, frr.rejectedVrfs, frrErr);
      return trim({
        name: o.name,
        generation: g?.generation,
        vni: g?.vni,
        ready: r.ready,
        reason: r.reason,
        code: r.code,
        message: r.message,
        devices: o.devices.length ? o.devices : undefined,
        routingTable: g?.table,
        l3vniUp: frr.enabled && fv ? fv.state.toLowerCase() === 'up' : undefined,
        remoteHosts:
          input.remoteHosts === undefined || g?.table === undefined
            ? undefined
            : capped(input.remoteHosts.get(g.table) ?? [], REMOTE_HOSTS_MAX),
      });
    });
}

/** One entry per network the kernel pass saw, sorted by name, with its VNI's EVPN state from FRR. */
function buildNetworkResults(input: NodeStatusInput, frrErr: string | undefined): NetworkResult[] {
  const { kernel, frr } = input;
  const vnis = new Map((frr.status?.vnis ?? []).map((v) => [v.vni, v]));
  return [...kernel.networks.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((o) => {
      const g = input.generations.networks.get(o.name);
      const fv = g?.vni !== undefined ? vnis.get(g.vni) : undefined;
      const seen = withOvnBackend(o, input.ovn, g?.vni);
      const r = withFrr(withOvs(seen, input.ovs), frr.rejectedNetworks, frrErr);
      return trim({
        name: o.name,
        generation: g?.generation,
        vni: g?.vni,
        ready: r.ready,
        reason: r.reason,
        code: r.code,
        message: r.message,
        devices: o.devices.length ? o.devices : undefined,
        vlanId: g?.vlanId,
        localPorts: o.localPorts,
        fdbEntries: seen.fdbEntries,
        neighbors: seen.neighbors,
        routes: o.routes,
        remoteVteps: fv?.remoteVteps ?? undefined,
        macIpRoutes: fv?.macIpRoutes,
        remoteVtepIps: capped(
          fv?.floodVteps.filter((ip) => ip !== input.vtepIp),
          REMOTE_VTEPS_MAX,
        ),
      });
    });
}

/** The node's FRR block; absent when the agent does not manage FRR. */
function summarizeFrr(frr: FrrOutcome, frrErr: string | undefined): EvpnNodeStateStatus['frr'] {
  if (!frr.enabled) return undefined;
  const evpnPeers = frr.status?.evpnPeers ?? [];
  return trim({
    running: frr.running,
    configHash: frr.configHash?.slice(0, 16),
    lastReloadTime: frr.lastReloadTime,
    peersEstablished: frr.status ? evpnPeers.filter((p) => p.established).length : undefined,
    peersTotal: frr.status ? evpnPeers.length : undefined,
    message: frrErr,
  });
}

export function buildNodeStateStatus(input: NodeStatusInput): EvpnNodeStateStatus {
  const frrErr = frrError(input.frr);
  const vrfs = buildVrfResults(input, frrErr);
  const networks = buildNetworkResults(input, frrErr);
  const conditions = nodeConditions(input, [...vrfs, ...networks], frrErr);
  return trim({
    vtepIp: input.vtepIp,
    asn: input.asn,
    conditions: conditions.map((c) => trim({ ...c })),
    frr: summarizeFrr(input.frr, frrErr),
    vrfs,
    networks,
  });
}

type VrfLike = { metadata: { name: string; generation?: number | undefined }; spec: EvpnVrf['spec'] };
type NetworkLike = { metadata: { name: string; generation?: number | undefined }; spec: EvpnNetwork['spec'] };

/** Generation and numbers of every watched object, valid or not, for its status entry. */
export function statusGenerations(
  vrfs: readonly VrfLike[],
  networks: readonly NetworkLike[],
): NodeStatusInput['generations'] {
  return {
    vrfs: new Map(
      vrfs.map((v) => [
        v.metadata.name,
        { generation: v.metadata.generation, vni: v.spec.vni, table: effectiveRoutingTable(v.spec) },
      ]),
    ),
    networks: new Map(
      networks.map((n) => [
        n.metadata.name,
        {
          generation: n.metadata.generation,
          ...(n.spec.vni !== undefined ? { vni: n.spec.vni } : {}),
          ...(n.spec.vlanId !== undefined ? { vlanId: n.spec.vlanId } : {}),
        },
      ]),
    ),
  };
}
