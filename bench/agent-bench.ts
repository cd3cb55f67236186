// Node agent on a real kernel (run inside the UML guest by bench/run.sh):
// the agent's kernel pass (render → read → diff → apply, node-agent/kernel)
// for cold start, no-op resync, one network changed and teardown, reading the
// kernel as the agent does, through the state cache fed by the real monitors
// (kernel/state-cache.ts, `ip monitor` + `bridge monitor fdb`); and on the
// same kernel, in the same run, the same workload as one `ip`/`bridge`
// process per command (the way a shell-driven agent works) and as one `ip -batch` + one
// `bridge -batch` (the floor). After every baseline the agent's own planner
// diffs the kernel against the desired state: 0 differences proves the
// baseline built exactly what the agent builds.
//
//   node bench/agent-bench.ts --size small|full [--smoke] [--runs N] --out FILE
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openKernel, type KernelAdapter } from '../node-agent/kernel/netlink/index.ts';
import { readActualState } from '../node-agent/kernel/actual-state.ts';
import { diffKernelState, planSize } from '../node-agent/kernel/diff-kernel-state.ts';
import { renderKernelState } from '../node-agent/kernel/render-kernel-state.ts';
import { runKernelPass, type KernelPassResult } from '../node-agent/kernel/kernel-pass.ts';
import { DriftWatch } from '../node-agent/kernel/netlink/drift-watch.ts';
import { KernelStateCache } from '../node-agent/kernel/state-cache.ts';
import { coldCommandsOf } from './lib/cold-commands.ts';
import { splitBatches } from './lib/iproute-commands.ts';
import { nodeWorkload, withOnePortAdded, type NodeWorkload } from './lib/node-workload.ts';
import { log, mustRun } from './lib/shell.ts';
import { parseSize, smokeOf } from './lib/sizes.ts';
import { medianResult, mib, timed, type Result } from './lib/stats.ts';

const { values } = parseArgs({
  options: { size: { type: 'string' }, smoke: { type: 'boolean' }, out: { type: 'string' }, runs: { type: 'string' } },
});
const base = parseSize(values.size);
const sized = values.smoke === true ? smokeOf(base) : base;
/** `--runs N`: fewer runs than the size's (a loaded machine, a short slot); the results say how many. */
const size = values.runs === undefined ? sized : { ...sized, runs: Math.max(1, Number(values.runs)) };
const out = values.out ?? 'bench/results/agent.json';

const monitor = new DriftWatch();
const cache = new KernelStateCache();
monitor.subscribeEvents((e) => {
  if ('line' in e) cache.onEvent(e.line);
  else {
    log(`monitor doubt: ${e.doubt}`);
    cache.invalidate();
  }
});

/** The agent's pass, through the cache; `noCache`: every kind dumped (the pass before the cache, for comparison). */
const pass = (k: KernelAdapter, w: NodeWorkload, noCache = false): Promise<KernelPassResult> =>
  runKernelPass(k, w.node, {
    vrfs: w.vrfs,
    networks: w.networks,
    portSets: w.portSets,
    rejectedVrfs: new Map(),
    rejectedNetworks: new Map(),
    ...(noCache ? {} : { cache }),
  });
const empty = (w: NodeWorkload): NodeWorkload => ({ ...w, vrfs: [], networks: [], portSets: [] });

/** The objects as the apiserver gives them: with a resourceVersion ("2": changed since `base`). */
function versioned(w: NodeWorkload, base?: NodeWorkload): NodeWorkload {
  const before = new Set<object>([...(base?.vrfs ?? []), ...(base?.networks ?? []), ...(base?.portSets ?? [])]);
  const rv = <T extends { metadata: object }>(o: T): T => ({
    ...o,
    metadata: { ...o.metadata, resourceVersion: base === undefined || before.has(o) ? '1' : '2' },
  });
  return { ...w, vrfs: w.vrfs.map(rv), networks: w.networks.map(rv), portSets: w.portSets.map(rv) };
}

