// Pure: the FRR bench's measures of one size as results (medians, every run kept).
import { medianResult, type Result } from './stats.ts';

export const MEASURES = [
  'render',
  'applyA',
  'applyB',
  'converge',
  'total',
  'routes',
  'removeOne',
  'changeOne',
  'restart',
  'baseline',
  'vtyshF',
  'vtyshFVnisUp',
  'rawRemove',
  'rawChange',
  'rawVtyRemove',
  'rawVtyChange',
  'rawRestart',
  'rawRestartConverged',
] as const;
export type Measures = Record<(typeof MEASURES)[number], number[]> & {
  /** What went wrong in a baseline or floor, by measure (frr-reload.py's result differing from the render, a floor that failed). */
  notes: Partial<Record<'baseline' | 'restart' | 'rawRemove' | 'rawRestart' | 'vtyshF', string[]>>;
  /** CPU ms per phase and process (mgmtd, zebra, bgpd of node a; the bench with its vtysh children). */
  cpu: Record<string, Record<string, number[]>>;
};

export function emptyMeasures(): Measures {
  const m = Object.fromEntries(MEASURES.map((k) => [k, [] as number[]])) as Record<(typeof MEASURES)[number], number[]>;
  return { ...m, notes: {}, cpu: {} };
}

export function addCpu(m: Measures, phase: string, cpu: Record<string, number>): void {
  const p = (m.cpu[phase] ??= {});
  for (const [proc, ms] of Object.entries(cpu)) (p[proc] ??= []).push(ms);
}

const ratiosOf = (num: readonly number[], den: readonly number[]): number[] =>
  num.map((x, i) => x / (den[i] ?? Number.NaN));

function applierResults(n: number, m: Measures, s: string, note: string): Result[] {
  return [
    medianResult(`frr.render.${n}`, m.render, 'ms', s, `buildFrrModel + renderFrrConfig of ${n} VRFs (pure, warm)`),
    medianResult(
      `frr.apply.${n}`,
      m.applyA,
      'ms',
      s,
      `FrrApplier.apply on node a, cold (stanza delta as one batch + read-back compare + boot config write): ${note}`,
    ),
    medianResult(`frr.apply.node_b.${n}`, m.applyB, 'ms', s),
    medianResult(`frr.remove_one.${n}`, m.removeOne, 'ms', s, `one VRF removed from ${n} on node a: delta + read-back`),
    medianResult(`frr.change_one.${n}`, m.changeOne, 'ms', s, `one VRF added to ${n - 1} on node a: delta + read-back`),
    medianResult(
      `frr.restart_recovery.${n}`,
      m.restart,
      'ms',
      s,
      `node a's FRR killed → restarted from the boot config, check() + apply(), until both nodes exchanged every route again${noteOf(m, 'restart')}`,
    ),
    medianResult(
      `frr.converge_after_apply.${n}`,
      m.converge,
      'ms',
      s,
      'both configs applied → both nodes have received what the other sends',
    ),
    medianResult(`frr.config_to_converged.${n}`, m.total, 'ms', s, 'start of the first apply → converged'),
    medianResult(`frr.routes_exchanged.${n}`, m.routes, 'routes', s, 'EVPN routes received, both directions together'),
  ];
}

const noteOf = (m: Measures, key: keyof Measures['notes']): string => {
  const list = m.notes[key] ?? [];
  return list.length === 0 ? '' : `; ${[...new Set(list)].join('; ')}`;
};

function reloadResults(n: number, m: Measures, s: string): Result[] {
  const notes = noteOf(m, 'baseline');
  return [
    medianResult(
      `baseline.frr_reload.apply.${n}`,
      m.baseline,
      'ms',
      s,
      `the same cold apply on node a with frr-reload.py (--reload, VNI check, --test; the fallback path)${notes}`,
    ),
    medianResult(
      `ratio.frr_reload_over_apply.${n}`,
      ratiosOf(m.baseline, m.applyA),
      'x',
      s,
      'baseline.frr_reload.apply / frr.apply',
    ),
  ];
}

