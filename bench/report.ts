// Merges the per-area result files of one bench/run.sh into results.json
// (an array of {name, value, unit, size}) and a readable REPORT.md: machine,
// date, sizes, medians with every run, the ratios, the targets of issue 8, and
// the hand-written analysis of missed targets (bench/findings.md).
//
// The FRR area comes from one file per test world (frr-<stack>.json) and is
// shown side by side (bench/lib/report-frr.ts). --carry FILE takes the
// operator's and the agent's results from an earlier results.json when this
// run did not measure them. --areas: the areas run.sh ran (a small run of one
// area has no carried figures for the others, and does not miss them).
//
//   node bench/report.ts --dir bench/results/full --size full --seconds N --json OUT.json --md OUT.md [--smoke] [--carry FILE] [--areas LIST]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSize, smokeOf } from './lib/sizes.ts';
import { fmt, frrTables, frrTargets, isFrrMetric, stacksOf, type StackResult, type Target } from './lib/report-frr.ts';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    size: { type: 'string' },
    seconds: { type: 'string' },
    json: { type: 'string' },
    md: { type: 'string' },
    smoke: { type: 'boolean' },
    carry: { type: 'string' },
    areas: { type: 'string' },
  },
});
const dir = values.dir ?? 'bench/results/full';
const size = values.smoke === true ? smokeOf(parseSize(values.size)) : parseSize(values.size);

const read = (path: string): StackResult[] =>
  existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as StackResult[]) : [];
const frrFiles = readdirSync(dir).filter((f) => /^frr(-[a-z]+)?\.json$/.test(f));
const measured = [...read(join(dir, 'operator.json')), ...read(join(dir, 'agent.json'))];
// The operator's and agent's results of an earlier full run, when this run measured neither.
const carried =
  values.carry !== undefined && measured.length === 0
    ? read(values.carry).filter((r) => !isFrrMetric(r.name) && r.stack === undefined)
    : [];
const frr = frrFiles.flatMap((f) => read(join(dir, f)));
const results: StackResult[] = [...measured, ...carried, ...frr];
const stacks = stacksOf(frr);
/** Each stack's world (FRR, OVN, OVS versions), as the guest printed it. */
const worlds: Record<string, string> = Object.fromEntries(
  stacks.map((s) => {
    const path = join(dir, `frr-${s}.world.json`);
    return [s, existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { versions: string }).versions : '?'];
  }),
);
// Lookups by name: the operator's and the agent's results, and the FRR area of the first stack (current).
const byName = new Map(
  results.filter((r) => !isFrrMetric(r.name) || (r.stack ?? 'unknown') === stacks[0]).map((r) => [r.name, r]),
);
const v = (name: string): number | undefined => byName.get(name)?.value;

const MB = 1e6 / (1024 * 1024); // 1 MB in MiB
const check = (x: number | undefined, ok: (x: number) => boolean): boolean | undefined =>
  x === undefined ? undefined : ok(x);

/** The operator's and the agent's own targets. */
function componentTargets(): Target[] {
  const p99 = v('operator.ovn_to_object.p99');
  const ratioBatch = v('ratio.agent_over_batch');
  const noop = v('agent.noop_resync');
  const noopWrites = v('agent.noop_resync.netlink_writes');
  const agentRss = v('agent.rss_after_cold_start');
  const opRss = v('operator.rss_after_changes');
  const opPeak = v('operator.max_rss');
  const ratioPer = v('ratio.agent_over_per_command');
  const restartWrites = v('operator.restart_full_resync.api_writes');
  return [
    { what: 'OVN→object p99 ≤ 100 ms', measured: fmt(p99, ' ms'), met: check(p99, (x) => x <= 100) },
    {
      what: 'cold start within 1.5× of the batch floor',
      measured: `${fmt(ratioBatch, '×')} (agent ${fmt(v('agent.cold_start'), ' ms')}, floor ${fmt(v('baseline.batch.cold_start'), ' ms')})`,
      met: check(ratioBatch, (x) => x <= 1.5),
    },
    {
      what: 'no-op resync ≤ 200 ms with 0 writes',
      measured: `${fmt(noop, ' ms')}, ${fmt(noopWrites)} writes`,
      met: noop === undefined ? undefined : noop <= 200 && noopWrites === 0,
    },
    {
      what: 'agent RSS ≤ 150 MB (143 MiB)',
      measured: fmt(agentRss, ' MiB'),
      met: check(agentRss, (x) => x <= 150 * MB),
    },
    {
      what: 'initial mirror ≤ 10 s',
      measured: `${fmt(v('operator.initial_mirror'), ' ms')} for ${fmt(v('operator.initial_mirror.api_writes'))} writes`,
      met: check(v('operator.initial_mirror'), (x) => x <= 10_000),
    },
    onePassTarget(),
    {
      what: 'operator RSS ≤ 250 MB (238 MiB)',
      measured: `${fmt(v('operator.rss_idle'), ' MiB')} after the initial mirror, ${fmt(opRss, ' MiB')} after the 200 changes, ${fmt(opPeak, ' MiB')} peak`,
      met: check(opRss, (x) => x <= 250 * MB),
    },
    {
      what: '≥ 10× faster than one process per command',
      measured: `${fmt(ratioPer === undefined ? undefined : 1 / ratioPer, '×')} faster (sample, measured: ${fmt(v('ratio.agent_over_per_command.sample') === undefined ? undefined : 1 / (v('ratio.agent_over_per_command.sample') ?? 1), '×')})`,
      met: check(ratioPer, (x) => x <= 0.1),
    },
    {
      what: 'restart resync makes 0 API writes',
      measured: `${fmt(restartWrites)} writes, ${fmt(v('operator.restart_full_resync.objects_changed'))} objects changed`,
      met: check(restartWrites, (x) => x === 0),
    },
  ];
}

