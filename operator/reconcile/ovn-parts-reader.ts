// OVN's per-network parts for a mirror pass: from the source's index,
// recomputing only the networks changed since the last pass (all of them,
// from a fresh read of the databases, every fullResyncMs); from a whole
// snapshot when the source keeps no index.
import { ovnPartsOf, type OvnParts } from '../mirror/build-desired.ts';
import { IncrementalParts } from '../mirror/incremental-parts.ts';
import type { NetworkRows } from '../ovn-source/network-rows.ts';
import { withNodeNames, type NodeNameMode } from '../ovn-source/node-names.ts';
import type { OvnSnapshot } from '../ovn-source/ovn-snapshot.ts';
import type { OperatorMetrics } from '../operator-metrics.ts';

export const DEFAULT_FULL_RESYNC_MS = 5 * 60_000;

/** What the reader needs from the OVN adapter. */
export interface OvnRowsSource {
  snapshot(): OvnSnapshot;
  /**
   * OVN's rows by network, when the source indexes them: each pass then
   * recomputes only the networks changed since the last one, and every
   * `fullResyncMs` all of them from a fresh read of the databases (`resync`).
   */
  networkRows?(): NetworkRows & { resync(): void };
}

export interface OvnPartsReaderOptions {
  readonly source: OvnRowsSource;
  readonly nodeNames: NodeNameMode;
  readonly metrics: OperatorMetrics;
  /** How often every network is recomputed from a fresh read of OVN (default 5 min). */
  readonly fullResyncMs?: number | undefined;
}

export class OvnPartsReader {
  readonly #o: OvnPartsReaderOptions;
  #parts: IncrementalParts | undefined;
  /** When the last full pass began (performance.now()). */
  #lastFullPass = -Infinity;

  constructor(options: OvnPartsReaderOptions) {
    this.#o = options;
  }

  read(): OvnParts {
    const o = this.#o;
    const rows = o.source.networkRows?.();
    if (rows === undefined) return ovnPartsOf(withNodeNames(o.source.snapshot(), o.nodeNames));
    this.#parts ??= new IncrementalParts({ mapSnapshot: (s) => withNodeNames(s, o.nodeNames) });
    if (this.untilFullPass() <= 0) {
      // The first pass reads the index as the source built it at start: already a full read.
      if (this.#lastFullPass !== -Infinity) rows.resync();
      this.#lastFullPass = performance.now();
    }
    const parts = this.#parts.update(rows);
    o.metrics.mirrorNetworksRecomputed.inc({}, this.#parts.lastRecomputed);
    return parts;
  }

  /** Milliseconds until the next full pass is due (Infinity without an index). */
  untilFullPass(): number {
    if (this.#o.source.networkRows === undefined) return Infinity;
    return this.#lastFullPass + (this.#o.fullResyncMs ?? DEFAULT_FULL_RESYNC_MS) - performance.now();
  }
}
