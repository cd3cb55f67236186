// The operator process minus its command line: OVN source, informers, the mirror
// and status controllers, and leader election. Every replica connects to OVN and
// keeps warm informer caches (so it is ready and fails over fast); only the
// lease holder runs the controllers, so only it writes.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { EvpnNetwork, EvpnNodeState, EvpnPortSet, EvpnVrf } from '../crds/index.ts';
import { EventRecorder } from '../lib/kube/events.ts';
import { Informer } from '../lib/kube/informer.ts';
import { summarizeManagedFields } from '../lib/kube/managed-fields.ts';
import { KubeClient } from '../lib/kube/kube-client.ts';
import { LeaderElector } from '../lib/kube/leader-election.ts';
import type { KubeObject } from '../lib/kube/resource.ts';
import type { Logger } from '../lib/log.ts';
import { OvnSource } from './ovn-source/ovn-source.ts';
import { createOperatorMetrics, type OperatorMetrics } from './operator-metrics.ts';
import type { OperatorOptions } from './operator-options.ts';
import { ProblemBook } from './reconcile/problem-book.ts';
import { evpnResources } from '../crds/resources.ts';
import { keysForEvent, watchEventsOf, type WatchEvent } from './event-keys.ts';
import type { Live } from './object-key.ts';
import { createLeadershipTerm, type OperatorInformers, type Term } from './leadership-term.ts';

export type { LeaderElectionConfig, OperatorOptions } from './operator-options.ts';

const MIRROR_KEY = 'mirror';

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else
      signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
  });
}
const REPORTING_CONTROLLER = 'ovn-evpn.dev/operator';

export class Operator {
  readonly identity: string;
  readonly metrics: OperatorMetrics;
  readonly client: KubeClient;
  readonly problems = new ProblemBook();
  /** Resolves when this instance stops leading (lost lease or stop()); the process should then exit. */
  readonly done: Promise<string>;
  readonly #o: OperatorOptions;
  readonly #log: Logger;
  readonly #source: OvnSource;
  readonly #events: EventRecorder;
  readonly #informers: OperatorInformers;
  readonly #elector: LeaderElector | undefined;
  readonly #stop = new AbortController();
  #term: Term | undefined;
  /** Settles when the current leadership term has wound down. */
  #termEnded: Promise<void> = Promise.resolve();
  #leadingWaiters: (() => void)[] = [];
  #resolveDone: (why: string) => void = () => undefined;