/** Until the monitors have been quiet for 500 ms (the echoes of a pass's writes have reached the cache); its duration. */
async function monitorsSettled(limitMs = 120_000): Promise<number> {
  const started = performance.now();
  let seen = -1;
  while (performance.now() - started < limitMs) {
    const now = cache.stats.events + cache.stats.echoes + cache.stats.invalidations;
    if (now === seen) break;
    seen = now;
    await new Promise((r) => setTimeout(r, 500));
  }
  return performance.now() - started;
}

function failuresOf(r: KernelPassResult): string[] {
  const bad = [...r.vrfs.values(), ...r.networks.values()]
    .filter((o) => !o.ready)
    .map((o) => `${o.name}: ${o.message ?? ''}`);
  return [...r.nodeErrors, ...bad];
}

// Deleting br-evpn takes its IRBs with it and one veth end takes the other:
// the pass counts those ENODEVs as success (kernel-pass.ts), so none is tolerated here.
function mustSucceed(what: string, r: KernelPassResult): void {
  const f = failuresOf(r);
  if (f.length > 0) throw new Error(`${what}: ${f.length} failure(s): ${f.slice(0, 3).join(' | ')}`);
}

/** Differences between the kernel and the agent's desired state (0: the kernel is exactly as the agent wants it). */
async function residual(k: KernelAdapter, w: NodeWorkload): Promise<number> {
  const desired = renderKernelState(w.node, w.vrfs, w.networks, w.portSets).desired;
  return planSize(diffKernelState(desired, await readActualState(k)));
}

const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The agent's workload, its iproute2 commands, and the per-command sample, with the baseline scripts written out. */
function prepareWorkload() {
  const full = nodeWorkload({ networks: size.networks, ports: size.ports });
  const sample = nodeWorkload({
    networks: size.networks,
    ports: size.ports,
    only: (i) => i % size.perCommandSample === 0,
  });
  const fullCommands = coldCommandsOf(full);
  const sampleCommands = coldCommandsOf(sample);
  const batches = splitBatches(fullCommands);
  writeFileSync('/tmp/bench-ip.batch', batches.ip);
  writeFileSync('/tmp/bench-bridge.batch', batches.bridge);
  writeFileSync(
    '/tmp/bench-per-command.sh',
    `set -e\n${sampleCommands.map((c) => [c.tool, ...c.args].map(shellQuote).join(' ')).join('\n')}\n`,
  );
  log(
    `agent bench: ${size.name}, ${full.networks.length} networks, ${size.ports} ports, ${size.runs} runs; ${fullCommands.length} iproute2 commands (${batches.ipLines} ip + ${batches.bridgeLines} bridge), per-command sample ${sampleCommands.length} commands (${sample.networks.length} networks)`,
  );
  return { full, sample, fullCommands, sampleCommands, batches };
}
type Workload = ReturnType<typeof prepareWorkload>;

function newMeasurements() {
  return {
    cold: [] as number[],
    coldWrites: [] as number[],
    noop: [] as number[],
    noopWrites: [] as number[],
    change: [] as number[],
    changeWrites: [] as number[],
    teardown: [] as number[],
    teardownWrites: [] as number[],
    noopRenderDiff: [] as number[],
    noopRenderDiffWrites: [] as number[],
    noopFullDump: [] as number[],
    noopFullDumpWrites: [] as number[],
    settle: [] as number[],
    batch: [] as number[],
    batchResidual: [] as number[],
    perCommandSample: [] as number[],
    perCommandResidual: [] as number[],
    agentSample: [] as number[],
    rss: [] as number[],
    heap: [] as number[],
    /** Kernel ops of the last cold start. */
    planned: 0,
  };
}
type Measurements = ReturnType<typeof newMeasurements>;

