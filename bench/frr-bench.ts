// FRR at scale (run inside the UML guest of a test world by bench/run.sh), two
// nodes as in the testbed's t4 (bench/lib/frr-nodes.ts). Per N and run, all on
// the same kernel state in the same guest:
//  - render: the agent's buildFrrModel + renderFrrConfig (pure);
//  - apply: the agent's FrrApplier on a freshly started FRR (cold: the stanza
//    delta from the empty running config as one batch, read back and
//    compared), node a then node b;
//  - convergence: from the end of both applies until a has received from b
//    exactly what b sends and b from a (l2vpn evpn pfxRcd == pfxSnt), with at
//    least the type-3 and type-5 routes of every network; also reported from
//    the start of the first apply (config → converged);
//  - remove_one / change_one: the last network's VRF removed from node a's
//    model, then added back (one apply each, delta), then the same with the
//    minimal FRR commands alone (floor);
//  - restart_recovery: node a's FRR killed and started from the boot config the
//    way FRR's own scripts do (8.4: each daemon -f; 10: mgmtd first, then
//    `vtysh -b`), the applier's check() + apply(), until both nodes have
//    exchanged every route again; then FRR's own restart alone (floor);
//  - baselines: node a's FRR restarted empty, the same cold config applied with
//    one `vtysh -f` (floor), then with frr-reload.py (not in --smoke).
// Every phase also records the CPU of node a's daemons and of the bench with
// its vtysh children (profile.frr.*), for the report's profile of a miss.
//
//   node bench/frr-bench.ts --size small|full [--smoke] [--networks N,M] [--runs R] --out FILE
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { toFrrConfig } from '../node-agent/frr/frr-config.ts';
import type { FrrApplier } from '../node-agent/frr/reload.ts';
import { renderFrrConfig } from '../node-agent/frr/render.ts';
import { errorMessage } from '../lib/log.ts';
import { CONVERGE_MS, converged, minimumRoutes } from './lib/frr-converge.ts';
import { cpuNow, cpuSince } from './lib/frr-cpu.ts';
import { measureRawOneVrf, measureRawRestart, measureVtyshF } from './lib/frr-floors.ts';
import {
  applierOf,
  frrModel,
  killFrr,
  nodesOf,
  setUpNodes,
  startFrr,
  teardown,
  type FrrNode,
} from './lib/frr-nodes.ts';
import { addCpu, emptyMeasures, resultsOf, type Measures } from './lib/frr-results.ts';
import { log } from './lib/shell.ts';
import { parseSize, smokeOf } from './lib/sizes.ts';
import { versions } from './lib/frr-versions.ts';
import { timed, type Result } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    size: { type: 'string' },
    smoke: { type: 'boolean' },
    out: { type: 'string' },
    networks: { type: 'string' },
    runs: { type: 'string' },
  },
});
const base = parseSize(values.size);
const sized = values.smoke === true ? smokeOf(base) : base;
// --networks 100,1000 and --runs N override the size's FRR settings (for exploring).
const size = {
  ...sized,
  ...(values.networks === undefined ? {} : { frrNetworks: values.networks.split(',').map(Number) }),
  ...(values.runs === undefined ? {} : { frrRuns: sized.frrNetworks.map(() => Number(values.runs)) }),
};
const out = values.out ?? 'bench/results/frr.json';

