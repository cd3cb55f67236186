// The node agent: watches EvpnVrf, EvpnNetwork and this node's EvpnPortSets,
// and runs one level-triggered pass for the whole node (bursts coalesce into
// one pass through the work queue): kernel (render → dump → diff → apply),
// FRR (render → reload only when the text changed), then this node's
// EvpnNodeState, written only when it changed. Kernel drift (netlink monitor)
// and a periodic resync enqueue the same pass.
import type { Logger } from 'pino';
import { AGENT_FIELD_MANAGER, EvpnNetwork, EvpnPortSet, EvpnVrf, Label, effectiveRoutingTable } from '../crds/index.ts';
import type { EvpnNodeState, EvpnNodeStateStatus } from '../crds/index.ts';
import { labelValueOf } from '../crds/labels.ts';
import { evpnResources } from '../crds/resources.ts';
import { WorkQueue } from '../lib/controller/work-queue.ts';
import { applyObject, applyStatus, statusNeedsWrite } from '../lib/kube/apply.ts';
import type { Condition } from '../lib/kube/conditions.ts';
import { Informer } from '../lib/kube/informer.ts';
import type { KubeClient } from '../lib/kube/kube-client.ts';
import { errorFields } from '../lib/log.ts';
import type { AgentConfig } from './config.ts';
import { frrNodeSettings } from './config.ts';
import { buildFrrModel } from './frr/build-frr-model.ts';
import { validateFrrModel } from './frr/model.ts';
import { FrrUnavailableError } from './frr/reload.ts';
import type { FrrApplier } from './frr/reload.ts';
import type { KernelAdapter } from './kernel/netlink/kernel-adapter.ts';
import type { DriftSource } from './kernel/netlink/drift-watch.ts';
import { vrfDevice } from './inputs/device-names.ts';
import { selectApplicable } from './inputs/select-applicable.ts';
import type { Rejection } from './inputs/select-applicable.ts';
import { runKernelPass } from './kernel/kernel-pass.ts';
import type { KernelPassResult } from './kernel/kernel-pass.ts';
import { buildNodeStateStatus } from './status/build-node-status.ts';
import type { FrrOutcome } from './status/build-node-status.ts';
import type { AgentMetrics } from './metrics.ts';

const NODE_KEY = 'node';

export interface AgentDeps {
  config: AgentConfig;
  client: KubeClient;
  kernel: KernelAdapter;
  /** Tells the agent that something was deleted behind its back. */
  drift?: DriftSource;
  frr?: FrrApplier;
  metrics?: AgentMetrics;
  log: Logger;
}

export interface PassSummary {
  kernel: KernelPassResult;
  frr: FrrOutcome;
  statusWritten: boolean;
  durationMs: number;
}

type Parsed<T> = { ok: T[]; rejected: Map<string, Rejection> };