function targets(): Target[] {
  return [...componentTargets(), ...frrTargets(frr, size.frrNetworks)];
}

/** Issue 17: a one-network change costs the same at 100 and at 1,000 networks (in-process pass, bench/lib/mirror-pass-cost.ts); "the same" within 2×. */
function onePassTarget(): Target {
  const small = v('operator.one_network_pass.small');
  const full = v('operator.one_network_pass.full');
  const ratio = small === undefined || full === undefined ? undefined : full / small;
  return {
    what: 'one-network change: the same mirror pass cost at 100 and 1,000 networks (≤ 2×)',
    measured: `${fmt(small, ' ms')} at 100, ${fmt(full, ' ms')} at 1,000 (${fmt(ratio, '×')}; full pass ${fmt(v('operator.full_pass.full'), ' ms')} at 1,000); ${fmt(v('operator.mirror_pass.networks_recomputed'))} networks recomputed per pass in the operator`,
    met: check(ratio, (x) => x <= 2),
  };
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'n/a';
  }
}

/** The host's load around each area of the run (bench/run.sh writes load-<area>.txt). */
function loads(): string[] {
  return readdirSync(dir)
    .filter((f) => /^load-.+\.txt$/.test(f))
    .sort()
    .map((f) => `- host load, ${f.slice(5, -4)}: ${readFileSync(join(dir, f), 'utf8').trim().split('\n').join('; ')}`);
}

function machine(): string[] {
  const cpu = cpus();
  const dpkg = (p: string): string => sh('dpkg-query', ['-W', '-f', '${Version}', p]);
  return [
    `- host: ${cpu.length} × ${cpu[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${sh('uname', ['-r'])}; load average when the report was written ${loadavg()
      .map((x) => x.toFixed(1))
      .join(
        ' / ',
      )} (the machine is shared: other work competes for its CPUs, which is why the ratios, taken in the same run, are the claim)`,
    `- kernel benchmarks: user-mode Linux ${dpkg('user-mode-linux')} (Linux 6.1, 1 CPU, 1500 MiB; 3,000 MiB for FRR at full size), as \`make test-uml\` runs it`,
    `- Node ${process.version}; the operator area: OVN ${dpkg('ovn-central')} (host); the agent area: iproute2 ${dpkg('iproute2')} (host root); kube-apiserver + etcd from \`test/harness/cluster\``,
    ...stacks.map((s) => `- FRR area, stack **${s}** (UML guest on that test world's root): ${worlds[s] ?? '?'}`),
    ...loads(),
  ];
}

const section = (title: string, prefix: RegExp): string[] => {
  const rows = results.filter((r) => prefix.test(r.name) && !isFrrMetric(r.name));
  if (rows.length === 0) return [];
  return [
    `### ${title}`,
    '',
    '| metric | median | unit | runs | note |',
    '|---|---:|---|---|---|',
    ...rows.map(
      (r) =>
        `| \`${r.name}\` | ${fmt(r.value)} | ${r.unit} | ${r.runs === undefined ? '1' : r.runs.map((x) => fmt(x)).join(', ')} | ${r.note ?? ''} |`,
    ),
    '',
  ];
};

