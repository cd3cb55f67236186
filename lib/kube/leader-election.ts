// Lease-based leader election with client-go's semantics:
//  - a candidate takes the lease when it is free (no holder: released) or when
//    the holder's record has not changed for leaseDuration as observed on OUR
//    clock (no trust in the other node's clock);
//  - every write is a PUT carrying the resourceVersion we read, so of two
//    candidates racing for an expired lease exactly one wins (the other gets 409);
//  - the leader renews every retryPeriod and steps down if it could not renew
//    for renewDeadline (< leaseDuration, so it stops before anyone can take over);
//  - on graceful stop the leader empties holderIdentity, so a standby takes over
//    at its next retry instead of waiting out the lease.
import { errorFields, silentLogger, type Logger } from '../log.ts';
import { isConflict, isNotFound, type KubeClient } from './kube-client.ts';
import { formatMicroTime } from './events.ts';
import { coreResources, resourcePath, type KubeObject } from './resource.ts';
import { abortableSleep } from '../abortable-sleep.ts';

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  readonly spec?: LeaseSpec;
}

export interface LeaderElectionOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly name: string;
  /** Unique per candidate: pod name plus a random suffix. */
  readonly identity: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Runs when leadership starts; `signal` aborts when it ends. */
  readonly onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  readonly onStoppedLeading?: () => void;
  readonly onNewLeader?: (identity: string) => void;
  readonly log?: Logger;
}

const sleep = abortableSleep;

const jittered = (ms: number): number => Math.round(ms * (1 + Math.random() * 0.2));

export class LeaderElector {
  private readonly options: LeaderElectionOptions;
  private readonly log: Logger;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly stopController = new AbortController();
  private observed: Lease | undefined;
  private observedAt = 0;
  private leading = false;
  private lastLeader: string | undefined;
  private running: Promise<void> | undefined;

  constructor(options: LeaderElectionOptions) {
    this.options = options;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseDurationMs) throw new Error('renewDeadline must be shorter than leaseDuration');
    if (this.retryPeriodMs >= this.renewDeadlineMs) throw new Error('retryPeriod must be shorter than renewDeadline');
    this.log = (options.log ?? silentLogger()).child({ component: 'leader-election', lease: `${options.namespace}/${options.name}`, identity: options.identity });
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder seen in the last read of the lease. */
  leader(): string | undefined {
    return this.lastLeader;
  }

  /**
   * Campaigns until leading, leads until the lease is lost or `stop()` is called,
   * then returns. It does not campaign again: a process that lost its lease
   * should exit and start clean.
   */
  run(): Promise<void> {
    this.running ??= this.campaignAndLead();
    return this.running;
  }

