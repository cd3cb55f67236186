// The Lease record and the timing rules of leader election (leader-election.ts):
// the pure part, the bounds that make two leaders impossible and the records a
// candidate writes.
//
// Why two leaders cannot overlap (renewDeadline < leaseDuration):
//  Let S be the time our last successful round started (before its PUT was sent).
//  The apiserver committed that PUT at C >= S. Another candidate can only take
//  over with a PUT conditional on the resourceVersion of OUR record (else 409),
//  so it must have read that record, at O >= C, and then waited leaseDuration
//  on its own clock: it writes at >= O + leaseDuration >= S + leaseDuration.
//  We stop leading at S + renewDeadline, strictly earlier.
//
// Clock assumptions: every duration is measured on the local monotonic clock
// (performance.now(), immune to wall-clock steps); the wall-clock times written
// to the lease (renewTime, acquireTime) are informational and never compared
// across nodes, so clock offsets between nodes do not matter. What must hold is
// that clock RATES agree within leaseDuration / renewDeadline (1.5 with the
// defaults: a 50 % drift, far beyond real hardware), and that the leader's event
// loop is never blocked for longer than leaseDuration - renewDeadline, the margin
// in which its work must also observe the abort and stop writing.
import type { KubeObject } from './resource.ts';

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

export interface LeaseTiming {
  /** How long a candidate waits, after it last saw the record change, before taking the lease. */
  readonly leaseDurationMs: number;
  /** How long a leader may go without a successful renewal before it stops leading; < leaseDurationMs. */
  readonly renewDeadlineMs: number;
  /** Pause between tries (campaign and renewal); < renewDeadlineMs. */
  readonly retryPeriodMs: number;
}

export const defaultLeaseTiming: LeaseTiming = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

/** Throws a clear error unless 0 < retryPeriod < renewDeadline < leaseDuration. */
export function validateLeaseTiming(t: LeaseTiming): void {
  for (const [name, ms] of Object.entries(t)) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0)
      throw new Error(`leader election: ${name} must be a positive number of milliseconds, got ${String(ms)}`);
  }
  if (t.renewDeadlineMs >= t.leaseDurationMs) {
    throw new Error(
      `leader election: renewDeadline (${t.renewDeadlineMs} ms) must be shorter than leaseDuration (${t.leaseDurationMs} ms): ` +
        'a leader that cannot renew stops after renewDeadline, and that must happen before another candidate may take the lease',
    );
  }
  if (t.retryPeriodMs >= t.renewDeadlineMs) {
    throw new Error(
      `leader election: retryPeriod (${t.retryPeriodMs} ms) must be shorter than renewDeadline (${t.renewDeadlineMs} ms), or a renewal gets no second try`,
    );
  }
}

/** What the lease records (whole seconds, rounded up so others never wait less than we assume). */
export const leaseDurationSecondsOf = (t: LeaseTiming): number => Math.ceil(t.leaseDurationMs / 1000);

/** When a leader whose last successful renew round started at `roundStartedAt` stops leading. */
export const leadershipDeadline = (roundStartedAt: number, t: LeaseTiming): number =>
  roundStartedAt + t.renewDeadlineMs;

/** The earliest time a candidate that first saw the holder's record at `observedAt` may take the lease. */
export const takeoverAllowedAt = (observedAt: number, leaseDurationSeconds: number): number =>
  observedAt + leaseDurationSeconds * 1000;

/**
 * How much faster a candidate's clock may run than the leader's before the
 * leader could still be leading when the candidate takes over (see the header).
 */
export const toleratedClockRateRatio = (t: LeaseTiming): number =>
  (leaseDurationSecondsOf(t) * 1000) / t.renewDeadlineMs;

/** The record a candidate writes to take or renew the lease it read. */
export function claimedLease(current: Lease, me: string, leaseDurationSeconds: number, now: string): Lease {
  const spec = current.spec ?? {};
  const takingOver = (spec.holderIdentity ?? '') !== me;
  return {
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
}

/** The lease as the first candidate creates it. */
export const newLease = (
  where: { name: string; namespace: string },
  me: string,
  leaseDurationSeconds: number,
  now: string,
): Lease => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: where.name, namespace: where.namespace },
  spec: { holderIdentity: me, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
});

/** The lease a leader leaves on a graceful stop: no holder, so a standby takes over at its next retry. */
export const releasedLease = (observed: Lease, now: string): Lease => ({
  ...observed,
  spec: { ...observed.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
});
