// One candidate's reads and conditional writes of the Lease object, and what it
// last saw there. LeaderElector decides when to call them (its timing loop);
// this file decides what a try writes: a PUT carrying the resourceVersion we
// read, so of two candidates racing for an expired lease exactly one wins.
import { errorFields, type Logger } from '../log.ts';
import { isConflict, isNotFound, type KubeClient, type KubeRequest } from './kube-client.ts';
import { formatMicroTime } from './events.ts';
import { coreResources, resourcePath } from './resource.ts';
import {
  claimedLease,
  leaseDurationSecondsOf,
  newLease,
  releasedLease,
  takeoverAllowedAt,
  type Lease,
  type LeaseTiming,
} from './lease.ts';

export const monotonicNow = (): number => performance.now();

/** The part of LeaderElectionOptions that names the lease and the candidate. */
export interface LeaseClaimerOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly onNewLeader?: (identity: string) => void;
}

export class LeaseClaimer {
  private readonly options: LeaseClaimerOptions;
  private readonly timing: LeaseTiming;
  private readonly log: Logger;
  private observed: Lease | undefined;
  private observedAt = 0;
  private lastLeader: string | undefined;

  constructor(options: LeaseClaimerOptions, timing: LeaseTiming, log: Logger) {
    this.options = options;
    this.timing = timing;
    this.log = log;
  }

  /** The holder seen in the last read of the lease. */
  leader(): string | undefined {
    return this.lastLeader;
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

  /** A request that is aborted by `signal` and times out at `deadline` (monotonic), whichever comes first. */
  private async request<T>(
    req: Omit<KubeRequest, 'signal' | 'timeoutMs'>,
    signal: AbortSignal,
    deadline: number,
  ): Promise<T> {
    signal.throwIfAborted();
    const remaining = Math.ceil(deadline - monotonicNow());
    if (remaining <= 0) throw new Error(`renew deadline passed before ${req.method} ${req.path}`);
    return this.options.client.request<T>({ ...req, signal, timeoutMs: remaining });
  }

  /** One read-then-conditional-write try; true if we hold the lease afterwards. */
  async tryAcquireOrRenew(signal: AbortSignal, deadline: number): Promise<boolean> {
    const me = this.options.identity;
    const leaseDurationSeconds = leaseDurationSecondsOf(this.timing);
    let current: Lease;
    try {
      current = await this.request<Lease>({ method: 'GET', path: this.path(this.options.name) }, signal, deadline);
    } catch (err) {
      if (!isNotFound(err)) {
        this.log.warn(errorFields(err), 'lease read failed');
        return false;
      }
      return this.create(leaseDurationSeconds, signal, deadline);
    }

    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    if (this.observed?.metadata.resourceVersion !== current.metadata.resourceVersion) {
      this.observed = current;
      // Taken after the answer arrived: the latest, so the most cautious, time we
      // can claim to have first seen this record.
      this.observedAt = monotonicNow();
    }
    this.noteLeader(holder);
    const heldByOther = holder !== '' && holder !== me;
    if (
      heldByOther &&
      monotonicNow() < takeoverAllowedAt(this.observedAt, spec.leaseDurationSeconds ?? leaseDurationSeconds)
    )
      return false;

    const next = claimedLease(current, me, leaseDurationSeconds, this.now());
    return this.update(next, signal, deadline);
  }

  private async create(leaseDurationSeconds: number, signal: AbortSignal, deadline: number): Promise<boolean> {
    const now = this.now();
    try {
      const created = await this.request<Lease>(
        {
          method: 'POST',
          path: this.path(),
          body: newLease(this.options, this.options.identity, leaseDurationSeconds, now),
        },
        signal,
        deadline,
      );
      this.observed = created;
      this.observedAt = monotonicNow();
      this.noteLeader(this.options.identity);
      return true;
    } catch (err) {
      // 409 AlreadyExists: another candidate created it first.
      if (!isConflict(err)) this.log.warn(errorFields(err), 'lease create failed');
      return false;
    }
  }

  private async update(next: Lease, signal: AbortSignal, deadline: number): Promise<boolean> {
    try {
      // metadata.resourceVersion in the body makes this PUT conditional.
      const updated = await this.request<Lease>(
        { method: 'PUT', path: this.path(this.options.name), body: next },
        signal,
        deadline,
      );
      this.observed = updated;
      this.observedAt = monotonicNow();
      this.noteLeader(this.options.identity);
      return true;
    } catch (err) {
      if (!isConflict(err)) this.log.warn(errorFields(err), 'lease update failed');
      return false;
    }
  }

  async release(): Promise<void> {
    const observed = this.observed;
    if (observed?.spec?.holderIdentity !== this.options.identity) return;
    const released = releasedLease(observed, this.now());
    try {
      await this.options.client.request<Lease>({
        method: 'PUT',
        path: this.path(this.options.name),
        body: released,
        timeoutMs: this.timing.renewDeadlineMs,
      });
      this.log.info({}, 'released lease');
    } catch (err) {
      this.log.warn(errorFields(err), 'lease release failed');
    }
  }
}
