// The ovn backend's write path into OVN NB: render the desired keys (pure) →
// read the rows (from the operator's NB replica) → plan single-key edits (pure)
// → one transaction of map mutations. Runs at the end of every mirror pass, so
// it sees the same desired networks; with nothing changed it plans nothing and
// writes nothing (also right after a restart: ownership is on the rows).
import { codedMessage, EvpnErrorCode } from '../../crds/index.ts';
import { errorMessage, type Logger } from '../../lib/log.ts';
import type { MirrorProblem } from '../mirror/mirror-problem.ts';
import { planOvnKeys, type KeyRow, type RowEdit } from './plan-ovn-keys.ts';
import { backendProblem, renderOvnKeys, type DesiredRowKeys, type RenderInput } from './render-ovn-keys.ts';

/** The first NB schema with OVN 26.03's EVPN (the one the tests run: OVN 26.03.1). */
export const MIN_NB_SCHEMA = '7.18.0';

/** What the sync needs of OVN NB (ovn-source/ovn-key-rows.ts over the operator's connection). */
export interface OvnKeyPort {
  schemaVersion(): string;
  /** The rows named by these `<table>/<name>` keys, plus every row carrying our ownership marker. */
  rows(wanted: ReadonlySet<string>): KeyRow[];
  /** Applies the edits in one transaction. */
  write(edits: readonly RowEdit[]): Promise<void>;
}

export interface OvnKeySyncOptions {
  readonly port: OvnKeyPort;
  /** false (--ovn-writes=false): plan and report, never write. */
  readonly writes: boolean;
  readonly log: Logger;
  readonly onWrite?: (rows: number) => void;
}

export interface OvnKeyResult {
  readonly problems: MirrorProblem[];
  /** A failed transaction: the pass is retried. */
  readonly error?: unknown;
}

export function schemaAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

const networksOf = (rows: Iterable<DesiredRowKeys>): string[] => [...new Set([...rows].flatMap((r) => r.networks))];

export class OvnKeySync {
  readonly #o: OvnKeySyncOptions;

  constructor(options: OvnKeySyncOptions) {
    this.#o = options;
  }

  async sync(input: RenderInput & { readonly holdRemovals: boolean }): Promise<OvnKeyResult> {
    const rendered = renderOvnKeys(input);
    const version = this.#o.port.schemaVersion();
    if (!schemaAtLeast(version, MIN_NB_SCHEMA)) {
      const text = `the OVN NB schema is ${version}: OVN before 26.03 (NB schema ${MIN_NB_SCHEMA}) has no native EVPN; use the kernel backend for this network`;
      return {
        problems: [...rendered.problems, ...networksOf(rendered.rows.values()).map((n) => backendProblem(n, text))],
      };
    }
    const rows = this.#o.port.rows(new Set(rendered.rows.keys()));
    const plan = planOvnKeys(rendered.rows, rows, input.holdRemovals);
    const problems = [...rendered.problems, ...plan.problems];
    if (plan.heldRemovals > 0) this.#o.log.info({ keys: plan.heldRemovals }, 'ovn key removals held');
    if (plan.edits.length === 0) return { problems };
    if (!this.#o.writes) return { problems: [...problems, ...this.#unwritten(plan.edits, rendered.rows)] };
    try {
      await this.#o.port.write(plan.edits);
    } catch (err) {
      const text = `the ovn backend keys could not be written to OVN NB: ${errorMessage(err)}`;
      const failed = this.#networksOfEdits(plan.edits, rendered.rows).map((n): MirrorProblem => ({
        kind: 'EvpnNetwork',
        name: n,
        reason: 'OvnWriteFailed',
        code: EvpnErrorCode.Infrastructure,
        keptLastGood: false,
        message: codedMessage(EvpnErrorCode.Infrastructure, text),
      }));
      return { problems: [...problems, ...failed], error: err };
    }
    this.#o.onWrite?.(plan.edits.length);
    this.#o.log.info({ rows: plan.edits.map((e) => `${e.table}/${e.name}`) }, 'ovn backend keys written to OVN NB');
    return { problems };
  }

  #networksOfEdits(edits: readonly RowEdit[], rows: ReadonlyMap<string, DesiredRowKeys>): string[] {
    return networksOf(edits.flatMap((e) => rows.get(`${e.table}/${e.name}`) ?? []));
  }

  /** With writes off, a network whose keys are not in OVN says so (someone else may set them). */
  #unwritten(edits: readonly RowEdit[], rows: ReadonlyMap<string, DesiredRowKeys>): MirrorProblem[] {
    return this.#networksOfEdits(edits, rows).map((n) =>
      backendProblem(
        n,
        'OVN writes are off (--ovn-writes=false) and OVN NB lacks the ovn backend keys of this network (docs/backends.md lists them)',
      ),
    );
  }
}