/** 1. the agent: cold start, no-op resync, one network changed, teardown. */
async function measureAgent(k: KernelAdapter, unversioned: NodeWorkload, m: Measurements): Promise<string> {
  const full = versioned(unversioned);
  const cold = await pass(k, full);
  mustSucceed('cold start', cold);
  m.planned = cold.planned;
  m.cold.push(cold.durationMs);
  m.coldWrites.push(cold.writes);
  const mem = process.memoryUsage();
  m.rss.push(mem.rss);
  m.heap.push(mem.heapUsed);
  m.settle.push(await monitorsSettled());
  // The resync after it: the pass settles on the cache (rendered and diffed once), then is skipped while nothing changes.
  const first = await pass(k, full);
  if (first.planned !== 0)
    throw new Error(`no-op after the cold start planned ${first.planned}: ${first.changes.join('; ')}`);
  const noop = await pass(k, full);
  m.noop.push(noop.durationMs);
  m.noopWrites.push(noop.writes + first.writes);
  // The same no-op, not skippable (no resourceVersions): render + diff on the cache.
  const renderDiff = await pass(k, unversioned);
  m.noopRenderDiff.push(renderDiff.durationMs);
  m.noopRenderDiffWrites.push(renderDiff.writes);
  // And without the cache: six dumps + render + diff (the pass before the cache).
  const fullDump = await pass(k, unversioned, true);
  m.noopFullDump.push(fullDump.durationMs);
  m.noopFullDumpWrites.push(fullDump.writes);
  const changed = versioned(withOnePortAdded(full, Math.floor(size.networks / 2)), full);
  const change = await pass(k, changed);
  mustSucceed('one network changed', change);
  m.change.push(change.durationMs);
  m.changeWrites.push(change.writes);
  const down = await pass(k, empty(full));
  mustSucceed('teardown', down);
  m.teardown.push(down.durationMs);
  m.teardownWrites.push(down.writes);
  if ((await residual(k, empty(full))) !== 0) throw new Error('teardown left owned objects behind');
  return `cold ${cold.durationMs.toFixed(0)} ms (${cold.writes} writes), monitors settled ${m.settle.at(-1)?.toFixed(0)} ms, no-op ${noop.durationMs.toFixed(0)} ms (skipped ${noop.skipped}; ${noop.writes} writes), render+diff ${renderDiff.durationMs.toFixed(0)} ms, full dump ${fullDump.durationMs.toFixed(0)} ms, change ${change.durationMs.toFixed(0)} ms (${change.writes} writes), teardown ${down.durationMs.toFixed(0)} ms`;
}

/** 2. the floor: one ip -batch + one bridge -batch. */
async function measureBatch(k: KernelAdapter, full: NodeWorkload, m: Measurements): Promise<string> {
  const [, tBatch] = await timed(async () => {
    await mustRun('ip', ['-batch', '/tmp/bench-ip.batch']);
    await mustRun('bridge', ['-batch', '/tmp/bench-bridge.batch']);
  });
  m.batch.push(tBatch);
  m.batchResidual.push(await residual(k, full));
  mustSucceed('cleanup after batch', await pass(k, empty(full)));
  return `batch ${tBatch.toFixed(0)} ms`;
}

/** 3. one process per command (a sample of the networks, see sizes.ts), and the agent on the same sample. */
async function measurePerCommand(k: KernelAdapter, w: Workload, m: Measurements): Promise<string> {
  const [, tPer] = await timed(() => mustRun('bash', ['/tmp/bench-per-command.sh'], { timeoutMs: 3_600_000 }));
  m.perCommandSample.push(tPer);
  m.perCommandResidual.push(await residual(k, w.sample));
  mustSucceed('cleanup after per-command', await pass(k, empty(w.full)));
  const agentSample = await pass(k, w.sample);
  mustSucceed('agent on the sample', agentSample);
  m.agentSample.push(agentSample.durationMs);
  mustSucceed('cleanup after sample', await pass(k, empty(w.full)));
  return `per-command sample ${tPer.toFixed(0)} ms vs agent ${agentSample.durationMs.toFixed(0)} ms`;
}

