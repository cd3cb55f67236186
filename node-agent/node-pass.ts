// One node pass: select (parse + cross-object checks, FRR's own) → kernel and
// FRR in the order node-pass-order.ts plans → the OVS uplink (after the
// kernel, which makes its veth) → FRR status → this node's status. What FRR
// needs to outlive a pass is the FRR unit's (frr/frr-unit.ts).
import type { Logger } from 'pino';
import { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../crds/index.ts';
import type { EvpnNodeState } from '../crds/index.ts';
import type { Condition } from '../lib/kube/conditions.ts';
import type { EventRecorder } from '../lib/kube/events.ts';
import type { KubeClient } from '../lib/kube/kube-client.ts';
import type { AgentConfig } from './config.ts';
import type { FrrConfigResult } from './frr/frr-config.ts';
import { FrrUnit, type FrrOutcome } from './frr/frr-unit.ts';
import type { FrrApplier } from './frr/reload.ts';
import { splitByBackend, vrfDeviceOf, withEffectiveBackend } from './backends/ovn/backend.ts';
import { desiredChassisKeys } from './backends/ovn/chassis-keys.ts';
import { readOvnObserved, type OvnObserved } from './backends/ovn/observed.ts';
import type { OvnStatusInput } from './backends/ovn/ovn-status.ts';
import { parseAll } from './inputs/parse-resources.ts';
import { selectApplicable, type Applicable } from './inputs/select-applicable.ts';
import type { KernelAdapter } from './kernel/netlink/kernel-adapter.ts';
import { runKernelPass, type KernelPassInput, type KernelPassResult } from './kernel/kernel-pass.ts';
import { OwnWrites } from './kernel/own-writes.ts';
import type { DriftSource } from './kernel/netlink/drift-watch.ts';
import { KernelStateCache } from './kernel/state-cache.ts';
import type { AgentMetrics } from './metrics.ts';
import { needsSecondKernelPass, planPassOrder } from './node-pass-order.ts';
import type { OvsOutcome, OvsUplinkStep } from './ovs/ovs-uplink.ts';
import { buildNodeStateStatus, statusGenerations } from './status/build-node-status.ts';
import { failingCodes, NodeEventEmitter } from './status/emit-node-events.ts';
import { writeNodeStatus } from './status/write-node-status.ts';
import { readRemoteHosts } from './status/remote-hosts.ts';

export interface PassSummary {
  kernel: KernelPassResult;
  frr: FrrOutcome;
  /** The OVS uplink step; absent when the agent does not manage OVS. */
  ovs?: OvsOutcome;
  statusWritten: boolean;
  durationMs: number;
  /** A skipped FRR status read is due in this many ms (0: none skipped). */
  frrStatusDueMs?: number;
}

/** What the informers hold (unvalidated), read when the pass needs it. */
export interface PassInputs {
  vrfs(): readonly unknown[];
  networks(): readonly unknown[];
  portSets(): readonly unknown[];
  nodeState(): EvpnNodeState | undefined;
}

export interface NodePassDeps {
  config: AgentConfig;
  client: KubeClient;
  kernel: KernelAdapter;
  /** The kernel monitors: with them the pass reads a cache kept current from their events instead of dumping everything. */
  drift?: DriftSource;
  frr?: FrrApplier;
  /** Plugs the uplink's OVS end into the provider bridge; after the kernel, which creates the veth. */
  ovs?: OvsUplinkStep;
  metrics?: AgentMetrics;
  /** Events on the objects this node fails (and recovers). */
  events?: EventRecorder;
  log: Logger;
}

export class NodePass {
  readonly #d: NodePassDeps;
  readonly #frr: FrrUnit;
  /** The other nodes' VMs routed in each VRF table, read with FRR's status (same cadence); undefined: unknown. */
  #remoteHosts: Map<number, string[]> | undefined;
  /** What ovn-controller and zebra wrote for the ovn backend's networks, read with FRR's status. */
  #ovnObserved: OvnObserved | undefined;
  /** What this agent's passes wrote lately: the drift watch drops their echoes (agent.ts). */
  readonly ownWrites = new OwnWrites();
  /** The kernel's state, kept current from the drift monitors; absent without them (every pass dumps). */
  readonly kernelCache: KernelStateCache | undefined;
  readonly #offCache: (() => void) | undefined;
  readonly #events: NodeEventEmitter | undefined;

  constructor(deps: NodePassDeps) {
    this.#d = deps;
    if (deps.drift?.subscribeEvents !== undefined) {
      const cache = new KernelStateCache();
      this.kernelCache = cache;
      this.#offCache = deps.drift.subscribeEvents((e) => {
        if ('line' in e) cache.onEvent(e.line);
        else {
          deps.log.info({ reason: e.doubt }, 'kernel monitor doubt: listing the kernel again');
          cache.invalidate();
        }
      });
    }
    this.#events = deps.events === undefined ? undefined : new NodeEventEmitter(deps.events, deps.config.node.nodeName);
    this.#frr = new FrrUnit({ settings: deps.config, applier: deps.frr, metrics: deps.metrics, log: deps.log });
  }

  /** Stops feeding the kernel-state cache. */
  close(): void {
    this.#offCache?.();
  }

  async run(inputs: PassInputs): Promise<PassSummary> {
    const started = performance.now();
    await this.#frr.checkIfDue();
    const { applicable, portSets, frrConfig } = this.#select(inputs);
    const vrfNames = new Set(applicable.vrfs.map(vrfDeviceOf));
    const order = planPassOrder({
      frrManaged: this.#frr.managed,
      frrModelValid: frrConfig.ok,
      frrVrfs: this.#frr.appliedVrfs,
      desiredVrfs: vrfNames,
    });

    if (order.frrBeforeKernel) await this.#frr.apply(frrConfig, vrfNames);
    const kernelInput: KernelPassInput = {
      vrfs: applicable.vrfs,
      networks: applicable.networks,
      portSets,
      rejectedVrfs: applicable.rejectedVrfs,
      rejectedNetworks: applicable.rejectedNetworks,
      ownWrites: this.ownWrites,
      ...(this.kernelCache ? { cache: this.kernelCache } : {}),
    };
    let kernelResult = await runKernelPass(this.#d.kernel, this.#d.config.node, {
      ...kernelInput,
      holdNewL3Vxlans: order.holdNewL3Vxlans,
    });
    if (order.frrAfterKernel) {
      await this.#frr.apply(frrConfig, vrfNames);
      await this.#frr.dropRetiredVrfs();
    }
    if (needsSecondKernelPass(kernelResult.heldBack, this.#frr.error))
      kernelResult = await runKernelPass(this.#d.kernel, this.#d.config.node, kernelInput);
    const ovs = await this.#syncOvs(applicable.networks);
    const frrStatusDueMs = await this.#frr.readStatusIfDue();
    if (frrStatusDueMs === 0) await this.#readRemoteHosts();
    const ovnStatus = await this.#ovnStatus(applicable.networks, ovs, frrStatusDueMs === 0);
    // FRR's refusals are attributed here, to the objects of this pass: no second kernel pass for them.
    const frr = this.#frr.outcome(applicable);
    const refusal = this.#frr.nodeRefusalEvent(this.#d.config.node.nodeName);
    if (refusal !== undefined) this.#d.events?.record(refusal);

    const statusWritten = await this.#writeStatus(inputs, { kernel: kernelResult, frr, ovs, ovn: ovnStatus }, started);
    const summary: PassSummary = {
      kernel: kernelResult,
      frr,
      ...(ovs ? { ovs } : {}),
      statusWritten,
      durationMs: performance.now() - started,
      frrStatusDueMs,
    };
    this.#observe(summary, applicable, portSets);
    this.#d.log.debug(
      {
        writes: kernelResult.writes,
        planned: kernelResult.planned,
        ovsWrites: ovs?.writes,
        ms: Math.round(summary.durationMs),
        statusWritten,
      },
      'node pass done',
    );
    return summary;
  }

  /** The uplink carries the kernel backend's networks only (OVN carries its own in br-int); the chassis keys go in the same transaction. */
  async #syncOvs(networks: readonly EvpnNetwork[]): Promise<OvsOutcome | undefined> {
    const { vtepIp, ovn } = this.#d.config.node;
    const { kernel, ovn: onOvn } = splitByBackend(networks);
    return this.#d.ovs?.sync(kernel, desiredChassisKeys(onOvn.length > 0, vtepIp, ovn.evpnVxlanPorts));
  }

  /** The ovn backend's status input; what OVN wrote is read with FRR's status (and once at first). */
  async #ovnStatus(
    networks: readonly EvpnNetwork[],
    ovs: OvsOutcome | undefined,
    due: boolean,
  ): Promise<OvnStatusInput> {
    const ovnNetworks = splitByBackend(networks).ovn;
    if (due || this.#ovnObserved === undefined) await this.#readOvnObserved(ovnNetworks);
    return {
      networks: new Set(ovnNetworks.map((n) => n.metadata.name)),
      chassisConflict: ovs?.chassis?.conflict,
      observed: this.#ovnObserved,
    };
  }

  /** What OVN and zebra wrote for the ovn backend's networks (backends/ovn/observed.ts); a failed read leaves the counts unknown. */
  async #readOvnObserved(ovnNetworks: readonly EvpnNetwork[]): Promise<void> {
    if (ovnNetworks.length === 0) {
      this.#ovnObserved = undefined;
      return;
    }
    try {
      const vnis = ovnNetworks.flatMap((n) => (n.spec.vni === undefined ? [] : [n.spec.vni]));
      this.#ovnObserved = await readOvnObserved(this.#d.kernel, vnis);
    } catch (err: unknown) {
      this.#ovnObserved = undefined;
      this.#d.log.warn({ err }, 'reading what OVN wrote into the kernel failed');
    }
  }

  /** Only where FRR runs (nobody else installs BGP routes); a failed dump leaves Ready ungated, it does not fail the pass. */
  async #readRemoteHosts(): Promise<void> {
    if (!this.#frr.managed) return;
    try {
      this.#remoteHosts = await readRemoteHosts(this.#d.kernel);
    } catch (err: unknown) {
      this.#remoteHosts = undefined;
      this.#d.log.warn({ err }, 'reading the BGP host routes failed');
    }
  }

  /** The periodic FRR check between passes (the agent's timer). True: a pass is needed. */
  checkFrr(): Promise<boolean> {
    return this.#frr.check();
  }

  /** Parse + cross-object checks; a VRF or network FRR cannot take is left out with EVPN-006 on it alone (kernel included). */
  #select(inputs: PassInputs): { applicable: Applicable; portSets: EvpnPortSet[]; frrConfig: FrrConfigResult } {
    const vrfs = parseAll(inputs.vrfs(), EvpnVrf);
    const networks = parseAll(inputs.networks(), EvpnNetwork);
    // Each object's backend, resolved here once: every step after reads spec.backend (backends/ovn/backend.ts).
    const backend = this.#d.config.node.defaultBackend;
    vrfs.ok = vrfs.ok.map((v) => withEffectiveBackend(v, backend));
    networks.ok = networks.ok.map((n) => withEffectiveBackend(n, backend));
    const portSets = parseAll(inputs.portSets(), EvpnPortSet).ok.filter(
      (p) => p.spec.nodeName === this.#d.config.node.nodeName,
    );
    const applicable = selectApplicable(vrfs.ok, networks.ok);
    for (const [k, v] of vrfs.rejected) applicable.rejectedVrfs.set(k, v);
    for (const [k, v] of networks.rejected) applicable.rejectedNetworks.set(k, v);
    return { applicable, portSets, frrConfig: this.#frr.select(applicable) };
  }

  #observe(summary: PassSummary, { vrfs, networks }: Applicable, portSets: readonly EvpnPortSet[]): void {
    this.#d.metrics?.observePass(summary, {
      vrfs: vrfs.length,
      networks: networks.length,
      ports: portSets.reduce((n, s) => n + s.spec.ports.length, 0),
      l2Networks: networks.filter((n) => n.spec.type === 'l2').length,
      l3Networks: networks.filter((n) => n.spec.type === 'l3').length,
    });
  }

  async #writeStatus(
    inputs: PassInputs,
    outcome: { kernel: KernelPassResult; frr: FrrOutcome; ovs: OvsOutcome | undefined; ovn: OvnStatusInput },
    started: number,
  ): Promise<boolean> {
    const { config, client } = this.#d;
    const current = inputs.nodeState();
    const status = buildNodeStateStatus({
      vtepIp: config.node.vtepIp,
      asn: config.bgp.asn,
      kernel: outcome.kernel,
      frr: outcome.frr,
      ...(outcome.ovs ? { ovs: outcome.ovs } : {}),
      ovn: outcome.ovn,
      ...(this.#remoteHosts ? { remoteHosts: this.#remoteHosts } : {}),
      generations: statusGenerations(inputs.vrfs() as EvpnVrf[], inputs.networks() as EvpnNetwork[]),
      previous: (current?.status?.conditions ?? []) as Condition[],
      now: new Date(),
    });
    this.#events?.observe(status, inputs.vrfs(), inputs.networks());
    this.#d.metrics?.observeFailing(failingCodes(status));
    return writeNodeStatus(client, current, config.node.nodeName, status, started);
  }
}
