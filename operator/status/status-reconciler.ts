// One key per EvpnNetwork/EvpnVrf (`EvpnNetwork/<name>`): compute its status from
// the node states, the mirror's problems and the objects it relates to, and
// apply it to the status subresource only when it differs from the live status.
// Applies to user-authored objects too (status only). The handlers below map
// each kind of change to the keys it affects.
import type { EvpnNetwork, EvpnNodeState, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import { OPERATOR_FIELD_MANAGER } from '../../crds/index.ts';
import { applyStatus } from '../../lib/kube/apply.ts';
import { conditionsEqual, semanticEqual, type Condition } from '../../lib/kube/conditions.ts';
import { isNotFound, type KubeClient } from '../../lib/kube/kube-client.ts';
import type { KubeObject } from '../../lib/kube/resource.ts';
import type { Logger } from '../../lib/log.ts';
import { isMirrored } from '../mirror/build-desired.ts';
import type { OperatorMetrics } from '../operator-metrics.ts';
import type { ObjectCache } from '../reconcile/mirror-reconciler.ts';
import type { ProblemBook } from '../reconcile/problem-book.ts';
import { WriteExpectations } from '../reconcile/write-expectations.ts';
import { parseRefKey, refKey, Resources, type Live, type ObjectRefKey } from '../resources.ts';
import { desiredNetworkStatus, desiredVrfStatus, indexNodeState, OWNED_CONDITIONS, type DesiredStatus, type NodeResults } from './aggregate-status.ts';

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
}

/** The status fields whose live value differs from `desired` (only our condition types are compared). */
export function differingStatusFields(live: unknown, desired: DesiredStatus): string[] {
  const current = (typeof live === 'object' && live !== null ? live : {}) as Record<string, unknown>;
  return Object.entries(desired).filter(([k, v]) => {
    if (k !== 'conditions') return !semanticEqual(current[k], v);
    const ours = ((current['conditions'] ?? []) as Condition[]).filter((c) => OWNED_CONDITIONS.includes(c.type));
    return !conditionsEqual(ours, v as Condition[]);
  }).map(([k]) => k);
}

/** True when applying `desired` would change the live status. */
export function statusDiffers(live: unknown, desired: DesiredStatus): boolean {
  return differingStatusFields(live, desired).length > 0;
}

export class StatusReconciler {
  readonly #o: StatusReconcilerOptions;
  readonly #now: () => Date;
  readonly #expect = new WriteExpectations();
  readonly #nodeIndex = new WeakMap<EvpnNodeState, NodeResults>();
  #portCounts: Map<string, number> | undefined;
  #networkCounts: Map<string, number> | undefined;

  constructor(options: StatusReconcilerOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
  }

  /** Port sets changed: the per-network port counts are recomputed on next use. */
  invalidatePortCounts(): void {
    this.#portCounts = undefined;
  }

  /** Networks changed: the per-VRF network counts are recomputed on next use. */
  invalidateNetworkCounts(): void {
    this.#networkCounts = undefined;
  }

  /** Every object's key, for a full pass (leadership start). */
  allKeys(): ObjectRefKey[] {
    return [
      ...this.#o.networks.list().map((n) => refKey('EvpnNetwork', n.metadata.name)),
      ...this.#o.vrfs.list().map((v) => refKey('EvpnVrf', v.metadata.name)),
    ];
  }

  /** Keys of the networks that use a VRF (their status shows its L3VNI). */
  networksOfVrf(vrf: string): ObjectRefKey[] {
    return this.#o.networks.list().filter((n) => n.spec.vrf === vrf).map((n) => refKey('EvpnNetwork', n.metadata.name));
  }

  async reconcile(key: string, signal: AbortSignal): Promise<undefined> {
    const ref = parseRefKey(key);
    if (ref === undefined) return undefined;
    const nodes = this.#nodes();
    const problems = this.#o.problems.get(refKey(ref.kind, ref.name));
    const now = this.#now();
    let obj: EvpnNetwork | EvpnVrf | undefined;
    let desired: DesiredStatus;
    if (ref.kind === 'EvpnNetwork') {
      const net = this.#o.networks.get(ref.name);
      if (net === undefined) return undefined;
      obj = net;
      const vrf = net.spec.vrf === undefined ? undefined : this.#o.vrfs.get(net.spec.vrf)?.spec;
      desired = desiredNetworkStatus(net, { nodes, problems, mirrored: isMirrored(net), now, vrf, ports: this.#ports().get(ref.name) ?? 0 });
    } else {
      const vrf = this.#o.vrfs.get(ref.name);
      if (vrf === undefined) return undefined;
      obj = vrf;
      desired = desiredVrfStatus(vrf, { nodes, problems, mirrored: isMirrored(vrf), now, networkCount: this.#networks().get(ref.name) ?? 0 });
    }
    if (obj.metadata.deletionTimestamp !== undefined) return undefined;
    const differing = differingStatusFields(obj.status, desired);
    if (differing.length === 0) return undefined;
    const fingerprint = JSON.stringify(desired);
    if (this.#expect.alreadyWritten(key, obj.metadata.resourceVersion, fingerprint)) return undefined;
    try {
      const result = await applyStatus<KubeObject>(this.#o.client, ref.kind === 'EvpnNetwork' ? Resources.networks : Resources.vrfs,
        { name: ref.name }, desired, { fieldManager: OPERATOR_FIELD_MANAGER, force: true, signal });
      this.#expect.recordWrite(key, obj.metadata.resourceVersion, result.metadata.resourceVersion, fingerprint);
      this.#o.metrics.statusWrites.inc({ kind: ref.kind });
      this.#o.log.debug({ key, fields: differing, ready: desired['ready'] }, 'status written');
    } catch (err) {
      if (isNotFound(err)) return undefined; // deleted meanwhile
      throw err;
    }
    return undefined;
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
      for (const ps of this.#o.portSets.list()) counts.set(ps.spec.network, (counts.get(ps.spec.network) ?? 0) + ps.spec.ports.length);
      this.#portCounts = counts;
    }
    return this.#portCounts;
  }

  #networks(): Map<string, number> {
    if (this.#networkCounts === undefined) {
      const counts = new Map<string, number>();
      for (const n of this.#o.networks.list()) if (n.spec.vrf !== undefined) counts.set(n.spec.vrf, (counts.get(n.spec.vrf) ?? 0) + 1);
      this.#networkCounts = counts;
    }
    return this.#networkCounts;
  }
}

/** Names whose result differs between two versions of one node's state. */
export function changedResultKeys(oldState: EvpnNodeState | undefined, newState: EvpnNodeState | undefined): ObjectRefKey[] {
  const keys: ObjectRefKey[] = [];
  const diff = <R extends { name: string }>(kind: 'EvpnNetwork' | 'EvpnVrf', a: readonly R[] | undefined, b: readonly R[] | undefined): void => {
    const before = new Map((a ?? []).map((r) => [r.name, JSON.stringify(r)]));
    const after = new Map((b ?? []).map((r) => [r.name, JSON.stringify(r)]));
    for (const name of new Set([...before.keys(), ...after.keys()])) if (before.get(name) !== after.get(name)) keys.push(refKey(kind, name));
  };
  diff('EvpnVrf', oldState?.status?.vrfs, newState?.status?.vrfs);
  diff('EvpnNetwork', oldState?.status?.networks, newState?.status?.networks);
  return keys;
}