  /** Stops campaigning or leading; a leader releases the lease before this resolves. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.running;
  }

  private isStopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async campaignAndLead(): Promise<void> {
    const stop = this.stopController.signal;
    while (!this.isStopped()) {
      if (await this.tryAcquireOrRenew()) break;
      await sleep(jittered(this.retryPeriodMs), stop);
    }
    if (this.isStopped()) return;
    await this.lead();
  }

  private async lead(): Promise<void> {
    const stop = this.stopController.signal;
    const leadership = new AbortController();
    this.leading = true;
    this.log.info({}, 'started leading');
    const work = (async () => {
      try {
        await this.options.onStartedLeading(leadership.signal);
      } catch (err) {
        this.log.error(errorFields(err), 'onStartedLeading failed');
      }
    })();
    let lastRenew = Date.now();
    while (!this.isStopped()) {
      await sleep(this.retryPeriodMs, stop);
      if (this.isStopped()) break;
      if (await this.tryAcquireOrRenew()) {
        lastRenew = Date.now();
        continue;
      }
      // Someone else holds it now, or we failed to renew for too long.
      const lostToOther = this.lastLeader !== undefined && this.lastLeader !== this.options.identity && this.lastLeader !== '';
      if (lostToOther || Date.now() - lastRenew >= this.renewDeadlineMs) {
        this.log.warn({ holder: this.lastLeader, sinceRenewMs: Date.now() - lastRenew }, 'lost leadership');
        break;
      }
    }
    this.leading = false;
    leadership.abort(new Error('leadership ended'));
    // The lease is released only after the leader's work has observed the abort,
    // so the next leader never overlaps with this one.
    await work;
    if (this.isStopped()) await this.release();
    this.options.onStoppedLeading?.();
    this.log.info({}, 'stopped leading');
  }

  private path(name?: string): string {
    return resourcePath(coreResources.leases, { namespace: this.options.namespace, name });
  }

  private now(): string {
    return formatMicroTime(new Date());
  }

  private noteLeader(holder: string): void {
    if (holder !== this.lastLeader) {
      this.lastLeader = holder;
      if (holder !== '') this.options.onNewLeader?.(holder);
    }
  }

  /** One read-then-conditional-write round; true if we hold the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const me = this.options.identity;
    const leaseDurationSeconds = Math.ceil(this.leaseDurationMs / 1000);
    let current: Lease;
    try {
      current = await this.options.client.request<Lease>({ method: 'GET', path: this.path(this.options.name), timeoutMs: this.renewDeadlineMs });
    } catch (err) {
      if (!isNotFound(err)) {
        this.log.warn(errorFields(err), 'lease read failed');
        return false;
      }
      return this.create(leaseDurationSeconds);
    }

    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    if (this.observed?.metadata.resourceVersion !== current.metadata.resourceVersion) {
      this.observed = current;
      this.observedAt = Date.now();
    }
    this.noteLeader(holder);
    const heldByOther = holder !== '' && holder !== me;
    const durationMs = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    if (heldByOther && this.observedAt + durationMs > Date.now()) return false;

    const now = this.now();
    const takingOver = holder !== me;
    const next: Lease = {
      ...current,
      spec: {
        ...spec,
        holderIdentity: me,
        leaseDurationSeconds,
        renewTime: now,
        acquireTime: takingOver ? now : (spec.acquireTime ?? now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver ? 1 : 0),
      },
    };
    return this.update(next);
  }

  private async create(leaseDurationSeconds: number): Promise<boolean> {
    const now = this.now();
    try {
      const created = await this.options.client.request<Lease>({
        method: 'POST',
        path: this.path(),
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.options.name, namespace: this.options.namespace },
          spec: { holderIdentity: this.options.identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
        },
        timeoutMs: this.renewDeadlineMs,
      });
      this.observed = created;
      this.observedAt = Date.now();
      this.noteLeader(this.options.identity);
      return true;
    } catch (err) {
      // 409 AlreadyExists: another candidate created it first.
      if (!isConflict(err)) this.log.warn(errorFields(err), 'lease create failed');
      return false;
    }
  }

  private async update(next: Lease): Promise<boolean> {
    try {
      // metadata.resourceVersion in the body makes this PUT conditional.
      const updated = await this.options.client.request<Lease>({ method: 'PUT', path: this.path(this.options.name), body: next, timeoutMs: this.renewDeadlineMs });
      this.observed = updated;
      this.observedAt = Date.now();
      this.noteLeader(this.options.identity);
      return true;
    } catch (err) {
      if (!isConflict(err)) this.log.warn(errorFields(err), 'lease update failed');
      return false;
    }
  }

  private async release(): Promise<void> {
    const observed = this.observed;
    if (observed?.spec?.holderIdentity !== this.options.identity) return;
    const now = this.now();
    const released: Lease = {
      ...observed,
      spec: { ...observed.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
    };
    try {
      await this.options.client.request<Lease>({ method: 'PUT', path: this.path(this.options.name), body: released, timeoutMs: this.renewDeadlineMs });
      this.log.info({}, 'released lease');
    } catch (err) {
      this.log.warn(errorFields(err), 'lease release failed');
    }
  }
}