function parseAll<T>(items: readonly unknown[], schema: { safeParse(x: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }): Parsed<T> {
  const ok: T[] = [];
  const rejected = new Map<string, Rejection>();
  for (const item of items) {
    const r = schema.safeParse(item);
    if (r.success) { ok.push(r.data); continue; }
    const name = (item as { metadata?: { name?: string } }).metadata?.name ?? '?';
    const message = r.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ');
    const code = /EVPN-00\d/.exec(message)?.[0] ?? 'EVPN-002';
    rejected.set(name, { code, reason: 'InvalidSpec', message: message.startsWith('EVPN-') ? message : `${code}: ${message}` });
  }
  return { ok, rejected };
}

export class NodeAgent {
  readonly #d: AgentDeps;
  readonly #vrfs: Informer;
  readonly #networks: Informer;
  readonly #portSets: Informer;
  readonly #self: Informer;
  readonly #queue: WorkQueue;
  #resyncTimer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #frrVrfs = new Set<string>();
  #frrStatusAt = 0;
  #frr: FrrOutcome;
  #last: PassSummary | undefined;
  #passWaiters: ((s: PassSummary) => void)[] = [];
  /** Passes wait until every informer has synced and our EvpnNodeState exists. */
  #started = false;

  constructor(deps: AgentDeps) {
    this.#d = deps;
    const { client, log, config } = deps;
    this.#vrfs = new Informer({ client, resource: evpnResources.vrfs, log });
    this.#networks = new Informer({ client, resource: evpnResources.networks, log });
    this.#portSets = new Informer({ client, resource: evpnResources.portSets, labelSelector: `${Label.Node}=${labelValueOf(config.node.nodeName)}`, log });
    this.#self = new Informer({ client, resource: evpnResources.nodeStates, fieldSelector: `metadata.name=${config.node.nodeName}`, log });
    this.#frr = { enabled: config.frr.enabled && deps.frr !== undefined, running: false };
    this.#queue = new WorkQueue({
      process: async () => {
        if (!this.#started) return;
        try {
          const summary = await this.#pass();
          this.#queue.forget(NODE_KEY);
          for (const w of this.#passWaiters.splice(0)) w(summary);
          if (summary.frr.enabled && summary.frr.error !== undefined) this.#queue.addRateLimited(NODE_KEY);
        } catch (err: unknown) {
          deps.log.error(errorFields(err), 'node pass failed');
          deps.metrics?.errors.inc({ code: 'EVPN-005' });
          this.#queue.addRateLimited(NODE_KEY);
        }
      },
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
    });
  }

  get lastPass(): PassSummary | undefined { return this.#last; }
  get passRunning(): boolean { return this.#queue.inFlightCount > 0; }
  get vrfObjects(): EvpnVrf[] { return this.#vrfs.list() as unknown as EvpnVrf[]; }
  get networkObjects(): EvpnNetwork[] { return this.#networks.list() as unknown as EvpnNetwork[]; }
  get portSetObjects(): EvpnPortSet[] { return this.#portSets.list() as unknown as EvpnPortSet[]; }

  async start(): Promise<void> {
    const enqueue = (): void => { this.#queue.add(NODE_KEY); };
    for (const inf of [this.#vrfs, this.#networks, this.#portSets]) {
      inf.on({ add: enqueue, update: enqueue, delete: enqueue });
      inf.start();
    }
    this.#self.start();
    await Promise.all([this.#vrfs, this.#networks, this.#portSets, this.#self].map((i) => i.waitForSync()));
    await this.#ensureNodeState();
    this.#unsubscribe = this.#d.drift?.subscribe(() => { this.#queue.addAfter(NODE_KEY, 300); });
    this.#resyncTimer = setInterval(enqueue, this.#d.config.resyncSeconds * 1000);
    this.#resyncTimer.unref();
    this.#started = true;
    enqueue();
  }

  /** Runs a pass now (coalesced with any queued one) and resolves with its summary. */
  syncNow(): Promise<PassSummary> {
    const p = new Promise<PassSummary>((resolve) => this.#passWaiters.push(resolve));
    this.#queue.add(NODE_KEY);
    return p;
  }

  async stop(): Promise<void> {
    if (this.#resyncTimer) clearInterval(this.#resyncTimer);
    this.#unsubscribe?.();
    await this.#queue.shutdown();
    await Promise.all([this.#vrfs, this.#networks, this.#portSets, this.#self].map((i) => i.stop()));
  }

  async #ensureNodeState(): Promise<void> {
    const name = this.#d.config.node.nodeName;
    const current = this.#self.get(name) as EvpnNodeState | undefined;
    if (current?.spec.nodeName === name && current.metadata.labels?.[Label.Node] === labelValueOf(name)) return;
    await applyObject(this.#d.client, evpnResources.nodeStates, { metadata: { name, labels: { [Label.Node]: labelValueOf(name) } }, spec: { nodeName: name } }, { fieldManager: AGENT_FIELD_MANAGER, force: true });
  }

  async #applyFrr(model: unknown, vrfNames: Set<string>): Promise<void> {
    const frr = this.#d.frr;
    if (!frr || !this.#frr.enabled) return;
    try {
      const r = await frr.apply(model);
      this.#frrVrfs = vrfNames;
      this.#frr = { ...this.#frr, running: true };
      delete this.#frr.error;
      if (r.reloaded) {
        this.#frr.lastReloadTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        this.#frrStatusAt = 0;
        this.#d.metrics?.frrReloads.inc();
      }
    } catch (err: unknown) {
      const message = err instanceof Error ? err.message : String(err);
      this.#frr = { ...this.#frr, running: !(err instanceof FrrUnavailableError), error: message };
      this.#d.metrics?.errors.inc({ code: 'EVPN-006' });
      this.#d.log.warn({ ...errorFields(err) }, 'FRR apply failed; retrying with backoff');
    }
  }

  async #pass(): Promise<PassSummary> {
    const started = performance.now();
    const { config, log } = this.#d;
    const vrfs = parseAll(this.#vrfs.list(), EvpnVrf);
    const networks = parseAll(this.#networks.list(), EvpnNetwork);
    const portSets = parseAll(this.#portSets.list(), EvpnPortSet).ok.filter((p) => p.spec.nodeName === config.node.nodeName);
    const applicable = selectApplicable(vrfs.ok, networks.ok);
    for (const [k, v] of vrfs.rejected) applicable.rejectedVrfs.set(k, v);
    for (const [k, v] of networks.rejected) applicable.rejectedNetworks.set(k, v);

    // FRR first when VRFs go away (bgpd withdraws while the data path still
    // forwards; see frr/teardown.ts), kernel first when they come (FRR binds
    // `vrf X / vni N` to devices that must exist), except for a new L3VNI's
    // VXLAN device: it waits until FRR has the VNI (see holdNewL3Vxlans).
    const model = buildFrrModel(frrNodeSettings(config), applicable.vrfs, applicable.networks);
    const valid = validateFrrModel(model);
    const vrfNames = new Set(applicable.vrfs.map((v) => vrfDevice(v.spec.vni)));
    if (!valid.ok) {
      this.#frr = { ...this.#frr, error: `the FRR model is invalid: ${valid.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}` };
    } else if ([...this.#frrVrfs].some((v) => !vrfNames.has(v))) {
      await this.#applyFrr(model, vrfNames);
    }
    const kernelInput = {
      vrfs: applicable.vrfs, networks: applicable.networks, portSets,
      rejectedVrfs: applicable.rejectedVrfs, rejectedNetworks: applicable.rejectedNetworks,
    };
    const frrActive = this.#d.frr !== undefined && this.#frr.enabled && valid.ok;
    let kernel = await runKernelPass(this.#d.kernel, config.node, { ...kernelInput, holdNewL3Vxlans: frrActive });
    if (valid.ok) await this.#applyFrr(model, vrfNames);
    if (kernel.heldBack.length > 0 && this.#frr.error === undefined) {
      kernel = await runKernelPass(this.#d.kernel, config.node, kernelInput);
    }
    await this.#readFrrStatus();

    const statusWritten = await this.#writeStatus(kernel, started);
    const summary: PassSummary = { kernel, frr: { ...this.#frr }, statusWritten, durationMs: performance.now() - started };
    this.#last = summary;
    this.#d.metrics?.observePass(summary, { vrfs: applicable.vrfs.length, networks: applicable.networks.length, ports: portSets.reduce((n, s) => n + s.spec.ports.length, 0) });
    log.debug({ writes: kernel.writes, planned: kernel.planned, ms: Math.round(summary.durationMs), statusWritten }, 'node pass done');
    return summary;
  }

  async #readFrrStatus(): Promise<void> {
    const frr = this.#d.frr;
    if (!frr || !this.#frr.enabled || this.#frr.error !== undefined) return;
    if (Date.now() - this.#frrStatusAt < this.#d.config.frr.statusIntervalSeconds * 1000) return;
    try {
      this.#frr.status = await frr.readStatus();
      this.#frrStatusAt = Date.now();
    } catch (err: unknown) {
      this.#d.log.warn(errorFields(err), 'reading FRR status failed');
    }
  }

  async #writeStatus(kernel: KernelPassResult, started: number): Promise<boolean> {
    const { config, client } = this.#d;
    const name = config.node.nodeName;
    const current = this.#self.get(name) as EvpnNodeState | undefined;
    const all = { vrfs: this.#vrfs.list() as unknown as EvpnVrf[], networks: this.#networks.list() as unknown as EvpnNetwork[] };
    const generations = {
      vrfs: new Map(all.vrfs.map((v) => [v.metadata.name, { generation: v.metadata.generation, vni: v.spec.vni, table: effectiveRoutingTable(v.spec) }])),
      networks: new Map(all.networks.map((n) => [n.metadata.name, {
        generation: n.metadata.generation,
        ...(n.spec.vni !== undefined ? { vni: n.spec.vni } : {}),
        ...(n.spec.vlanId !== undefined ? { vlanId: n.spec.vlanId } : {}),
      }])),
    };
    const status: EvpnNodeStateStatus = buildNodeStateStatus({
      vtepIp: config.node.vtepIp, asn: config.bgp.asn, kernel, frr: this.#frr, generations,
      previous: (current?.status?.conditions ?? []) as Condition[], now: new Date(),
    });
    if (current?.metadata.generation !== undefined) status.observedGeneration = current.metadata.generation;
    if (!statusNeedsWrite(current?.status, status)) return false;
    status.lastSyncTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    status.syncDurationMs = Math.round(performance.now() - started);
    status.agentVersion = '0.1.0';
    await applyStatus(client, evpnResources.nodeStates, { name }, status as Record<string, unknown>, { fieldManager: AGENT_FIELD_MANAGER, force: true });
    return true;
  }
}