/** Render, cold apply on both nodes and convergence; returns node a's applier and its cold apply time. */
async function measureCold(n: number, nodes: [FrrNode, FrrNode], m: Measures): Promise<FrrApplier> {
  const [a, b] = nodes;
  renderFrrConfig(frrModel(b)); // warm-up: the first call also compiles the zod schemas
  const [text, tRender] = await timed(() => Promise.resolve(renderFrrConfig(frrModel(a))));
  m.render.push(tRender);
  const t0 = performance.now();
  const applied: number[] = [];
  const appliers: FrrApplier[] = [];
  for (const node of nodes) {
    const applier = applierOf(node);
    appliers.push(applier);
    const before = cpuNow(node.ns);
    const [res, t] = await timed(() => applier.apply(toFrrConfig(frrModel(node))));
    if (res.mode !== 'delta') throw new Error(`cold apply went through ${res.mode}, not the delta`);
    if (node === a) addCpu(m, 'apply', cpuSince(before, cpuNow('a')));
    applied.push(t);
    log(
      `frr ${n}: node ${node.ns} applied in ${(t / 1000).toFixed(1)} s (${res.commands} lines; ms ${JSON.stringify(res.phasesMs)})`,
    );
  }
  m.applyA.push(applied[0] ?? Number.NaN);
  m.applyB.push(applied[1] ?? Number.NaN);
  const t1 = performance.now();
  const last = await converged(a, b, minimumRoutes(n), CONVERGE_MS, 'cold');
  const t2 = performance.now();
  m.converge.push(t2 - t1);
  m.total.push(t2 - t0);
  m.routes.push(last[0].rcd + last[1].rcd);
  log(
    `frr ${n}: config ${text.length} bytes rendered in ${tRender.toFixed(1)} ms; converged ${(t2 - t1).toFixed(0)} ms after both applies (routes a←b ${last[0].rcd}, b←a ${last[1].rcd})`,
  );
  const applier = appliers[0];
  if (applier === undefined) throw new Error('no applier for node a');
  return applier;
}

/** A floor that fails is noted on its metric and the run goes on: one full-size run per stack must not be lost to it. */
async function floorStep<T>(m: Measures, key: keyof Measures['notes'], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err: unknown) {
    const what = `failed: ${errorMessage(err).slice(0, 300)}`;
    (m.notes[key] ??= []).push(what);
    log(`frr floor ${key} ${what}`);
    return undefined;
  }
}

/** One VRF (the last network's) removed from node a, then added back: by the applier, then raw. */
async function measureOneVrf(n: number, [a, b]: [FrrNode, FrrNode], applierA: FrrApplier, m: Measures): Promise<void> {
  let before = cpuNow('a');
  const [removed, tRemove] = await timed(() => applierA.apply(toFrrConfig(frrModel(a, true))));
  addCpu(m, 'remove_one', cpuSince(before, (before = cpuNow('a'))));
  const [added, tAdd] = await timed(() => applierA.apply(toFrrConfig(frrModel(a))));
  addCpu(m, 'change_one', cpuSince(before, cpuNow('a')));
  if (removed.mode !== 'delta' || added.mode !== 'delta')
    throw new Error(`one-VRF changes went through ${removed.mode}/${added.mode}`);
  m.removeOne.push(tRemove);
  m.changeOne.push(tAdd);
  await converged(a, b, minimumRoutes(n), CONVERGE_MS, 'after the one-VRF changes');
  log(
    `frr ${n}: remove one VRF ${tRemove.toFixed(0)} ms (${removed.commands} lines; ms ${JSON.stringify(removed.phasesMs)}), add it back ${tAdd.toFixed(0)} ms (${added.commands} lines; ms ${JSON.stringify(added.phasesMs)})`,
  );
  // The smoke sends the floor's lines over the sockets only: each vtysh start costs seconds in the guest.
  const raw = await floorStep(m, 'rawRemove', () => measureRawOneVrf(a, values.smoke !== true));
  if (raw === undefined) return;
  m.rawVtyRemove.push(raw.vtyRemove.ms);
  m.rawVtyChange.push(raw.vtyAdd.ms);
  addCpu(m, 'raw_vty_remove_one', raw.vtyRemove.cpu);
  addCpu(m, 'raw_vty_change_one', raw.vtyAdd.cpu);
  if (raw.remove !== undefined && raw.add !== undefined) {
    m.rawRemove.push(raw.remove.ms);
    m.rawChange.push(raw.add.ms);
    addCpu(m, 'raw_remove_one', raw.remove.cpu);
    addCpu(m, 'raw_change_one', raw.add.cpu);
  }
  await converged(a, b, minimumRoutes(n), CONVERGE_MS, 'after the raw one-VRF changes');
}