const seconds = Number(values.seconds ?? Number.NaN);
const findingsPath = join(import.meta.dirname, 'findings.md');
const md = [
  '# Scale benchmarks (issue 8)',
  '',
  `Generated by \`bench/run.sh --size ${size.name}${values.smoke === true ? ' --smoke' : ''}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; the whole suite took ${Number.isNaN(seconds) ? '?' : `${Math.floor(seconds / 60)} min ${seconds % 60} s`}.`,
  'Rerun with `make bench` (full) or `make bench SIZE=small`; raw per-area files land in `bench/results/` (git-ignored).',
  ...(carried.length > 0
    ? [
        '',
        `This run measured the FRR area only (${stacks.join(', ')}); the operator's and the agent's figures are carried over from the previous full run (\`${values.carry ?? ''}\`, medians only).`,
      ]
    : []),
  '',
  '## Machine',
  '',
  ...machine(),
  '',
  '## Sizes',
  '',
  `- ${size.networks} networks (each with its own VRF), ${size.ports} VM ports, ${size.associations} OVN associations (${size.networks} network + ${size.networks} router + ${size.associations - 2 * size.networks} port), ${size.chassis} chassis`,
  `- kernel: every port local to the benchmarked node (${size.ports} FDB + ${size.ports} neighbour entries); ${fmt(v('workload.kernel_ops'))} kernel ops, ${fmt(v('workload.iproute2_commands'))} iproute2 commands`,
  `- ${size.runs} runs of every kernel and restart benchmark (medians below, every run listed); ${size.ovnChanges} OVN changes; FRR with ${size.frrNetworks.map((n, i) => `${n} networks (${size.frrRuns[i] ?? 1} run${(size.frrRuns[i] ?? 1) > 1 ? 's' : ''})`).join(' and ')}`,
  `- the one-process-per-command baseline runs every ${size.perCommandSample}. network${size.perCommandSample > 1 ? ' and is scaled to the full command count (its cost is ~constant per process); the agent is also timed on the same sample, for a ratio with no extrapolation' : ''}`,
  '',
  '## Targets',
  '',
  '| target | measured | |',
  '|---|---|---|',
  ...targets().map(
    (t) => `| ${t.what} | ${t.measured} | ${t.met === undefined ? 'n/a' : t.met ? 'met' : '**missed**'} |`,
  ),
  '',
  '## Ratios (the claim; absolute UML times only describe this machine)',
  '',
  `- agent cold start / \`ip -batch\` + \`bridge -batch\` floor: **${fmt(v('ratio.agent_over_batch'), '×')}**`,
  `- agent cold start / one process per command: **${fmt(v('ratio.agent_over_per_command'), '×')}** (${fmt(v('baseline.per_command.ms_per_command'), ' ms')} per process; measured on the sample: ${fmt(v('ratio.agent_over_per_command.sample'), '×')})`,
  `- both baselines leave exactly the agent's kernel state: the agent's planner finds ${fmt(v('baseline.batch.residual_diff'))} and ${fmt(v('baseline.per_command.residual_diff'))} differences afterwards`,
  '',
  '## Results',
  '',
  ...section('Operator (real OVN NB/SB + northd, real kube-apiserver)', /^operator\./),
  ...section('Node agent (kernel pass in UML)', /^agent\./),
  ...section('Baselines (same kernel, same run)', /^(baseline|ratio|workload)\./),
  ...frrTables(frr, worlds),
  ...(existsSync(findingsPath) && values.smoke !== true ? [readFileSync(findingsPath, 'utf8')] : []),
].join('\n');

const json = `${JSON.stringify(
  results.map((r) => ({
    name: r.name,
    value: r.value,
    unit: r.unit,
    size: r.size,
    ...(r.stack === undefined ? {} : { stack: r.stack }),
  })),
  null,
  1,
)}\n`;
writeFileSync(values.json ?? join(dir, 'results.json'), json);
writeFileSync(values.md ?? join(dir, 'REPORT.md'), md);
const ran = (values.areas ?? 'operator,agent,frr').split(',');
const missing = [
  ...(ran.includes('operator') || carried.length > 0 ? ['operator.ovn_to_object.p99'] : []),
  ...(ran.includes('agent') || carried.length > 0
    ? ['agent.cold_start', 'baseline.batch.cold_start', 'baseline.per_command.cold_start']
    : []),
].filter((n) => !byName.has(n));
if (missing.length > 0) {
  process.stderr.write(`report: missing results: ${missing.join(', ')}\n`);
  process.exit(1);
}
