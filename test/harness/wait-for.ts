// The one polling helper of the tests and the harness.
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../../lib/log.ts';

export interface WaitOptions {
  /** Give up after this long (default 20 s). */
  readonly timeoutMs?: number;
  /** Pause between two probes (default 25 ms). */
  readonly stepMs?: number;
  /** A thrown error for which to stop at once and rethrow (default: none; every error is retried). */
  readonly stopOn?: (err: unknown) => boolean;
}

/**
 * Probes until `probe` returns a value other than `undefined` or `false`, and
 * returns that value (`true` for a boolean predicate). A probe that throws is
 * retried; on timeout the error names `what` and the last error thrown.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  opts: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 20_000, stepMs = 25, stopOn } = opts;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      if (stopOn?.(err) === true) throw err;
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `; last error: ${errorMessage(last)}`}`,
        { cause: last },
      );
    }
    await sleep(stepMs);
  }
}
