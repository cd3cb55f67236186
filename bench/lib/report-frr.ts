// The FRR area of the bench report (pure): each stack's results side by side
// under the same metric names, the targets of issues 8 and 27 per stack, and
// the CPU per daemon of every phase (the profile of a miss).
import type { Result } from './stats.ts';

export type StackResult = Result & { readonly stack?: string };

export interface Target {
  what: string;
  measured: string;
  met: boolean | undefined;
}

/** Names the FRR area writes (frr-bench.ts); everything else belongs to the operator and agent areas. */
export const isFrrMetric = (name: string): boolean =>
  /^(frr\.|profile\.frr\.|baseline\.frr_|ratio\.(frr_reload_over_apply|apply_over_floor|restart_over_floor))/.test(
    name,
  );

// NaN (a run that did not get there) is null in the JSON files.
export const fmt = (x: number | undefined | null, unit = ''): string =>
  x === undefined || x === null || !Number.isFinite(x)
    ? 'n/a'
    : `${Number.isInteger(x) ? x : x.toFixed(Math.abs(x) < 1 ? 3 : Math.abs(x) < 10 ? 2 : 1)}${unit}`;
const check = (x: number | undefined, ok: (x: number) => boolean): boolean | undefined =>
  x === undefined ? undefined : ok(x);

/** The stacks present, current first. */
export function stacksOf(results: readonly StackResult[]): string[] {
  const s = [...new Set(results.filter((r) => isFrrMetric(r.name)).map((r) => r.stack ?? 'unknown'))];
  return s.sort((a, b) => (a === 'current' ? -1 : b === 'current' ? 1 : a.localeCompare(b)));
}

export function frrValue(results: readonly StackResult[], stack: string): (name: string) => number | undefined {
  const by = new Map(results.filter((r) => (r.stack ?? 'unknown') === stack).map((r) => [r.name, r.value]));
  return (name) => {
    const x = by.get(name) as number | null | undefined;
    return x === null || x === undefined || !Number.isFinite(x) ? undefined : x;
  };
}

/** Issue 27 item 1: each FRR measure against FRR's own cost in the same run. */
function floorTargets(v: (name: string) => number | undefined, n: number, stack: string): Target[] {
  const at = (m: string): number | undefined => v(`${m}.${n}`);
  const within = (ours: string, floor: string, what: string): Target => {
    const x = at(ours);
    const f = at(floor);
    const d = x === undefined || f === undefined ? undefined : x - f;
    return {
      what: `[${stack}] ${what} at ${n} ≤ floor + 200 ms (floor: ${floor.includes('vty') ? 'the lines over the vty sockets' : 'one `vtysh -f`'})`,
      measured: `${fmt(x, ' ms')} vs ${fmt(f, ' ms')} (${d !== undefined && d >= 0 ? '+' : ''}${fmt(d, ' ms')})`,
      met: x === undefined || f === undefined ? undefined : x <= f + 200,
    };
  };
  const ratio = at('ratio.apply_over_floor');
  const restart = at('ratio.restart_over_floor');
  return [
    {
      what: `[${stack}] cold apply of ${n} VRFs ≤ 1.2× one \`vtysh -f\``,
      measured: `${fmt(ratio, '×')} (${fmt(at('frr.apply'), ' ms')} vs ${fmt(at('baseline.frr_vtysh_f.apply'), ' ms')})`,
      met: check(ratio, (x) => x <= 1.2),
    },
    within('frr.change_one', 'baseline.frr_raw.change_one', 'one VRF added'),
    within('frr.change_one', 'baseline.frr_raw_vty.change_one', 'one VRF added'),
    within('frr.remove_one', 'baseline.frr_raw.remove_one', 'one VRF removed'),
    within('frr.remove_one', 'baseline.frr_raw_vty.remove_one', 'one VRF removed'),
    {
      what: `[${stack}] restart recovery at ${n} ≤ 1.2× FRR's own restart`,
      measured: `${fmt(restart, '×')} (${fmt(at('frr.restart_recovery'), ' ms')} vs ${fmt(at('baseline.frr_raw.restart'), ' ms')} until every VNI is up; ${fmt(at('ratio.restart_over_floor_converged'), '×')} of ${fmt(at('baseline.frr_raw.restart_converged'), ' ms')} until the routes are back)`,
      met: check(restart, (x) => x <= 1.2),
    },
  ];
}