  private constructor(options: OperatorOptions, source: OvnSource) {
    this.#o = options;
    this.#source = source;
    this.identity = options.identity ?? `${hostname()}-${randomBytes(3).toString('hex')}`;
    this.#log = options.log.child({ component: 'operator', identity: this.identity });
    this.metrics = createOperatorMetrics(options.registry);
    this.metrics.leader.set({}, 0);
    this.client = new KubeClient(options.kubeConfig, {
      ...(options.writeCounter === undefined ? {} : { writeCounter: options.writeCounter }),
      userAgent: 'ovn-evpn-operator',
    });
    this.#events = new EventRecorder({
      client: this.client,
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: this.identity,
      log: options.log,
    });
    const informer = <T extends KubeObject>(
      resource: (typeof evpnResources)[keyof typeof evpnResources],
    ): Informer<T> =>
      new Informer<T>({ client: this.client, resource, log: options.log, transform: summarizeManagedFields });
    this.#informers = {
      vrfs: informer<Live<EvpnVrf>>(evpnResources.vrfs),
      networks: informer<Live<EvpnNetwork>>(evpnResources.networks),
      portSets: informer<Live<EvpnPortSet>>(evpnResources.portSets),
      nodeStates: informer<Live<EvpnNodeState>>(evpnResources.nodeStates),
    };
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    const le = options.leaderElection;
    this.#elector =
      le === undefined
        ? undefined
        : new LeaderElector({
            client: this.client,
            namespace: le.namespace,
            name: le.name,
            identity: this.identity,
            ...(le.leaseDurationMs === undefined ? {} : { leaseDurationMs: le.leaseDurationMs }),
            ...(le.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: le.renewDeadlineMs }),
            ...(le.retryPeriodMs === undefined ? {} : { retryPeriodMs: le.retryPeriodMs }),
            onStartedLeading: (signal) => this.#lead(signal),
            onNewLeader: (id) => {
              this.#log.info({ leader: id }, 'leader observed');
            },
            log: options.log,
          });
    this.#wire();
  }

  /**
   * Connects to OVN (throws OvnStartupError for a wrong or unreachable database),
   * starts the informers, and starts campaigning (or leading).
   */
  static async start(options: OperatorOptions): Promise<Operator> {
    const source = await OvnSource.connect({
      nbRemote: options.nbRemote,
      sbRemote: options.sbRemote,
      log: options.log,
      ssl: options.ovsdbSsl,
      ...(options.ovnProbeIntervalMs === undefined ? {} : { probeIntervalMs: options.ovnProbeIntervalMs }),
    });
    const op = new Operator(options, source);
    op.#begin();
    return op;
  }

  isLeader(): boolean {
    return this.#term !== undefined;
  }

  /** Resolves once this instance leads and its controllers run. */
  whenLeading(): Promise<void> {
    if (this.#term !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.#leadingWaiters.push(resolve));
  }

  informersSynced(): boolean {
    return Object.values(this.#informers).every((i) => i.hasSynced());
  }

  ovnSynced(): boolean {
    return this.#source.isSynced();
  }

  /** Ready: OVN synced and informers synced (leader or not). */
  readiness(): { ok: boolean; why: string } {
    if (!this.ovnSynced())
      return { ok: false, why: `ovn not synced (${JSON.stringify(this.#source.connectionStates())})` };
    if (!this.informersSynced()) return { ok: false, why: 'informers not synced' };
    return { ok: true, why: this.isLeader() ? 'leading' : 'standby' };
  }

  /** For tests: resolves when both work queues are empty (delayed keys aside). */
  async idle(): Promise<void> {
    const term = this.#term;
    if (term === undefined) return;
    await Promise.all([term.mirror.queue.idle(), term.status.queue.idle()]);
    await this.#events.flush();
  }

  /** Stops leading (releasing the lease), then the informers and the OVN connections. */
  async stop(): Promise<void> {
    this.#stop.abort();
    if (this.#elector !== undefined) await this.#elector.stop();
    await this.#termEnded;
    await Promise.all(Object.values(this.#informers).map((i) => i.stop()));
    await this.#events.flush();
    await this.#source.close();
    this.client.close();
    this.#resolveDone('stopped');
  }

  #begin(): void {
    for (const i of Object.values(this.#informers)) i.start();
    this.metrics.ovnSynced.set({}, this.#source.isSynced() ? 1 : 0);
    if (this.#elector === undefined) {
      void this.#lead(this.#stop.signal);
      return;
    }
    void this.#elector.run().then(() => {
      this.#resolveDone(this.#stop.signal.aborted ? 'stopped' : 'lost leadership');
    });
  }

  async #lead(signal: AbortSignal): Promise<void> {
    let endTerm: () => void = () => undefined;
    this.#termEnded = new Promise((r) => (endTerm = r));
    try {
      await Promise.all(Object.values(this.#informers).map((i) => i.waitForSync()));
      if (signal.aborted) return;
      const term = createLeadershipTerm({
        options: this.#o,
        client: this.client,
        source: this.#source,
        informers: this.#informers,
        problems: this.problems,
        events: this.#events,
        reportingController: REPORTING_CONTROLLER,
        metrics: this.metrics,
        log: this.#log,
      });
      this.#term = term;
      this.metrics.leader.set({}, 1);
      this.#log.info({}, 'leading: mirroring OVN and aggregating status');
      // Status waits for the first mirror pass: until then the problem book is
      // empty, and a status written from it would be taken back a moment later.
      await term.mirror.start();
      term.mirror.enqueue(MIRROR_KEY);
      await Promise.race([term.firstMirrorPass, untilAborted(signal)]);
      await term.status.start();
      for (const k of term.statusReconciler.allKeys()) term.status.enqueue(k);
      for (const w of this.#leadingWaiters.splice(0)) w();
      await untilAborted(signal);
      this.#term = undefined;
      this.metrics.leader.set({}, 0);
      await Promise.all([term.mirror.stop(), term.status.stop()]);
      this.#log.info({}, 'stopped mirroring');
    } finally {
      endTerm();
    }
  }

  /** Informer and OVN events → keys (keysForEvent); dropped while not leading (a new term starts with a full pass). */
  #wire(): void {
    const i = this.#informers;
    const mirror = (): void => this.#term?.mirror.enqueue(MIRROR_KEY);
    this.#source.on('change', mirror);
    this.#source.on('health', (synced) => {
      this.metrics.ovnSynced.set({}, synced ? 1 : 0);
      if (synced) mirror();
    });
    this.problems.on('changed', (keys) => {
      const t = this.#term;
      if (t !== undefined) for (const k of keys) t.status.enqueue(k);
    });
    const on = (e: WatchEvent): void => {
      this.#dispatch(e);
    };
    i.vrfs.on(watchEventsOf('EvpnVrf', on));
    i.networks.on(watchEventsOf('EvpnNetwork', on));
    i.portSets.on(watchEventsOf('EvpnPortSet', on));
    i.nodeStates.on(watchEventsOf('EvpnNodeState', on));
  }

  #dispatch(e: WatchEvent): void {
    const t = this.#term;
    if (t === undefined) return;
    const keys = keysForEvent(e, (vrf) => t.statusReconciler.networksOfVrf(vrf));
    if (keys.invalidate === 'network-counts') t.statusReconciler.invalidateNetworkCounts();
    if (keys.invalidate === 'port-counts') t.statusReconciler.invalidatePortCounts();
    // Our own writes coming back through the informers change nothing the
    // mirror does not know: re-running it would cost a full pass per change.
    const m = keys.mirror;
    if (m !== undefined && !t.mirrorReconciler.isOwnEcho(m.kind, m.obj, m.deleted)) t.mirror.enqueue(MIRROR_KEY);
    for (const k of keys.allStatus === true ? t.statusReconciler.allKeys() : keys.status) t.status.enqueue(k);
  }
}
