// One node pass: select (parse + cross-object checks) → FRR/kernel in the
// order node-pass-order.ts plans → the OVS uplink (after the kernel, which
// makes its veth) → FRR status read-back → this node's status.
// It holds what must outlive a pass: the VRFs FRR was last given and the FRR
// outcome shown on the status.
import type { Logger } from 'pino';
import { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../crds/index.ts';
import type { EvpnNodeState } from '../crds/index.ts';
import type { Condition } from '../lib/kube/conditions.ts';
import type { EventRecorder } from '../lib/kube/events.ts';
import type { KubeClient } from '../lib/kube/kube-client.ts';
import { errorFields, errorMessage } from '../lib/log.ts';
import type { AgentConfig } from './config.ts';
import { frrNodeSettings } from './config.ts';
import { buildFrrModel } from './frr/build-frr-model.ts';
import { prepareFrrConfig, type FrrConfig, type FrrConfigResult } from './frr/frr-config.ts';
import { FrrUnavailableError } from './frr/reload.ts';
import { rejectRefusedVrfs, selectFrrApplicable } from './frr/select-frr.ts';
import type { FrrApplier } from './frr/reload.ts';
import { vrfDevice } from './inputs/device-names.ts';
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
import type { FrrOutcome } from './status/build-node-status.ts';
import { failingCodes, NodeEventEmitter } from './status/emit-node-events.ts';
import { writeNodeStatus } from './status/write-node-status.ts';

export interface PassSummary {
  kernel: KernelPassResult;
  frr: FrrOutcome;
  /** The OVS uplink step; absent when the agent does not manage OVS. */
  ovs?: OvsOutcome;
  statusWritten: boolean;
  durationMs: number;
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
  /** VRF devices FRR was last given successfully. */
  #frrVrfs = new Set<string>();
  /** Stanzas FRR refused at the last apply: their VRFs get EVPN-006 alone (frr/select-frr.ts). */
  #frrRefused: ReadonlyMap<string, string> = new Map();
  #frrWarned: { message: string; at: number } = { message: '', at: 0 };
  #frrStatusAt = 0;
  #frrCheckAt = 0;
  #frr: FrrOutcome;
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
        else { deps.log.info({ reason: e.doubt }, 'kernel monitor doubt: listing the kernel again'); cache.invalidate(); }
      });
    }
    this.#events = deps.events === undefined ? undefined : new NodeEventEmitter(deps.events, deps.config.node.nodeName);
    this.#frr = { enabled: deps.config.frr.enabled && deps.frr !== undefined, running: false };
  }

  /** Stops feeding the kernel-state cache. */
  close(): void {
    this.#offCache?.();
  }

  async run(inputs: PassInputs): Promise<PassSummary> {
    const started = performance.now();
    const { config, kernel } = this.#d;
    const { applicable, portSets, frrConfig } = this.#select(inputs);
    const vrfNames = new Set(applicable.vrfs.map((v) => vrfDevice(v.spec.vni)));
    if (Date.now() - this.#frrCheckAt >= this.#d.config.frr.checkIntervalSeconds * 1000) await this.checkFrr();
    if (!frrConfig.ok) this.#frr = { ...this.#frr, error: `the FRR model is invalid: ${frrConfig.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}` };
    const order = planPassOrder({ frrManaged: this.#frrManaged(), frrModelValid: frrConfig.ok, frrVrfs: this.#frrVrfs, desiredVrfs: vrfNames });

    if (frrConfig.ok && order.frrBeforeKernel) await this.#applyFrr(frrConfig.config, vrfNames);
    const refusedBefore = this.#frrRefused;
    rejectRefusedVrfs(refusedBefore, applicable.vrfs, applicable.rejectedVrfs);
    const kernelInput: KernelPassInput = { vrfs: applicable.vrfs, networks: applicable.networks, portSets, rejectedVrfs: applicable.rejectedVrfs, rejectedNetworks: applicable.rejectedNetworks, ownWrites: this.ownWrites, ...(this.kernelCache ? { cache: this.kernelCache } : {}) };
    let kernelResult = await runKernelPass(kernel, config.node, { ...kernelInput, holdNewL3Vxlans: order.holdNewL3Vxlans });
    if (frrConfig.ok && order.frrAfterKernel) await this.#applyFrr(frrConfig.config, vrfNames);
    // A VRF FRR refused in this pass's apply: the second pass attributes it (EVPN-006 on it alone).
    const newlyRefused = this.#frrRefused !== refusedBefore && rejectRefusedVrfs(this.#frrRefused, applicable.vrfs, applicable.rejectedVrfs);
    if (needsSecondKernelPass(kernelResult.heldBack, this.#frr.error) || newlyRefused) kernelResult = await runKernelPass(kernel, config.node, kernelInput);
    const ovs = await this.#d.ovs?.sync(applicable.networks);
    await this.#readFrrStatus();

    const statusWritten = await this.#writeStatus(inputs, kernelResult, ovs, started);
    const summary: PassSummary = { kernel: kernelResult, frr: { ...this.#frr }, ...(ovs ? { ovs } : {}), statusWritten, durationMs: performance.now() - started };
    this.#observe(summary, applicable, portSets);
    this.#d.log.debug({ writes: kernelResult.writes, planned: kernelResult.planned, ovsWrites: ovs?.writes, ms: Math.round(summary.durationMs), statusWritten }, 'node pass done');
    return summary;
  }

  /** Parse + cross-object checks; a VRF or network FRR cannot take is left out with EVPN-006 on it alone (kernel included). */
  #select(inputs: PassInputs): { applicable: Applicable; portSets: EvpnPortSet[]; frrConfig: FrrConfigResult } {
    const { config } = this.#d;
    const vrfs = parseAll(inputs.vrfs(), EvpnVrf);
    const networks = parseAll(inputs.networks(), EvpnNetwork);
    const portSets = parseAll(inputs.portSets(), EvpnPortSet).ok.filter((p) => p.spec.nodeName === config.node.nodeName);
    const applicable = selectApplicable(vrfs.ok, networks.ok);
    for (const [k, v] of vrfs.rejected) applicable.rejectedVrfs.set(k, v);
    for (const [k, v] of networks.rejected) applicable.rejectedNetworks.set(k, v);
    if (!this.#frrManaged()) return { applicable, portSets, frrConfig: prepareFrrConfig(buildFrrModel(frrNodeSettings(config), applicable.vrfs, applicable.networks)) };
    const frrSelected = selectFrrApplicable(frrNodeSettings(config), applicable.vrfs, applicable.networks);
    applicable.vrfs = frrSelected.vrfs;
    applicable.networks = frrSelected.networks;
    for (const [k, v] of frrSelected.rejectedVrfs) applicable.rejectedVrfs.set(k, v);
    for (const [k, v] of frrSelected.rejectedNetworks) applicable.rejectedNetworks.set(k, v);
    return { applicable, portSets, frrConfig: frrSelected.config };
  }

  #observe(summary: PassSummary, { vrfs, networks }: Applicable, portSets: readonly EvpnPortSet[]): void {
    this.#d.metrics?.observePass(summary, {
      vrfs: vrfs.length, networks: networks.length, ports: portSets.reduce((n, s) => n + s.spec.ports.length, 0),
      l2Networks: networks.filter((n) => n.spec.type === 'l2').length, l3Networks: networks.filter((n) => n.spec.type === 'l3').length,
    });
  }

  #frrManaged(): boolean {
    return this.#d.frr !== undefined && this.#frr.enabled;
  }

  async #applyFrr(config: FrrConfig, vrfNames: Set<string>): Promise<void> {
    const frr = this.#d.frr;
    if (!frr || !this.#frr.enabled) return;
    try {
      const r = await frr.apply(config);
      this.#frrVrfs = vrfNames;
      this.#frrRefused = r.refused;
      this.#frr = { ...this.#frr, running: true };
      delete this.#frr.error;
      if (r.reloaded) {
        this.#frr.lastReloadTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        this.#frrStatusAt = 0;
        this.#d.metrics?.frrReloads.inc();
      }
    } catch (err: unknown) {
      this.#frr = { ...this.#frr, running: !(err instanceof FrrUnavailableError), error: errorMessage(err) };
      this.#d.metrics?.errors.inc({ code: 'EVPN-006' });
      this.#warnFrrFailure(err);
    }
  }

  /**
   * One warning per distinct failure and at most one per 10 s for the same one:
   * while FRR is down every pass (informer and kernel events included) tries
   * again, which logged a dozen identical lines a second in the e2e.
   */
  #warnFrrFailure(err: unknown): void {
    const message = errorMessage(err);
    const now = Date.now();
    if (message === this.#frrWarned.message && now - this.#frrWarned.at < 10_000) return;
    this.#frrWarned = { message, at: now };
    this.#d.log.warn({ ...errorFields(err) }, 'FRR apply failed; retrying with backoff');
  }

  /**
   * The cheap periodic FRR check (restarted daemons, lost stanzas, dropped
   * VNIs), run by the agent's timer between passes and by a pass when due: a
   * failure shows as FrrApplied False until the next pass's apply repairs it
   * (the applier then diffs against what FRR runs). True: a pass is needed.
   */
  async checkFrr(): Promise<boolean> {
    const frr = this.#d.frr;
    if (!frr || !this.#frr.enabled) return false;
    this.#frrCheckAt = Date.now();
    try {
      const r = await frr.check();
      if (r.ok) return false;
      this.#frr = { ...this.#frr, error: r.message };
      this.#frrStatusAt = 0;
      this.#d.metrics?.errors.inc({ code: 'EVPN-006' });
    } catch (err: unknown) {
      this.#frr = { ...this.#frr, running: !(err instanceof FrrUnavailableError), error: `checking FRR failed: ${errorMessage(err)}` };
    }
    return true;
  }

  async #readFrrStatus(): Promise<void> {
    const frr = this.#d.frr;
    if (!frr || !this.#frr.enabled || this.#frr.error !== undefined) return;
    if (Date.now() - this.#frrStatusAt < this.#d.config.frr.statusIntervalSeconds * 1000) return;
    try {
      this.#frr.status = await frr.readStatus();
      this.#frrStatusAt = Date.now();
    } catch (err: unknown) {
      // Not just a log line: a node whose FRR cannot be read does not look healthy.
      this.#frr = { ...this.#frr, running: !(err instanceof FrrUnavailableError), error: `reading FRR status failed: ${errorMessage(err)}` };
      this.#d.log.warn(errorFields(err), 'reading FRR status failed');
    }
  }

  async #writeStatus(inputs: PassInputs, kernel: KernelPassResult, ovs: OvsOutcome | undefined, started: number): Promise<boolean> {
    const { config, client } = this.#d;
    const current = inputs.nodeState();
    const status = buildNodeStateStatus({
      vtepIp: config.node.vtepIp, asn: config.bgp.asn, kernel, frr: this.#frr, ...(ovs ? { ovs } : {}),
      generations: statusGenerations(inputs.vrfs() as EvpnVrf[], inputs.networks() as EvpnNetwork[]),
      previous: (current?.status?.conditions ?? []) as Condition[], now: new Date(),
    });
    this.#events?.observe(status, inputs.vrfs(), inputs.networks());
    this.#d.metrics?.observeFailing(failingCodes(status));
    return writeNodeStatus(client, current, config.node.nodeName, status, started);
  }
}
