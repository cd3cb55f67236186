// Lease-based leader election with client-go's semantics:
//  - a candidate takes the lease when it is free (no holder: released) or when
//    the holder's record has not changed for leaseDuration as observed on OUR
//    clock (no trust in the other node's clock);
//  - every write is a PUT carrying the resourceVersion we read, so of two
//    candidates racing for an expired lease exactly one wins (the other gets 409);
//  - the leader renews every retryPeriod; one renew round (GET + PUT, and the
//    retries every retryPeriod after a failed try) is bounded by renewDeadline,
//    counted from the start of the last round that succeeded. Every request of
//    the round carries an AbortSignal that fires at that deadline, and at that
//    same moment the leader stops leading (its work signal aborts,
//    onStoppedLeading runs), whether or not a request is still hanging;
//  - on graceful stop the leader empties holderIdentity, so a standby takes over
//    at its next retry instead of waiting out the lease.
//
//  (why two leaders cannot overlap, and the clock assumptions: lease.ts; the
//  reads and conditional writes of the Lease: lease-claimer.ts).
import { errorFields, silentLogger, type Logger } from '../log.ts';
import type { KubeClient } from './kube-client.ts';
import { abortableSleep } from '../abortable-sleep.ts';
import { LeaseClaimer, monotonicNow } from './lease-claimer.ts';
import { leadershipDeadline, validateLeaseTiming, defaultLeaseTiming, type LeaseTiming } from './lease.ts';

export {
  defaultLeaseTiming,
  leadershipDeadline,
  leaseDurationSecondsOf,
  takeoverAllowedAt,
  toleratedClockRateRatio,
  validateLeaseTiming,
  type Lease,
  type LeaseSpec,
  type LeaseTiming,
} from './lease.ts';

export interface LeaderElectionOptions extends Partial<LeaseTiming> {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly name: string;
  /** Unique per candidate: pod name plus a random suffix. */
  readonly identity: string;
  /**
   * Runs when leadership starts; `signal` aborts when it ends (lease lost, renew
   * deadline passed, or stop()). The work must stop writing when it aborts.
   */
  readonly onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Runs at the moment leadership ends, together with the abort of the work signal. */
  readonly onStoppedLeading?: () => void;
  readonly onNewLeader?: (identity: string) => void;
  readonly log?: Logger;
}

const sleep = abortableSleep;
const jittered = (ms: number): number => Math.round(ms * (1 + Math.random() * 0.2));

type RoundOutcome =
  | { readonly kind: 'renewed'; readonly startedAt: number }
  | { readonly kind: 'lost'; readonly why: string }
  | { readonly kind: 'stopped' };

export class LeaderElector {
  private readonly options: LeaderElectionOptions;
  private readonly log: Logger;
  private readonly timing: LeaseTiming;
  private readonly stopController = new AbortController();
  private readonly claimer: LeaseClaimer;
  private leading = false;
  private running: Promise<void> | undefined;

  constructor(options: LeaderElectionOptions) {
    this.options = options;
    this.timing = {
      leaseDurationMs: options.leaseDurationMs ?? defaultLeaseTiming.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs ?? defaultLeaseTiming.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs ?? defaultLeaseTiming.retryPeriodMs,
    };
    validateLeaseTiming(this.timing);
    this.log = (options.log ?? silentLogger()).child({
      component: 'leader-election',
      lease: `${options.namespace}/${options.name}`,
      identity: options.identity,
    });
    this.claimer = new LeaseClaimer(options, this.timing, this.log);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder seen in the last read of the lease. */
  leader(): string | undefined {
    return this.claimer.leader();
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
      const startedAt = monotonicNow();
      const deadline = leadershipDeadline(startedAt, this.timing);
      // Not aborted by stop(): a write cut off mid-flight may still land, and we
      // would then hold a lease we do not know about until it expires.
      const attempt = AbortSignal.timeout(this.timing.renewDeadlineMs);
      if ((await this.claimer.tryAcquireOrRenew(attempt, deadline)) && monotonicNow() < deadline) {
        await this.lead(startedAt);
        return;
      }
      await sleep(jittered(this.timing.retryPeriodMs), stop);
    }
  }

  private async lead(acquireStartedAt: number): Promise<void> {
    const stop = this.stopController.signal;
    const leadership = new AbortController();
    let deadline = leadershipDeadline(acquireStartedAt, this.timing);
    let timer: NodeJS.Timeout | undefined;
    const end = (why: string): void => {
      if (leadership.signal.aborted) return;
      clearTimeout(timer);
      this.leading = false;
      leadership.abort(new Error(`leadership ended: ${why}`));
      if (this.isStopped()) this.log.info({ why }, 'stopped leading');
      else this.log.warn({ why, holder: this.claimer.leader() }, 'stopped leading');
      try {
        this.options.onStoppedLeading?.();
      } catch (err) {
        this.log.error(errorFields(err), 'onStoppedLeading failed');
      }
    };
    // The deadline is enforced by a timer, not by the loop: a renewal request
    // that hangs is aborted by the same signal, but leadership ends on time even
    // before that request's promise settles.
    const armDeadline = (): void => {
      clearTimeout(timer);
      timer = setTimeout(
        () => {
          end(`no successful renewal within renewDeadline (${this.timing.renewDeadlineMs} ms)`);
        },
        Math.max(0, deadline - monotonicNow()),
      );
    };
    armDeadline();
    this.leading = true;
    this.log.info({}, 'started leading');
    const work = (async () => {
      try {
        await this.options.onStartedLeading(leadership.signal);
      } catch (err) {
        this.log.error(errorFields(err), 'onStartedLeading failed');
      }
    })();
    const wake = AbortSignal.any([stop, leadership.signal]);
    const over = (): boolean => this.isStopped() || leadership.signal.aborted;
    while (!over()) {
      await sleep(this.timing.retryPeriodMs, wake);
      if (over()) break;
      const outcome = await this.renewRound(leadership.signal, () => deadline);
      if (outcome.kind === 'stopped') break;
      if (outcome.kind === 'lost') {
        end(outcome.why);
        break;
      }
      deadline = leadershipDeadline(outcome.startedAt, this.timing);
      armDeadline();
    }
    end('stopped');
    // The lease is released only after the leader's work has observed the abort,
    // so the next leader never overlaps with this one. The release is a PUT
    // conditional on our last record, so it is a no-op once another holds the lease.
    await work;
    if (this.isStopped()) await this.claimer.release();
  }

  /**
   * One renew round: tries every retryPeriod until a try succeeds, another
   * holder shows up, or `signal` (the leadership, aborted at the deadline) ends.
   */
  private async renewRound(signal: AbortSignal, deadline: () => number): Promise<RoundOutcome> {
    for (;;) {
      if (signal.aborted) return { kind: 'lost', why: 'renew deadline passed' };
      const startedAt = monotonicNow();
      if (await this.claimer.tryAcquireOrRenew(signal, deadline())) return { kind: 'renewed', startedAt };
      const holder = this.claimer.leader();
      if (holder !== undefined && holder !== '' && holder !== this.options.identity)
        return { kind: 'lost', why: `lease taken by ${holder}` };
      // A graceful stop gives up on renewing: release() follows, or the lease expires.
      if (this.isStopped()) return { kind: 'stopped' };
      await sleep(this.timing.retryPeriodMs, AbortSignal.any([signal, this.stopController.signal]));
    }
  }
}
