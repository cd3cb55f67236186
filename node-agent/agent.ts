// The node agent: watches EvpnVrf, EvpnNetwork and this node's EvpnPortSets
// and feeds one key into the shared controller loop (lib/controller), so
// bursts coalesce into one level-triggered pass for the whole node
// (node-pass.ts). Kernel drift and a periodic resync enqueue the same key.
import type { Logger } from 'pino';
import { AGENT_FIELD_MANAGER, Label } from '../crds/index.ts';
import type { EvpnNetwork, EvpnNodeState, EvpnPortSet, EvpnVrf } from '../crds/index.ts';
import { labelValueOf } from '../crds/labels.ts';
import { evpnResources } from '../crds/resources.ts';
import { Controller } from '../lib/controller/controller.ts';
import { applyObject } from '../lib/kube/apply.ts';
import type { EventRecorder } from '../lib/kube/events.ts';
import { Informer } from '../lib/kube/informer.ts';
import type { KubeClient } from '../lib/kube/kube-client.ts';
import type { AgentConfig } from './config.ts';
import type { FrrApplier } from './frr/reload.ts';
import type { DriftSource } from './kernel/netlink/drift-watch.ts';
import type { KernelAdapter } from './kernel/netlink/kernel-adapter.ts';
import type { AgentMetrics } from './metrics.ts';
import type { OvsUplinkStep } from './ovs/ovs-uplink.ts';
import { NodePass, type PassSummary } from './node-pass.ts';
import type { KernelStateCache } from './kernel/state-cache.ts';

export type { PassSummary } from './node-pass.ts';

const NODE_KEY = 'node';
/** Kernel changes come in bursts (a bridge takes its ports with it): one pass after they settle. */
const DRIFT_DELAY_MS = 300;

export interface AgentDeps {
  config: AgentConfig;
  client: KubeClient;
  kernel: KernelAdapter;
  /** Tells the agent that something was deleted behind its back. */
  drift?: DriftSource;
  frr?: FrrApplier;
  /** The OVS uplink step; its database changes enqueue a pass like kernel drift. */
  ovs?: OvsUplinkStep;
  metrics?: AgentMetrics;
  /** Events on the EvpnVrfs/EvpnNetworks this node fails (status/emit-node-events.ts). */
  events?: EventRecorder;
  log: Logger;
}

export class NodeAgent {
  readonly #d: AgentDeps;
  readonly #vrfs: Informer;
  readonly #networks: Informer;
  readonly #portSets: Informer;
  readonly #self: Informer;
  readonly #controller: Controller;
  readonly #pass: NodePass;
  #resyncTimer: NodeJS.Timeout | undefined;
  #frrTimer: NodeJS.Timeout | undefined;
  #frrChecking = false;
  #unsubscribe: (() => void)[] = [];
  #last: PassSummary | undefined;
  #passWaiters: ((s: PassSummary) => void)[] = [];
  /** Passes wait until every informer has synced and our EvpnNodeState exists. */
  #started = false;
  /** Passes in a row that left kernel or FRR failures: the retry backs off on it. */
  #failedPasses = 0;
  #echoesIgnored = 0;
  #passes = 0;