/** Node a's FRR killed and started from the boot config; check() + apply(); routes back. Then FRR's own restart. */
async function measureRestart(n: number, nodes: [FrrNode, FrrNode], applierA: FrrApplier, m: Measures): Promise<void> {
  const [a, b] = nodes;
  const before = cpuNow('a');
  const tKill = performance.now();
  await killFrr('a');
  await startFrr('a', false);
  const tUp = performance.now() - tKill;
  const check = await applierA.check();
  const repaired = await applierA.apply(toFrrConfig(frrModel(a)));
  const tRepaired = performance.now() - tKill;
  addCpu(m, 'restart', cpuSince(before, cpuNow('a')));
  await converged(a, b, minimumRoutes(n), CONVERGE_MS, 'after the restart');
  const tBack = performance.now() - tKill;
  m.restart.push(tBack);
  log(
    `frr ${n}: FRR killed and restarted (answering after ${tUp.toFixed(0)} ms), check ${check.ok ? 'ok' : check.reason}, repair ${repaired.mode} (${repaired.commands} lines) done after ${tRepaired.toFixed(0)} ms, routes back after ${tBack.toFixed(0)} ms`,
  );
}

/** FRR's own restart from the same boot config (the floor of the restart recovery). */
async function measureRestartFloor(n: number, nodes: [FrrNode, FrrNode], m: Measures): Promise<void> {
  const raw = await floorStep(m, 'rawRestart', () => measureRawRestart(n, nodes));
  if (raw === undefined) return;
  m.rawRestart.push(raw.vnisUp.ms);
  m.rawRestartConverged.push(raw.converged);
  addCpu(m, 'raw_restart', raw.vnisUp.cpu);
}

/** The floor of a cold apply: one `vtysh -f` of the rendered config into node a's FRR started empty. */
async function measureApplyFloor(n: number, a: FrrNode, m: Measures): Promise<void> {
  const floor = await floorStep(m, 'vtyshF', () => measureVtyshF(n, a));
  if (floor === undefined) return;
  m.vtyshF.push(floor.apply.ms);
  m.vtyshFVnisUp.push(floor.vnisUp);
  addCpu(m, 'vtysh_f', floor.apply.cpu);
}

/** The frr-reload.py baseline: the same cold apply through it, on node a's FRR started empty. */
async function measureReloadBaseline(n: number, a: FrrNode, m: Measures): Promise<void> {
  await killFrr('a');
  await startFrr('a', true);
  const before = cpuNow('a');
  const t0 = performance.now();
  // frr-reload.py's whole run is the baseline's cost even when FRR then differs from the rendered config
  // (measured on FRR 10.7: it leaves `bgp deterministic-med` in every VRF instance); that is noted, not fatal.
  const outcome = await applierOf(a, true)
    .apply(toFrrConfig(frrModel(a)))
    .then((r) => (r.mode === 'reload' ? `${r.reloads} reload(s)` : `went through ${r.mode}`))
    .catch((err: unknown) => `FRR then differed: ${errorMessage(err).slice(0, 300)}`);
  const tBase = performance.now() - t0;
  addCpu(m, 'frr_reload', cpuSince(before, cpuNow('a')));
  m.baseline.push(tBase);
  if (!outcome.endsWith('reload(s)')) (m.notes.baseline ??= []).push(outcome);
  log(`frr ${n}: baseline frr-reload.py cold apply ${(tBase / 1000).toFixed(1)} s (${outcome})`);
}

