// What one apply of the FRR applier (reload.ts) and its periodic check report.
import type { FrrRefusal } from './refusals.ts';
import type { VrfVni } from './running-config.ts';

export type FrrApplyResult = {
  /** False when FRR already ran the config (no change sent). */
  readonly reloaded: boolean;
  /** none: nothing sent; delta: the stanza delta; reload: frr-reload.py (the fallback). */
  readonly mode: 'none' | 'delta' | 'reload';
  /** frr-reload.py --reload runs (0 unless the delta failed). */
  readonly reloads: number;
  /** Lines of the delta. */
  readonly commands: number;
  /** Stanza keys the delta touched. */
  readonly changed: readonly string[];
  /** Lines FRR refused over the sockets: their units fail alone (refusals.ts) while everything else is applied. */
  readonly refusals: readonly FrrRefusal[];
  /** The same by stanza key (the first refusal's text). */
  readonly refused: ReadonlyMap<string, string>;
  /** VRFs whose L3VNI FRR had dropped and that were repaired through vtysh. */
  readonly repairedVnis: readonly VrfVni[];
  readonly durationMs: number;
  /** Where the time went: plan (first read of FRR), send, readBack, converge (VNI repair / fallback), confirm (files, pids). */
  readonly phasesMs: Readonly<Record<string, number>>;
};

export type FrrCheckResult =
  | { readonly ok: true }
  /** FRR no longer runs what was applied; the next apply repairs it. */
  | { readonly ok: false; readonly reason: 'FrrRestarted' | 'FrrDrifted'; readonly message: string };

const refusedByKey = (refusals: readonly FrrRefusal[]): Map<string, string> => {
  const m = new Map<string, string>();
  for (const r of refusals) if (!m.has(r.key)) m.set(r.key, `${r.daemon}: ${r.line}: ${r.message}`);
  return m;
};

export const refusalsOf = (list: readonly FrrRefusal[]): Pick<FrrApplyResult, 'refusals' | 'refused'> => ({
  refusals: list,
  refused: refusedByKey(list),
});
