// Small numeric helpers for benchmark results (pure).
export interface Result {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly size: string;
  /** Every run's value, when the value is a median of several. */
  readonly runs?: readonly number[];
  readonly note?: string;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export const round = (x: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

/** A result from repeated runs: the median, with every run kept. */
export function medianResult(name: string, runs: readonly number[], unit: string, size: string, note?: string): Result {
  const digits = (x: number): number => (Math.abs(x) < 1 ? 4 : 2);
  const m = median(runs);
  return {
    name,
    value: round(m, digits(m)),
    unit,
    size,
    runs: runs.map((r) => round(r, digits(r))),
    ...(note === undefined ? {} : { note }),
  };
}

export const mib = (bytes: number): number => round(bytes / (1024 * 1024), 1);
