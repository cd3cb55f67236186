// One key per EvpnNetwork/EvpnVrf (`EvpnNetwork/<name>`): compute its status from
// the node states, the mirror's problems and the objects it relates to, and
// apply it to the status subresource only when it differs from the live status.
// Applies to user-authored objects too (status only). operator/event-keys.ts
// maps each kind of change to the keys it affects.
import type { Backend, EvpnNetwork, EvpnNodeState, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import { OPERATOR_FIELD_MANAGER } from '../../crds/index.ts';
import { applyStatus } from '../../lib/kube/apply.ts';
import { isNotFound, type KubeClient } from '../../lib/kube/kube-client.ts';
import type { KubeObject } from '../../lib/kube/resource.ts';
import type { Logger } from '../../lib/log.ts';
import { isMirrored } from '../mirror/build-desired.ts';
import { contentFingerprint } from '../mirror/plan-mirror.ts';
import type { OperatorMetrics } from '../operator-metrics.ts';
import type { ObjectCache } from './mirror-reconciler.ts';
import type { ProblemBook } from './problem-book.ts';
import { WriteExpectations } from './write-expectations.ts';
import { evpnResources } from '../../crds/resources.ts';
import { objectKey } from '../../crds/object-key.ts';
import { parseRefKey, type Live, type ObjectRefKey } from '../object-key.ts';
import {
  desiredNetworkStatus,
  desiredVrfStatus,
  indexNodeState,
  type DesiredStatus,
  type NetworkConvergence,
  type NodeResults,
} from '../status/aggregate-status.ts';
import { differingStatusFields } from '../status/status-diff.ts';

export interface KeyedCache<T> extends ObjectCache<T> {
  get(key: string): T | undefined;
}

export interface StatusReconcilerOptions {
  readonly client: KubeClient;
  readonly vrfs: KeyedCache<Live<EvpnVrf>>;
  readonly networks: KeyedCache<Live<EvpnNetwork>>;
  readonly portSets: ObjectCache<Live<EvpnPortSet>>;
  readonly nodeStates: ObjectCache<Live<EvpnNodeState>>;
  readonly problems: ProblemBook;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  readonly now?: () => Date;
  /** The backend of an object without spec.backend. */
  readonly defaultBackend?: Backend | undefined;
}

export class StatusReconciler {
  readonly #o: StatusReconcilerOptions;
  readonly #now: () => Date;
  readonly #expect = new WriteExpectations();
  readonly #nodeIndex = new WeakMap<EvpnNodeState, NodeResults>();
  #portCounts: Map<string, number> | undefined;
  #portHosts: Map<string, Map<string, string[]>> | undefined;
  #networkCounts: Map<string, number> | undefined;

  constructor(options: StatusReconcilerOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
  }

  /** Port sets changed: the per-network port counts are recomputed on next use. */
  invalidatePortCounts(): void {
    this.#portCounts = undefined;
    this.#portHosts = undefined;
  }

  /** Networks changed: the per-VRF network counts are recomputed on next use. */
  invalidateNetworkCounts(): void {
    this.#networkCounts = undefined;
  }

  /** Every object's key, for a full pass (leadership start). */
  allKeys(): ObjectRefKey[] {
    return [
      ...this.#o.networks.list().map((n) => objectKey('EvpnNetwork', n.metadata.name)),
      ...this.#o.vrfs.list().map((v) => objectKey('EvpnVrf', v.metadata.name)),
    ];
  }

  /** Keys of the networks that use a VRF (their status shows its L3VNI). */
  networksOfVrf(vrf: string): ObjectRefKey[] {
    return this.#o.networks
      .list()
      .filter((n) => n.spec.vrf === vrf)
      .map((n) => objectKey('EvpnNetwork', n.metadata.name));
  }

  async reconcile(key: string, signal: AbortSignal): Promise<undefined> {
    const ref = parseRefKey(key);
    if (ref === undefined) return undefined;
    const nodes = this.#nodes();
    const problems = this.#o.problems.get(objectKey(ref.kind, ref.name));
    const now = this.#now();
    let obj: EvpnNetwork | EvpnVrf | undefined;
    let desired: DesiredStatus;
    if (ref.kind === 'EvpnNetwork') {
      const net = this.#o.networks.get(ref.name);
      if (net === undefined) return undefined;
      obj = net;
      const vrf = net.spec.vrf === undefined ? undefined : this.#o.vrfs.get(net.spec.vrf)?.spec;
      desired = desiredNetworkStatus(net, {
        nodes,
        problems,
        mirrored: isMirrored(net),
        now,
        ...this.#backendDefault(),
        vrf,
        ports: this.#ports().get(ref.name) ?? 0,
        convergence: this.#convergence(net),
      });
    } else {
      const vrf = this.#o.vrfs.get(ref.name);
      if (vrf === undefined) return undefined;
      obj = vrf;
      desired = desiredVrfStatus(vrf, {
        nodes,
        problems,
        mirrored: isMirrored(vrf),
        now,
        ...this.#backendDefault(),
        networkCount: this.#networks().get(ref.name) ?? 0,
      });
    }
    if (obj.metadata.deletionTimestamp !== undefined) return undefined;
    const differing = differingStatusFields(obj.status, desired);
    if (differing.length === 0) return undefined;
    const fingerprint = contentFingerprint(desired);
    if (this.#expect.alreadyWritten(key, obj.metadata.resourceVersion, fingerprint)) return undefined;
    try {
      const result = await applyStatus<KubeObject>(
        this.#o.client,
        ref.kind === 'EvpnNetwork' ? evpnResources.networks : evpnResources.vrfs,
        { name: ref.name },
        desired,
        { fieldManager: OPERATOR_FIELD_MANAGER, force: true, signal },
      );
      this.#expect.recordWrite(key, obj.metadata.resourceVersion, result.metadata.resourceVersion, fingerprint);
      this.#o.metrics.statusWrites.inc({ kind: ref.kind });
      this.#o.log.debug({ key, fields: differing, ready: desired['ready'] }, 'status written');
    } catch (err) {
      if (isNotFound(err)) return undefined; // deleted meanwhile
      throw err;
    }
    return undefined;
  }

  #backendDefault(): { defaultBackend?: Backend } {
    return this.#o.defaultBackend === undefined ? {} : { defaultBackend: this.#o.defaultBackend };
  }

  #nodes(): NodeResults[] {
    return this.#o.nodeStates.list().map((ns) => {
      let idx = this.#nodeIndex.get(ns);
      if (idx === undefined) {
        idx = indexNodeState(ns);
        this.#nodeIndex.set(ns, idx);
      }
      return idx;
    });
  }

  #ports(): Map<string, number> {
    if (this.#portCounts === undefined) {
      const counts = new Map<string, number>();
      for (const ps of this.#o.portSets.list())
        counts.set(ps.spec.network, (counts.get(ps.spec.network) ?? 0) + ps.spec.ports.length);
      this.#portCounts = counts;
    }
    return this.#portCounts;
  }

  /** Ready waits for the other nodes' routes too: type-3 for an L2VNI, the VMs' host routes for an l3 network. */
  #convergence(net: EvpnNetwork): NetworkConvergence {
    return {
      type: net.spec.type,
      vrf: net.spec.vrf,
      hostsByNode: this.#hosts().get(net.metadata.name) ?? new Map<string, string[]>(),
    };
  }

  /** network → node → the addresses of its ports there. */
  #hosts(): Map<string, Map<string, string[]>> {
    if (this.#portHosts === undefined) {
      const hosts = new Map<string, Map<string, string[]>>();
      for (const ps of this.#o.portSets.list()) {
        const byNode = hosts.get(ps.spec.network) ?? new Map<string, string[]>();
        byNode.set(ps.spec.nodeName, [
          ...(byNode.get(ps.spec.nodeName) ?? []),
          ...ps.spec.ports.flatMap((p) => (p.advertiseFixedIps === false ? [] : (p.ips ?? []))),
        ]);
        hosts.set(ps.spec.network, byNode);
      }
      this.#portHosts = hosts;
    }
    return this.#portHosts;
  }

  #networks(): Map<string, number> {
    if (this.#networkCounts === undefined) {
      const counts = new Map<string, number>();
      for (const n of this.#o.networks.list())
        if (n.spec.vrf !== undefined) counts.set(n.spec.vrf, (counts.get(n.spec.vrf) ?? 0) + 1);
      this.#networkCounts = counts;
    }
    return this.#networkCounts;
  }
}