/** The agent's cold start and no-op resyncs: timings and netlink writes. */
function summarizeAgentPasses(m: Measurements): Result[] {
  const planned = m.planned;
  const s = size.name;
  return [
    medianResult(
      'agent.cold_start',
      m.cold,
      'ms',
      s,
      `${size.networks} networks (VRF, L3VNI bridge+vxlan, L2VNI vxlan, IRB), ${size.ports} FDB + ${size.ports} neighbours; ${planned} planned ops`,
    ),
    medianResult('agent.cold_start.netlink_writes', m.coldWrites, 'writes', s),
    medianResult(
      'agent.noop_resync',
      m.noop,
      'ms',
      s,
      'nothing to do, inputs (resourceVersions) and kernel cache unchanged: the pass is skipped',
    ),
    medianResult(
      'agent.noop_resync.netlink_writes',
      m.noopWrites,
      'writes',
      s,
      'the settling pass after the cold start and the no-op',
    ),
    medianResult(
      'agent.noop_render_diff',
      m.noopRenderDiff,
      'ms',
      s,
      'a no-op that cannot be skipped (objects without resourceVersion): render + diff on the kernel cache, no dump',
    ),
    medianResult('agent.noop_render_diff.netlink_writes', m.noopRenderDiffWrites, 'writes', s),
    medianResult(
      'agent.noop_full_dump',
      m.noopFullDump,
      'ms',
      s,
      'the same no-op without the cache: six netlink dumps + render + diff (the pass before issue 17)',
    ),
    medianResult('agent.noop_full_dump.netlink_writes', m.noopFullDumpWrites, 'writes', s),
  ];
}

/** After the cold start: the monitors settling, one network changed, teardown. */
function summarizeAgentChanges(m: Measurements): Result[] {
  const s = size.name;
  return [
    medianResult(
      'agent.cold_start.monitor_settle',
      m.settle,
      'ms',
      s,
      'after the cold start, until the monitors went quiet for 500 ms (their echoes reached the cache)',
    ),
    medianResult(
      'agent.one_network_changed',
      m.change,
      'ms',
      s,
      "one port added to one network (its port set's resourceVersion changed): render + diff on the cache, 2 writes, the cache updated from them",
    ),
    medianResult('agent.one_network_changed.netlink_writes', m.changeWrites, 'writes', s),
    medianResult(
      'agent.teardown',
      m.teardown,
      'ms',
      s,
      'every owned link, route, address, neighbour and FDB entry removed',
    ),
    medianResult('agent.teardown.netlink_writes', m.teardownWrites, 'writes', s),
  ];
}

/** The agent process's memory: at start, after the cold start, and the peak. */
function summarizeMemory(m: Measurements, rssAtStart: number): Result[] {
  const s = size.name;
  return [
    {
      name: 'agent.rss_after_cold_start',
      value: mib(m.rss[0] ?? Number.NaN),
      unit: 'MiB',
      size: s,
      note: "RSS after the first cold start, before any baseline ran in this process (later runs also carry the baselines' garbage)",
    },
    medianResult('agent.rss_after_cold_start.every_run', m.rss.map(mib), 'MiB', s),
    medianResult('agent.heap_used_after_cold_start', m.heap.map(mib), 'MiB', s),
    {
      name: 'agent.rss_at_start',
      value: mib(rssAtStart),
      unit: 'MiB',
      size: s,
      note: 'the same process before building any object: Node itself and the loaded modules',
    },
    {
      name: 'agent.max_rss',
      value: mib(process.resourceUsage().maxRSS * 1024),
      unit: 'MiB',
      size: s,
      note: 'peak RSS over the whole kernel benchmark (baseline batch files included)',
    },
  ];
}

/** The baselines (one batch, one process per command) on the same workload. */
function summarizeBaselines(w: Workload, m: Measurements, perCmdMs: readonly number[]): Result[] {
  const { sample, fullCommands, sampleCommands, batches } = w;
  const s = size.name;
  return [
    medianResult(
      'baseline.batch.cold_start',
      m.batch,
      'ms',
      s,
      `one ip -batch (${batches.ipLines} lines) + one bridge -batch (${batches.bridgeLines} lines)`,
    ),
    medianResult(
      'baseline.batch.residual_diff',
      m.batchResidual,
      'ops',
      s,
      'differences the agent finds after the batch (0: identical kernel state)',
    ),
    medianResult(
      'baseline.per_command.sample',
      m.perCommandSample,
      'ms',
      s,
      `${sampleCommands.length} processes for ${sample.networks.length} networks (every ${size.perCommandSample}. network)`,
    ),
    medianResult('baseline.per_command.residual_diff', m.perCommandResidual, 'ops', s),
    medianResult(
      'baseline.per_command.ms_per_command',
      m.perCommandSample.map((t) => t / sampleCommands.length),
      'ms',
      s,
    ),
    medianResult(
      'baseline.per_command.cold_start',
      perCmdMs,
      'ms',
      s,
      size.perCommandSample === 1
        ? `${fullCommands.length} processes`
        : `extrapolated: sample time per command × ${fullCommands.length} commands`,
    ),
  ];
}

