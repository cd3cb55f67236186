// One leadership term: the mirror and status controllers a replica runs while it
// holds the lease, built fresh each term so that nothing of a lost term (queued
// keys, backoffs, memoised passes) leaks into the next.
import type { EvpnNetwork, EvpnNodeState, EvpnPortSet, EvpnVrf } from '../crds/index.ts';
import { Controller } from '../lib/controller/controller.ts';
import type { EventRecorder } from '../lib/kube/events.ts';
import type { Informer } from '../lib/kube/informer.ts';
import type { KubeClient } from '../lib/kube/kube-client.ts';
import type { Logger } from '../lib/log.ts';
import type { Live } from './object-key.ts';
import type { OperatorMetrics } from './operator-metrics.ts';
import type { OperatorOptions } from './operator-options.ts';
import type { OvnSource } from './ovn-source/ovn-source.ts';
import { MirrorReconciler } from './reconcile/mirror-reconciler.ts';
import type { ProblemBook } from './reconcile/problem-book.ts';
import { StatusReconciler } from './reconcile/status-reconciler.ts';

/**
 * The warm caches every replica keeps, leader or not. A type literal, not an
 * interface: Object.values of it must keep the Informer type.
 */
export type OperatorInformers = {
  vrfs: Informer<Live<EvpnVrf>>;
  networks: Informer<Live<EvpnNetwork>>;
  portSets: Informer<Live<EvpnPortSet>>;
  nodeStates: Informer<Live<EvpnNodeState>>;
};

export interface Term {
  readonly mirror: Controller;
  readonly mirrorReconciler: MirrorReconciler;
  /** Settles after the first mirror reconcile of the term, whatever its outcome. */
  readonly firstMirrorPass: Promise<void>;
  readonly status: Controller;
  readonly statusReconciler: StatusReconciler;
}

/** What a term's reconcilers share with the operator. */
export interface TermDeps {
  readonly options: OperatorOptions;
  readonly client: KubeClient;
  readonly source: OvnSource;
  readonly informers: OperatorInformers;
  readonly problems: ProblemBook;
  readonly events: EventRecorder;
  readonly reportingController: string;
  readonly metrics: OperatorMetrics;
  /** The operator's logger; each controller gets a child. */
  readonly log: Logger;
}

export function createLeadershipTerm(d: TermDeps): Term {
  const o = d.options;
  const i = d.informers;
  const mirrorReconciler = new MirrorReconciler({
    client: d.client,
    source: d.source,
    vrfs: i.vrfs,
    networks: i.networks,
    portSets: i.portSets,
    problems: d.problems,
    events: d.events,
    reportingController: d.reportingController,
    metrics: d.metrics,
    log: d.log.child({ controller: 'mirror' }),
    nodeNames: o.nodeNames,
    l3vniOffset: o.l3vniOffset,
    defaultBackend: o.defaultBackend,
    pruneGraceMs: o.pruneGraceMs,
    ...(o.fullResyncMs === undefined ? {} : { fullResyncMs: o.fullResyncMs }),
    ...(o.massDelete === undefined ? {} : { massDelete: o.massDelete }),
  });
  const statusReconciler = new StatusReconciler({
    client: d.client,
    vrfs: i.vrfs,
    networks: i.networks,
    portSets: i.portSets,
    nodeStates: i.nodeStates,
    problems: d.problems,
    metrics: d.metrics,
    log: d.log.child({ controller: 'status' }),
    defaultBackend: o.defaultBackend,
  });
  let firstPassDone: () => void = () => undefined;
  const firstMirrorPass = new Promise<void>((resolve) => (firstPassDone = resolve));
  const mirror = new Controller({
    name: 'mirror',
    reconcile: (_key, signal) => mirrorReconciler.reconcile(signal),
    onReconcile: () => {
      firstPassDone();
    },
    // One key: retrying it often is cheap, and an apiserver that comes back is noticed within seconds.
    log: o.log,
    metrics: o.registry,
    baseBackoffMs: 200,
    maxBackoffMs: 5000,
  });
  const status = new Controller({
    name: 'status',
    reconcile: (key, signal) => statusReconciler.reconcile(key, signal),
    concurrency: 4,
    log: o.log,
    metrics: o.registry,
    baseBackoffMs: 200,
    maxBackoffMs: 10_000,
  });
  return { mirror, mirrorReconciler, status, statusReconciler, firstMirrorPass };
}
