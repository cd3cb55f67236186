// What a mirror pass tells the world besides its writes and Events: the
// metrics (objects and ports mirrored, problems by code now and as they
// appear) and the logs (new problems, objects the plan skipped, once each
// while they last). problemsByCode and newlySkipped are pure.
import type { EvpnErrorCode, EvpnPortSetSpec } from '../../crds/index.ts';
import { objectKey } from '../../crds/object-key.ts';
import type { Logger } from '../../lib/log.ts';
import type { MirrorProblem } from '../mirror/mirror-problem.ts';
import type { MirrorKind } from '../mirror/plan-mirror.ts';
import type { OperatorMetrics } from '../operator-metrics.ts';

export interface Skipped {
  readonly kind: MirrorKind;
  readonly name: string;
  readonly reason: string;
}

/** Problems by code now; a code seen before and gone now counts 0, so its gauge falls back. */
export function problemsByCode(
  problems: readonly MirrorProblem[],
  seen: ReadonlySet<EvpnErrorCode>,
): Map<EvpnErrorCode, number> {
  const counts = new Map<EvpnErrorCode, number>([...seen].map((c) => [c, 0]));
  for (const p of problems) counts.set(p.code, (counts.get(p.code) ?? 0) + 1);
  return counts;
}

/** The skipped objects not skipped in the last pass (logged once while they last), and the keys of all. */
export function newlySkipped(
  skipped: readonly Skipped[],
  before: ReadonlySet<string>,
): { fresh: Skipped[]; keys: Set<string> } {
  const keys = new Set(skipped.map((s) => objectKey(s.kind, s.name)));
  return { fresh: skipped.filter((s) => !before.has(objectKey(s.kind, s.name))), keys };
}

export interface DesiredCounts {
  readonly vrfs: { readonly size: number };
  readonly networks: { readonly size: number };
  readonly portSets: ReadonlyMap<string, EvpnPortSetSpec>;
}

export class MirrorReport {
  readonly #metrics: OperatorMetrics;
  readonly #log: Logger;
  readonly #codesSeen = new Set<EvpnErrorCode>();
  #skipped: ReadonlySet<string> = new Set();

  constructor(metrics: OperatorMetrics, log: Logger) {
    this.#metrics = metrics;
    this.#log = log;
  }

  /** The problems present now (the gauge) and those new since the last pass (the counter and a log line each). */
  problems(current: readonly MirrorProblem[], fresh: readonly MirrorProblem[]): void {
    for (const [code, n] of problemsByCode(current, this.#codesSeen)) {
      this.#codesSeen.add(code);
      this.#metrics.problems.set({ code }, n);
    }
    for (const p of fresh) this.#metrics.errors.inc({ code: p.code });
  }

  /** A new problem not reported before this process started. */
  problemFound(p: MirrorProblem): void {
    this.#log.warn(
      { kind: p.kind, name: p.name, reason: p.reason, code: p.code, detail: p.message },
      'ovn association problem',
    );
  }

  desired(desired: DesiredCounts): void {
    this.#metrics.mirroredObjects.set({ kind: 'EvpnVrf' }, desired.vrfs.size);
    this.#metrics.mirroredObjects.set({ kind: 'EvpnNetwork' }, desired.networks.size);
    this.#metrics.mirroredObjects.set({ kind: 'EvpnPortSet' }, desired.portSets.size);
    this.#metrics.mirroredPorts.set(
      {},
      [...desired.portSets.values()].reduce((n, p) => n + p.ports.length, 0),
    );
  }

  skipped(skipped: readonly Skipped[]): void {
    const { fresh, keys } = newlySkipped(skipped, this.#skipped);
    for (const s of fresh) this.#log.warn({ kind: s.kind, name: s.name, why: s.reason }, 'mirrored object not written');
    this.#skipped = keys;
  }

  /** The OVN update that started this pass reached the apiserver (seconds since `since`). */
  latency(since: number | undefined, writes: number): void {
    if (since !== undefined && writes > 0) this.#metrics.ovnToCrLatency.observe({}, (performance.now() - since) / 1000);
  }

  heldDeletes(
    held: number,
    transition: 'held' | 'released' | undefined,
    detail: { mirrored: number; why: string | undefined; deletes: number },
  ): void {
    this.#metrics.heldDeletes.set({}, held);
    if (transition === 'held')
      this.#log.warn({ held, mirrored: detail.mirrored, why: detail.why }, 'mass deletion held');
    if (transition === 'released') this.#log.warn({ deletes: detail.deletes }, 'mass deletion hold over, deleting');
  }
}
