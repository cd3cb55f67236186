// Reconnect delays: exponential growth, capped, with jitter so that many clients
// restarted together do not reconnect in lockstep.

export interface BackoffOptions {
  /** Delay before the first retry. */
  readonly initialMs: number;
  /** Upper bound of any delay. */
  readonly maxMs: number;
  /** Growth factor per attempt. */
  readonly multiplier: number;
  /** Fraction of the delay that is randomised, 0 (none) to 1 (anywhere in [0, delay]). */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 10_000, multiplier: 2, jitter: 0.5 };

/** Delay before retry number `attempt` (0-based); `random` returns a value in [0, 1). */
export function computeBackoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponential = options.initialMs * options.multiplier ** Math.max(0, attempt);
  const capped = Math.min(options.maxMs, exponential);
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(capped * (1 - jitter * random()));
}