/** One run at N networks; the measures go into `m`; `saved(phase)` after each phase. */
async function measureRun(n: number, r: number, m: Measures, saved: (phase: string) => void): Promise<void> {
  const runStart = performance.now();
  await teardown();
  const nodes = nodesOf(n);
  await setUpNodes(nodes);
  log(
    `frr ${n} run ${r + 1}: kernel state and FRR up in both nodes after ${((performance.now() - runStart) / 1000).toFixed(0)} s`,
  );
  const applierA = await measureCold(n, nodes, m);
  saved('the cold apply');
  await measureOneVrf(n, nodes, applierA, m);
  saved('the one-VRF changes');
  // A restart that does not converge in time is noted and the floors still run (each restarts node a itself).
  await floorStep(m, 'restart', () => measureRestart(n, nodes, applierA, m));
  saved('the restart recovery');
  // The smoke leaves FRR's own restart out (one more FRR start, ~8 s in the guest), as it does frr-reload.py.
  if (values.smoke !== true) await measureRestartFloor(n, nodes, m);
  saved("FRR's own restart");
  await measureApplyFloor(n, nodes[0], m);
  saved('the vtysh -f floor');
  // The smoke (make test) leaves frr-reload.py out: on FRR 10 it alone takes about a minute at 10 VRFs
  // in the guest, and the golden tests run it (node-agent/frr/golden-frr-reload.int.test.ts).
  if (values.smoke !== true) await measureReloadBaseline(n, nodes[0], m);
}

/** Every run at N networks; stops at the first that does not finish. `done`: the sizes before, for the checkpoints. */
async function measureSize(
  n: number,
  runs: number,
  done: readonly Result[],
): Promise<{ m: Measures; failed: string | undefined }> {
  const m = emptyMeasures();
  // A full run takes an hour or more: what each phase measured is on disk at its end, so a guest
  // stopped by its timeout (or by hand) still leaves its figures, marked as a partial run.
  const saved = (phase: string): void => {
    writeResults([...done, ...resultsOf(n, m, size.name, `partial: the run was stopped after ${phase}`)]);
  };
  for (let r = 0; r < runs; r++) {
    const runStart = performance.now();
    try {
      await measureRun(n, r, m, saved);
    } catch (err: unknown) {
      // A size that does not finish is a result too: its elapsed time is a lower bound.
      const failed = errorMessage(err);
      log(
        `frr ${n} run ${r + 1}: did not finish after ${((performance.now() - runStart) / 1000).toFixed(0)} s: ${failed}`,
      );
      if (m.total.length === 0) m.total.push(performance.now() - runStart);
      return { m, failed };
    }
  }
  return { m, failed: undefined };
}

const stack = process.env.EVPN_STACK ?? 'current';

/** The results so far, tagged with the stack; frr.restart_recovery is the last size's. */
function writeResults(results: readonly Result[]): void {
  const last = [...results].reverse().find((r) => r.name.startsWith('frr.restart_recovery.'));
  const alias = last === undefined ? [] : [{ ...last, name: 'frr.restart_recovery', note: `as ${last.name}` }];
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      [...results, ...alias].map((r) => ({ ...r, stack })),
      null,
      1,
    )}\n`,
  );
}

async function main(): Promise<void> {
  if (!existsSync('/usr/lib/frr/frr-reload.py')) throw new Error('FRR with frr-pythontools is required');
  const world = await versions();
  log(`frr bench on stack ${stack}: ${world}`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out.replace(/\.json$/, '.world.json'), `${JSON.stringify({ stack, versions: world })}\n`);
  const results: Result[] = [];
  for (const [index, n] of size.frrNetworks.entries()) {
    const { m, failed } = await measureSize(n, size.frrRuns[index] ?? 1, results);
    results.push(...resultsOf(n, m, size.name, failed));
  }
  await teardown();
  writeResults(results);
  log(`frr bench: wrote ${out}`);
}

main().catch(async (err: unknown) => {
  process.stderr.write(`frr-bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  await teardown().catch(() => undefined);
  process.exit(1);
});