  constructor(deps: AgentDeps) {
    this.#d = deps;
    const { client, log, config } = deps;
    this.#vrfs = new Informer({ client, resource: evpnResources.vrfs, log });
    this.#networks = new Informer({ client, resource: evpnResources.networks, log });
    this.#portSets = new Informer({
      client,
      resource: evpnResources.portSets,
      labelSelector: `${Label.Node}=${labelValueOf(config.node.nodeName)}`,
      log,
    });
    this.#self = new Informer({
      client,
      resource: evpnResources.nodeStates,
      fieldSelector: `metadata.name=${config.node.nodeName}`,
      log,
    });
    this.#pass = new NodePass(deps);
    this.#controller = new Controller({
      name: 'node-agent',
      log,
      baseBackoffMs: 1000,
      maxBackoffMs: 60_000,
      reconcile: async () => this.#reconcile(),
    });
    for (const inf of [this.#vrfs, this.#networks, this.#portSets]) this.#controller.watch(inf, () => NODE_KEY);
    // Started and synced with the others; its own changes (our status writes) trigger nothing.
    this.#controller.watch(this.#self, () => undefined);
  }

  get lastPass(): PassSummary | undefined {
    return this.#last;
  }
  /** Passes run since start, and kernel deletions recognised as echoes of our own writes (for tests and logs). */
  get passCount(): number {
    return this.#passes;
  }
  get echoesIgnored(): number {
    return this.#echoesIgnored;
  }
  /** The kernel-state cache the passes read (absent without a drift source). */
  get kernelCache(): KernelStateCache | undefined {
    return this.#pass.kernelCache;
  }
  get passRunning(): boolean {
    return this.#controller.queue.inFlightCount > 0;
  }
  get vrfObjects(): EvpnVrf[] {
    return this.#vrfs.list() as unknown as EvpnVrf[];
  }
  get networkObjects(): EvpnNetwork[] {
    return this.#networks.list() as unknown as EvpnNetwork[];
  }
  get portSetObjects(): EvpnPortSet[] {
    return this.#portSets.list() as unknown as EvpnPortSet[];
  }

  async start(): Promise<void> {
    await this.#controller.start();
    await this.#ensureNodeState();
    // The echoes of our own writes are not drift: a write never triggers a pass by itself.
    const offDrift = this.#d.drift?.subscribe((line) => {
      if (this.#pass.ownWrites.isEcho(line, Date.now())) {
        this.#echoesIgnored++;
        return;
      }
      this.#controller.enqueueAfter(NODE_KEY, DRIFT_DELAY_MS);
    });
    const offOvs = this.#d.ovs?.subscribe(() => {
      this.#controller.enqueueAfter(NODE_KEY, DRIFT_DELAY_MS);
    });
    for (const off of [offDrift, offOvs]) if (off) this.#unsubscribe.push(off);
    // Not the controller's resync: that enqueues per cached object, and a node
    // with no objects must still have its kernel drift repaired.
    this.#resyncTimer = setInterval(() => {
      this.#controller.enqueue(NODE_KEY);
    }, this.#d.config.resyncSeconds * 1000);
    this.#resyncTimer.unref();
    // FRR restarts and drift are repaired within seconds, not at the next resync.
    if (this.#d.frr !== undefined && this.#d.config.frr.enabled) {
      this.#frrTimer = setInterval(() => {
        void this.#checkFrr();
      }, this.#d.config.frr.checkIntervalSeconds * 1000);
      this.#frrTimer.unref();
    }
    this.#started = true;
    this.#controller.enqueue(NODE_KEY);
  }

  /**
   * Runs a pass now (coalesced with any queued one) and resolves with its
   * summary. It first lets the kernel monitors catch up, so the pass's
   * kernel-state cache holds every change made before the call.
   */
  async syncNow(): Promise<PassSummary> {
    await this.#d.drift?.caughtUp?.();
    const p = new Promise<PassSummary>((resolve) => this.#passWaiters.push(resolve));
    this.#controller.enqueue(NODE_KEY);
    return p;
  }

  async stop(): Promise<void> {
    if (this.#resyncTimer) clearInterval(this.#resyncTimer);
    if (this.#frrTimer) clearInterval(this.#frrTimer);
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#pass.close();
    await this.#controller.stop();
    await this.#d.events?.flush();
  }

  async #reconcile(): Promise<{ requeueAfterMs: number } | undefined> {
    if (!this.#started) return undefined;
    let summary: PassSummary;
    try {
      summary = await this.#pass.run({
        vrfs: () => this.#vrfs.list(),
        networks: () => this.#networks.list(),
        portSets: () => this.#portSets.list(),
        nodeState: () => this.#self.get(this.#d.config.node.nodeName) as EvpnNodeState | undefined,
      });
    } catch (err: unknown) {
      this.#d.metrics?.errors.inc({ code: 'EVPN-005' });
      throw err;
    }
    this.#last = summary;
    this.#passes++;
    for (const w of this.#passWaiters.splice(0)) w(summary);
    // Kernel operations the kernel refused and FRR failures do not fail the
    // pass (the rest is applied, the status says what failed): retry them with
    // per-node exponential backoff (1 s doubling to 60 s) instead of waiting
    // for the resync. A kernel without a needed feature (no VRF module) is not
    // retried: the status says so. The controller resets its own count on a
    // returned result, so the count is kept here.
    const kernelRetry = summary.kernel.failed > 0 && summary.kernel.unsupported === undefined;
    if (!kernelRetry && !(summary.frr.enabled && summary.frr.error !== undefined)) {
      this.#failedPasses = 0;
      // The status read this pass skipped: the other nodes' routes reach Ready within statusIntervalSeconds.
      const due = summary.frrStatusDueMs ?? 0;
      return due > 0 ? { requeueAfterMs: due } : undefined;
    }
    return { requeueAfterMs: this.#controller.queue.backoffDelay(this.#failedPasses++) };
  }

  async #checkFrr(): Promise<void> {
    if (!this.#started || this.passRunning || this.#frrChecking) return;
    this.#frrChecking = true;
    try {
      if (await this.#pass.checkFrr()) this.#controller.enqueue(NODE_KEY);
    } catch (err: unknown) {
      this.#d.log.warn({ err }, 'FRR check failed');
    } finally {
      this.#frrChecking = false;
    }
  }

  async #ensureNodeState(): Promise<void> {
    const name = this.#d.config.node.nodeName;
    const current = this.#self.get(name) as EvpnNodeState | undefined;
    if (current?.spec.nodeName === name && current.metadata.labels?.[Label.Node] === labelValueOf(name)) return;
    await applyObject(
      this.#d.client,
      evpnResources.nodeStates,
      { metadata: { name, labels: { [Label.Node]: labelValueOf(name) } }, spec: { nodeName: name } },
      { fieldManager: AGENT_FIELD_MANAGER, force: true },
    );
  }
}