/** Issue 8's FRR targets (kept for comparison with earlier reports). */
function issue8Targets(v: (name: string) => number | undefined, n: number, stack: string): Target[] {
  const ratio = v(`ratio.frr_reload_over_apply.${n}`);
  const t: Target[] = [
    {
      what: `[${stack}] cold apply of ${n} VRFs ≥ 10× faster than frr-reload.py (issue 8)`,
      measured: `${fmt(ratio, '×')} (${fmt(v(`frr.apply.${n}`), ' ms')} vs ${fmt(v(`baseline.frr_reload.apply.${n}`), ' ms')})`,
      met: check(ratio, (x) => x >= 10),
    },
  ];
  const routes = v(`frr.routes_exchanged.${n}`);
  if (routes !== undefined) {
    const limit = routes <= 100 ? 5000 : routes <= 1000 ? 30_000 : 120_000;
    const conv = v(`frr.converge_after_apply.${n}`);
    t.push({
      what: `[${stack}] convergence, ${n} networks (${routes} routes → < ${limit / 1000} s), after both configs are applied (issue 8)`,
      measured: `${fmt(conv, ' ms')}; from the start of the first apply ${fmt(v(`frr.config_to_converged.${n}`), ' ms')}`,
      met: check(conv, (x) => x < limit),
    });
  }
  return t;
}

export function frrTargets(results: readonly StackResult[], sizes: readonly number[]): Target[] {
  return stacksOf(results).flatMap((stack) => {
    const v = frrValue(results, stack);
    return sizes
      .filter((n) => v(`frr.apply.${n}`) !== undefined)
      .flatMap((n) => [...floorTargets(v, n, stack), ...issue8Targets(v, n, stack)]);
  });
}

/** One table, a column per stack: every FRR metric by name (profiles apart). */
export function frrTables(results: readonly StackResult[], worlds: Readonly<Record<string, string>>): string[] {
  const stacks = stacksOf(results);
  if (stacks.length === 0) return [];
  const table = (title: string, names: string[]): string[] => {
    const values = stacks.map((s) => {
      const by = new Map(results.filter((r) => (r.stack ?? 'unknown') === s).map((r) => [r.name, r]));
      return (name: string): StackResult | undefined => by.get(name);
    });
    const cell = (r: StackResult | undefined): string =>
      r === undefined
        ? ''
        : `${fmt(r.value)}${r.runs !== undefined && r.runs.length > 1 ? ` (${r.runs.map((x) => fmt(x)).join(', ')})` : ''}`;
    return [
      `### ${title}`,
      '',
      `| metric | ${stacks.map((s) => `${s} (${worlds[s] ?? '?'})`).join(' | ')} | unit | note |`,
      `|---|${stacks.map(() => '---:').join('|')}|---|---|`,
      ...names.map((name) => {
        const rs = values.map((get) => get(name));
        const any = rs.find((r) => r !== undefined);
        return `| \`${name}\` | ${rs.map(cell).join(' | ')} | ${any?.unit ?? ''} | ${any?.note ?? ''} |`;
      }),
      '',
    ];
  };
  const names = (re: RegExp): string[] => [...new Set(results.filter((r) => re.test(r.name)).map((r) => r.name))];
  return [
    ...table(
      'FRR (two nodes in UML), each stack side by side',
      names(/^(frr\.|baseline\.frr_|ratio\.(frr_reload|apply_over|restart_over))/),
    ),
    ...table(
      "FRR: CPU per process and phase (node a's daemons; the bench with its vtysh / frr-reload.py children)",
      names(/^profile\.frr\./),
    ),
  ];
}