/** The agent against the baselines, and the size of the workload. */
function summarizeRatios(w: Workload, m: Measurements, perCmdMs: readonly number[]): Result[] {
  const { fullCommands } = w;
  const planned = m.planned;
  const s = size.name;
  const ratio = (a: readonly number[], b: readonly number[]): number[] => a.map((x, i) => x / (b[i] ?? Number.NaN));
  return [
    medianResult('agent.cold_start.sample', m.agentSample, 'ms', s, 'agent cold start of the per-command sample'),
    medianResult('ratio.agent_over_batch', ratio(m.cold, m.batch), 'x', s, 'target ≤ 1.5'),
    medianResult('ratio.agent_over_per_command', ratio(m.cold, perCmdMs), 'x', s, 'target ≤ 0.1 (10× faster)'),
    medianResult(
      'ratio.agent_over_per_command.sample',
      ratio(m.agentSample, m.perCommandSample),
      'x',
      s,
      'measured on the sample, no extrapolation',
    ),
    { name: 'workload.iproute2_commands', value: fullCommands.length, unit: 'commands', size: s },
    { name: 'workload.kernel_ops', value: planned, unit: 'ops', size: s },
  ];
}

function summarize(w: Workload, m: Measurements, rssAtStart: number): Result[] {
  const perCmdMs = m.perCommandSample.map((t) => (t / w.sampleCommands.length) * w.fullCommands.length);
  return [
    ...summarizeAgentPasses(m),
    ...summarizeAgentChanges(m),
    ...summarizeMemory(m, rssAtStart),
    ...summarizeBaselines(w, m, perCmdMs),
    ...summarizeRatios(w, m, perCmdMs),
  ];
}

function cacheResults(): Result[] {
  const st = cache.stats;
  return [
    {
      name: 'agent.cache.full_reads',
      value: st.fullReads,
      unit: 'reads',
      size: size.name,
      note: 'full relists of the kernel cache over the whole benchmark (first read, doubt)',
    },
    {
      name: 'agent.cache.kind_reads',
      value: st.kindReads,
      unit: 'dumps',
      size: size.name,
      note: 'single-kind dumps (stale after events or our own writes)',
    },
    {
      name: 'agent.cache.echoes',
      value: st.echoes,
      unit: 'lines',
      size: size.name,
      note: "monitor lines recognised as echoes of the agent's own writes",
    },
    {
      name: 'agent.cache.events',
      value: st.events,
      unit: 'lines',
      size: size.name,
      note: "monitor lines that made a kind stale (the baselines run behind the agent's back)",
    },
  ];
}

async function main(): Promise<void> {
  const rssAtStart = process.memoryUsage().rss;
  const w = prepareWorkload();
  // A request may wait behind a whole pipelined chunk of VRF deletions: on a loaded guest that exceeds the default 30 s.
  const k = openKernel({ timeoutMs: 180_000 });
  const m = newMeasurements();
  const clean = await pass(k, empty(w.full));
  mustSucceed('initial cleanup', clean);
  for (let r = 0; r < size.runs; r++) {
    const agent = await measureAgent(k, w.full, m);
    const batch = await measureBatch(k, w.full, m);
    const perCommand = await measurePerCommand(k, w, m);
    log(`run ${r + 1}/${size.runs}: ${agent}; ${batch}; ${perCommand}`);
  }
  k.close();
  monitor.close();
  log(`kernel cache: ${JSON.stringify(cache.stats)}`);
  writeFileSync(out, `${JSON.stringify([...summarize(w, m, rssAtStart), ...cacheResults()], null, 1)}\n`);
  log(`agent bench: wrote ${out}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`agent-bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