function floorResults(n: number, m: Measures, s: string): Result[] {
  return [
    medianResult(
      `baseline.frr_vtysh_f.apply.${n}`,
      m.vtyshF,
      'ms',
      s,
      `floor: one vtysh -f of the same rendered config into a freshly started, empty FRR on node a${noteOf(m, 'vtyshF')}`,
    ),
    medianResult(`baseline.frr_vtysh_f.vnis_up.${n}`, m.vtyshFVnisUp, 'ms', s, 'that vtysh -f → every VNI up'),
    medianResult(
      `baseline.frr_raw.remove_one.${n}`,
      m.rawRemove,
      'ms',
      s,
      `floor: \`no vni\` + \`no router bgp A vrf X\`, one vtysh -f (bgpd's line resent until taken)${noteOf(m, 'rawRemove')}`,
    ),
    medianResult(
      `baseline.frr_raw.change_one.${n}`,
      m.rawChange,
      'ms',
      s,
      "floor: the VRF's two rendered stanzas, one vtysh -f",
    ),
    medianResult(
      `baseline.frr_raw_vty.remove_one.${n}`,
      m.rawVtyRemove,
      'ms',
      s,
      "floor: the same lines over the owning daemons' vty sockets (the applier's transport), bgpd's resent until taken",
    ),
    medianResult(
      `baseline.frr_raw_vty.change_one.${n}`,
      m.rawVtyChange,
      'ms',
      s,
      "floor: the VRF's two stanzas over the owning daemons' vty sockets",
    ),
    medianResult(
      `baseline.frr_raw.restart.${n}`,
      m.rawRestart,
      'ms',
      s,
      `floor: node a's FRR killed → FRR's own start from the applier's boot config until every VNI is up${noteOf(m, 'rawRestart')}`,
    ),
    medianResult(
      `baseline.frr_raw.restart_converged.${n}`,
      m.rawRestartConverged,
      'ms',
      s,
      'the same, until both nodes exchanged every route again',
    ),
  ];
}

function ratioResults(n: number, m: Measures, s: string): Result[] {
  return [
    medianResult(
      `ratio.apply_over_floor.${n}`,
      ratiosOf(m.applyA, m.vtyshF),
      'x',
      s,
      'frr.apply / baseline.frr_vtysh_f.apply (target ≤ 1.2)',
    ),
    medianResult(
      `ratio.restart_over_floor.${n}`,
      ratiosOf(m.restart, m.rawRestart),
      'x',
      s,
      'frr.restart_recovery / baseline.frr_raw.restart (target ≤ 1.2)',
    ),
    medianResult(
      `ratio.restart_over_floor_converged.${n}`,
      ratiosOf(m.restart, m.rawRestartConverged),
      'x',
      s,
      'frr.restart_recovery / baseline.frr_raw.restart_converged (the same end point: routes back)',
    ),
  ];
}

function cpuResults(n: number, m: Measures, s: string): Result[] {
  return Object.entries(m.cpu).flatMap(([phase, procs]) =>
    Object.entries(procs).map(([proc, runs]) => medianResult(`profile.frr.${phase}.${proc}.${n}`, runs, 'ms cpu', s)),
  );
}

export function resultsOf(n: number, m: Measures, size: string, failed: string | undefined): Result[] {
  // A checkpoint (frr-bench.ts) is a run still going or stopped: what it has are whole measures.
  const how =
    failed === undefined
      ? ''
      : failed.startsWith('partial')
        ? `; ${failed}: the phases after it are n/a`
        : `; DID NOT FINISH (${failed.slice(0, 200)}): times are lower bounds`;
  const note = `${n} VRFs and L2VNIs per node, one local port per network and node${how}`;
  return [
    ...applierResults(n, m, size, note),
    ...reloadResults(n, m, size),
    ...floorResults(n, m, size),
    ...ratioResults(n, m, size),
    ...cpuResults(n, m, size),
  ];
}
