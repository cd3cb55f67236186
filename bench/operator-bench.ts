// Operator with `associations` associations loaded in real OVN NB and SB
// (ovsdb-server + ovn-northd) and a real kube-apiserver, run as its own
// process (operator/run.ts with the Node flags of bin/evpn-operator, what it runs):
//  - initial mirror: start → every object created;
//  - OVN change → object visible to a watcher, one change at a time, half of
//    them BGPVPN policy changes on a Logical_Switch (NB → EvpnVrf), half VM
//    migrations (SB Port_Binding.chassis → two EvpnPortSets); t0 is taken just
//    before the OVSDB transaction is sent, t1 when the bench's own informer
//    (a watch, like an agent's) sees the expected value;
//  - restart: SIGTERM, start again → first full mirror pass done (its
//    controller_reconcile_total), and the API writes it made (its
//    evpn_operator_api_writes_total, cross-checked by resourceVersions);
//  - RSS of the operator process.
//
//   node bench/operator-bench.ts --size small|full [--smoke] --out FILE
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../crds/index.ts';
import { Informer } from '../lib/kube/informer.ts';
import { resourcePath, type KubeObject } from '../lib/kube/resource.ts';
import { startKubeEnv, type KubeEnv } from '../test/harness/operator/kube-env.ts';
import { OvsdbClient, type Operation } from '../lib/ovsdb/index.ts';
import { evpnResources } from '../crds/resources.ts';
import type { Live } from '../operator/object-key.ts';
import { startOvnDatabases, type OvnDatabases } from '../test/harness/ovn/ovn-databases.ts';
import { findFreePorts } from '../test/harness/cluster/probes.ts';
import { waitFor } from '../test/harness/wait-for.ts';
import {
  bindOps,
  chassisName,
  chassisOf,
  expectedObjects,
  nbInserts,
  networkExternalIds,
  networkId,
  nodeName,
  portsOf,
  vmPortName,
  type OvnWorkloadOptions,
} from './lib/ovn-workload.ts';
import { apiserverFloorResults, apiserverWriteFloor } from './lib/apiserver-floor.ts';
import { log } from './lib/shell.ts';
import { parseSize, smokeOf } from './lib/sizes.ts';
import { measurePassCost } from './lib/mirror-pass-cost.ts';
import { median, medianResult, percentile, round, timed, type Result } from './lib/stats.ts';

const { values } = parseArgs({
  options: { size: { type: 'string' }, smoke: { type: 'boolean' }, out: { type: 'string' } },
});
const base = parseSize(values.size);
const size = values.smoke === true ? smokeOf(base) : base;
const out = values.out ?? 'bench/results/operator.json';
const repo = join(import.meta.dirname, '..');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves predicates as informer events arrive (the "visible" side of the latency). */
class Watcher<T extends KubeObject> {
  readonly informer: Informer<T>;
  #waiters: { pred: (o: T) => boolean; resolve: () => void }[] = [];
  constructor(env: KubeEnv, resource: (typeof evpnResources)[keyof typeof evpnResources]) {
    this.informer = new Informer<T>({ client: env.client, resource });
    const check = (o: T): void => {
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.pred(o)) return true;
        w.resolve();
        return false;
      });
    };
    this.informer.on({
      add: check,
      update: (_a, b) => {
        check(b);
      },
      delete: () => undefined,
    });
  }
  /** Registers before the change is made, so an early event is not missed. */
  expect(pred: (o: T) => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('change not visible in time'));
      }, timeoutMs);
      this.#waiters.push({
        pred,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

interface OperatorProcess {
  readonly child: ChildProcess;
  readonly metricsUrl: string;
  readonly startedAt: number;
  readonly exited: Promise<void>;
  stderr(): string;
}

/** The Node flags (heap sizes) bin/evpn-operator runs the operator with: the bench measures what ships. */
function shippedNodeFlags(): string {
  const line = /^node_flags='([^']*)'$/m.exec(readFileSync(join(repo, 'bin/evpn-operator'), 'utf8'));
  if (line?.[1] === undefined) throw new Error("bin/evpn-operator has no node_flags='…' line");
  return line[1];
}

async function startOperator(env: KubeEnv, ovn: OvnDatabases): Promise<OperatorProcess> {
  const [port] = await findFreePorts(1);
  if (port === undefined) throw new Error('no free port');
  const startedAt = performance.now();
  // BENCH_PROFILE=1: a CPU profile of every operator process, for REPORT.md's "why".
  const profile =
    process.env['BENCH_PROFILE'] === '1' ? ['--cpu-prof', '--cpu-prof-dir', join(repo, 'bench/results/profiles')] : [];
  // BENCH_OPERATOR_NODE_FLAGS: Node flags for the operator process in place of bin/evpn-operator's (empty: V8's defaults).
  const nodeFlags = (process.env['BENCH_OPERATOR_NODE_FLAGS'] ?? shippedNodeFlags()).split(' ').filter((f) => f !== '');
  const child = spawn(
    process.execPath,
    [
      ...nodeFlags,
      ...profile,
      join(repo, 'operator/run.ts'),
      '--ovn-nb',
      ovn.nbRemote.unix,
      '--ovn-sb',
      ovn.sbRemote.unix,
      '--metrics-addr',
      `127.0.0.1:${port}`,
      '--leader-elect=false',
      '--prune-grace',
      '5s',
    ],
    {
      env: { ...process.env, KUBECONFIG: env.cp.kubeconfigPath, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  return { child, metricsUrl: `http://127.0.0.1:${port}/metrics`, startedAt, exited, stderr: () => stderr };
}

async function stopOperator(p: OperatorProcess): Promise<void> {
  p.child.kill('SIGTERM');
  const killed = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
  await p.exited;
  clearTimeout(killed);
}

async function scrape(p: OperatorProcess): Promise<string | undefined> {
  try {
    const r = await fetch(p.metricsUrl);
    return r.ok ? await r.text() : undefined;
  } catch {
    return undefined;
  }
}

/** Sum of every sample of a metric whose labels include all of `labels`. */
function metricSum(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m?.[1] !== name) continue;
    const l = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

/** `apply evpnvrfs: 3, create events: 1`: the non-zero samples of a labelled counter. */
function breakdown(text: string, name: string): string {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && !/ 0$/.test(l))
    .map((l) => l.slice(name.length).replace(/[{}"]/g, '').replace(/\w+=/g, '').replace(',', ' '))
    .join(', ');
}

function rssOf(pid: number | undefined): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid ?? 0}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

async function transactChunks(
  client: OvsdbClient,
  db: string,
  ops: readonly Operation[],
  chunk: number,
): Promise<void> {
  for (let i = 0; i < ops.length; i += chunk) await client.transact(db, ops.slice(i, i + chunk));
}

/** The running benchmark: the workload, the components, the operator under test and the results so far. */
interface Bench {
  readonly o: OvnWorkloadOptions;
  readonly expected: ReturnType<typeof expectedObjects>;
  readonly env: KubeEnv;
  readonly ovn: OvnDatabases;
  readonly nb: OvsdbClient;
  readonly sb: OvsdbClient;
  readonly vrfs: Watcher<Live<EvpnVrf>>;
  readonly networks: Watcher<Live<EvpnNetwork>>;
  readonly portSets: Watcher<Live<EvpnPortSet>>;
  operator: OperatorProcess | undefined;
  readonly results: Result[];
}

async function chassisUuids(sb: OvsdbClient): Promise<Map<string, string>> {
  const [chassis] = await sb.transact('OVN_Southbound', [
    { op: 'select', table: 'Chassis', where: [], columns: ['_uuid', 'name'] },
  ] as const);
  return new Map(chassis.rows.map((r) => [typeof r['name'] === 'string' ? r['name'] : '', r._uuid]));
}

/** Chassis, networks and VM ports into OVN, the ports bound once northd made their Port_Bindings; returns chassis uuids by name. */
async function loadOvn(b: Bench): Promise<Map<string, string>> {
  const { o, ovn, nb, sb } = b;
  const [, tLoad] = await timed(async () => {
    for (let c = 0; c < o.chassis; c++)
      await ovn.sbctl([
        'chassis-add',
        chassisName(c),
        'geneve',
        `127.0.0.${c + 1}`,
        '--',
        'set',
        'Chassis',
        chassisName(c),
        `hostname=${nodeName(c)}`,
      ]);
    for (let i = 0; i < o.networks; i += 50) await client50(nb, nbInserts(o, i, Math.min(o.networks, i + 50)));
    const vmPorts = o.ports;
    await waitFor(
      'ovn-northd to create every Port_Binding',
      async () => {
        const [r] = await sb.transact('OVN_Southbound', [
          { op: 'select', table: 'Port_Binding', where: [['type', '==', '']], columns: ['logical_port'] },
        ] as const);
        return r.rows.length >= vmPorts;
      },
      { timeoutMs: 600_000, stepMs: 1000 },
    );
    const uuidByName = await chassisUuids(sb);
    const uuids = Array.from({ length: o.chassis }, (_, c) => uuidByName.get(chassisName(c)) ?? '');
    await transactChunks(sb, 'OVN_Southbound', bindOps(o, uuids, 0, o.networks), 2000);
    return uuids;
  });
  log(`OVN loaded in ${(tLoad / 1000).toFixed(1)} s`);
  return chassisUuids(sb);
}

/** Empty cluster → everything created; returns the operator's RSS once idle. */
async function measureInitialMirror(b: Bench): Promise<{ rss: number; hwm: number }> {
  const { vrfs, networks, portSets, expected } = b;
  for (const w of [vrfs, networks, portSets]) w.informer.start();
  await Promise.all([vrfs.informer.waitForSync(), networks.informer.waitForSync(), portSets.informer.waitForSync()]);
  const op0 = await startOperator(b.env, b.ovn);
  b.operator = op0;
  await waitFor(
    'the initial mirror',
    () => vrfs.informer.list().length >= expected.vrfs && portSets.informer.list().length >= expected.portSets,
    { timeoutMs: 900_000, stepMs: 50 },
  );
  const tInitial = performance.now() - op0.startedAt;
  const initialWrites = metricSum((await scrape(op0)) ?? '', 'evpn_operator_api_writes_total');
  log(`initial mirror: ${(tInitial / 1000).toFixed(1)} s, ${initialWrites} API writes`);
  b.results.push({
    name: 'operator.initial_mirror',
    value: round(tInitial),
    unit: 'ms',
    size: size.name,
    note: `process start → ${expected.vrfs} EvpnVrf, ${expected.networks} EvpnNetwork, ${expected.portSets} EvpnPortSet visible; 1 run`,
  });
  b.results.push({ name: 'operator.initial_mirror.api_writes', value: initialWrites, unit: 'writes', size: size.name });
  await sleep(2000);
  return rssOf(op0.child.pid);
}

/**
 * One OVN change: even k a BGPVPN policy change on a switch (an l2 BGPVPN's
 * local_pref lands on the network's L2VNI, so on its EvpnNetwork), odd k a VM
 * migrating to the next chassis.
 */
function ovnChange(
  b: Bench,
  k: number,
  chassisUuid: ReadonlyMap<string, string>,
  boundTo: Map<string, number>,
): { visible: Promise<void>; ops: Operation[] } {
  const i = (k * 7919) % b.o.networks;
  if (k % 2 === 0) {
    const localPref = 1000 + k;
    const name = networkId(i);
    return {
      visible: b.networks.expect((n) => n.metadata.name === name && n.spec.localPref === localPref, 30_000),
      ops: [
        {
          op: 'update',
          table: 'Logical_Switch',
          where: [['name', '==', `neutron-${networkId(i)}`]],
          row: { external_ids: networkExternalIds(i, localPref) },
        },
      ],
    };
  }
  // A VM migrates: its port moves on to the next chassis.
  const p = k % portsOf(b.o, i);
  const port = vmPortName(i, p);
  const to = ((boundTo.get(port) ?? chassisOf(b.o, i, p)) + 1) % b.o.chassis;
  boundTo.set(port, to);
  const setName = `${networkId(i)}.${nodeName(to)}`;
  return {
    visible: b.portSets.expect(
      (ps) => ps.metadata.name === setName && ps.spec.ports.some((x) => x.name === port),
      30_000,
    ),
    ops: [
      {
        op: 'update',
        table: 'Port_Binding',
        where: [['logical_port', '==', port]],
        row: { chassis: chassisUuid.get(chassisName(to)) ?? '' },
      },
    ],
  };
}

/** OVN change → object visible, one change at a time; returns the operator's RSS afterwards. */
async function measureOvnChanges(
  b: Bench,
  op0: OperatorProcess,
  chassisUuid: ReadonlyMap<string, string>,
): Promise<{ rss: number; hwm: number }> {
  const lat: { policy: number[]; move: number[] } = { policy: [], move: [] };
  const boundTo = new Map<string, number>();
  const before = (await scrape(op0)) ?? '';
  for (let k = 0; k < size.ovnChanges; k++) {
    const { visible, ops } = ovnChange(b, k, chassisUuid, boundTo);
    const t0 = performance.now();
    await (k % 2 === 0 ? b.nb.transact('OVN_Northbound', ops) : b.sb.transact('OVN_Southbound', ops));
    await visible;
    (k % 2 === 0 ? lat.policy : lat.move).push(performance.now() - t0);
  }
  const all = [...lat.policy, ...lat.move];
  const rssBusy = rssOf(op0.child.pid);
  log(
    `OVN→object over ${all.length} changes: p50 ${median(all).toFixed(1)} ms, p99 ${percentile(all, 99).toFixed(1)} ms`,
  );
  b.results.push(...ovnToObjectResults(lat, before, (await scrape(op0)) ?? ''));
  return rssBusy;
}

/** The OVN→object latencies of measureOvnChanges, and the mirror passes they caused. */
function ovnToObjectResults(lat: { policy: number[]; move: number[] }, before: string, opMetrics: string): Result[] {
  const s = size.name;
  const all = [...lat.policy, ...lat.move];
  return [
    {
      name: 'operator.ovn_to_object.p50',
      value: round(percentile(all, 50)),
      unit: 'ms',
      size: s,
      note: `${all.length} changes, one at a time; target p99 ≤ 100 ms`,
    },
    { name: 'operator.ovn_to_object.p99', value: round(percentile(all, 99)), unit: 'ms', size: s },
    { name: 'operator.ovn_to_object.max', value: round(Math.max(...all)), unit: 'ms', size: s },
    {
      name: 'operator.ovn_to_object.policy.p50',
      value: round(percentile(lat.policy, 50)),
      unit: 'ms',
      size: s,
      note: "NB Logical_Switch BGPVPN policy → EvpnNetwork (an l2 BGPVPN's L2VNI policy)",
    },
    { name: 'operator.ovn_to_object.policy.p99', value: round(percentile(lat.policy, 99)), unit: 'ms', size: s },
    {
      name: 'operator.ovn_to_object.migration.p50',
      value: round(percentile(lat.move, 50)),
      unit: 'ms',
      size: s,
      note: 'SB Port_Binding.chassis → EvpnPortSet of the new node',
    },
    { name: 'operator.ovn_to_object.migration.p99', value: round(percentile(lat.move, 99)), unit: 'ms', size: s },
    {
      name: 'operator.mirror_pass.mean',
      value: round(
        (metricSum(opMetrics, 'controller_reconcile_duration_seconds_sum', { controller: 'mirror' }) /
          Math.max(1, metricSum(opMetrics, 'controller_reconcile_duration_seconds_count', { controller: 'mirror' }))) *
          1000,
      ),
      unit: 'ms',
      size: s,
      note: "mean duration of one mirror reconcile (the operator's own histogram), the initial mirror included",
    },
    ...changePassResults(before, opMetrics),
  ];
}

/** The mirror passes during the changes only (deltas of the operator's own metrics): their mean duration and networks recomputed. */
function changePassResults(before: string, after: string): Result[] {
  const delta = (name: string, labels: Readonly<Record<string, string>> = {}): number =>
    metricSum(after, name, labels) - metricSum(before, name, labels);
  const passes = Math.max(1, delta('controller_reconcile_duration_seconds_count', { controller: 'mirror' }));
  return [
    {
      name: 'operator.mirror_pass.changes_mean',
      value: round((delta('controller_reconcile_duration_seconds_sum', { controller: 'mirror' }) / passes) * 1000, 2),
      unit: 'ms',
      size: size.name,
      note: `mean mirror reconcile during the ${size.ovnChanges} one-network changes (${passes} passes; writes included)`,
    },
    {
      name: 'operator.mirror_pass.networks_recomputed',
      value: round(delta('evpn_operator_mirror_networks_recomputed_total') / passes, 2),
      unit: 'networks',
      size: size.name,
      note: 'networks whose OVN rows a pass read again, per pass during the changes',
    },
  ];
}

/**
 * The CPU cost of one pass after a one-network change, in process, at the
 * small and the full size (bench/lib/mirror-pass-cost.ts): the same at both
 * when the pass is incremental.
 */
function measurePassCosts(b: Bench): void {
  const changes = values.smoke === true ? 10 : 100;
  for (const sz of [parseSize('small'), parseSize('full')]) {
    const c = measurePassCost(sz.networks, sz.ports, sz.chassis, changes);
    log(
      `one-network pass at ${sz.networks} networks: ${c.onePass.toFixed(2)} ms (${c.recomputed} network(s) recomputed); full pass ${c.fullPass.toFixed(0)} ms; ${c.objects} objects`,
    );
    b.results.push(
      {
        name: `operator.one_network_pass.${sz.name}`,
        value: round(c.onePass, 2),
        unit: 'ms',
        size: size.name,
        note: `in process, ${sz.networks} networks, ${c.objects} objects: mean of ${changes} one-network policy changes (index update, ${c.recomputed} network(s) recomputed, decisions across networks, API checks, plan)`,
      },
      {
        name: `operator.full_pass.${sz.name}`,
        value: round(c.fullPass, 1),
        unit: 'ms',
        size: size.name,
        note: 'the same steps with every network recomputed (start, --full-resync)',
      },
    );
  }
}

/** One restart: time to the first full mirror pass, its API writes and the objects whose resourceVersion moved. */
async function restartOnce(b: Bench, r: number): Promise<{ ms: number; writes: number; changed: number; rss: number }> {
  if (b.operator !== undefined) await stopOperator(b.operator);
  await sleep(500);
  const rvBefore = await resourceVersions(b.env);
  const p = await startOperator(b.env, b.ovn);
  b.operator = p;
  await waitFor(
    'the first mirror pass after restart',
    async () => {
      const text = await scrape(p);
      return text !== undefined && metricSum(text, 'controller_reconcile_total', { controller: 'mirror' }) >= 1;
    },
    { timeoutMs: 300_000, stepMs: 10 },
  );
  const ms = performance.now() - p.startedAt;
  await sleep(2000);
  const text = (await scrape(p)) ?? '';
  const writes = metricSum(text, 'evpn_operator_api_writes_total');
  if (writes !== 0)
    log(
      `restart ${r + 1}: writes ${breakdown(text, 'evpn_operator_api_writes_total')}; mirror ${breakdown(text, 'evpn_operator_mirror_writes_total')}; status ${breakdown(text, 'evpn_operator_status_writes_total')}`,
    );
  const rvAfter = await resourceVersions(b.env);
  const changed =
    [...rvAfter].filter(([k, v]) => rvBefore.get(k) !== v).length +
    [...rvBefore.keys()].filter((k) => !rvAfter.has(k)).length;
  log(
    `restart ${r + 1}/${size.runs}: first full pass ${ms.toFixed(0)} ms after spawn, ${writes} API writes, ${changed} objects changed`,
  );
  return { ms, writes, changed, rss: rssOf(p.child.pid).rss };
}

/** Restart: full resync, API writes; with the RSS figures of the earlier phases. */
async function measureRestarts(
  b: Bench,
  rssIdle: { rss: number },
  rssBusy: { rss: number; hwm: number },
): Promise<void> {
  const s = size.name;
  const runs: Awaited<ReturnType<typeof restartOnce>>[] = [];
  for (let r = 0; r < size.runs; r++) runs.push(await restartOnce(b, r));
  b.results.push(
    medianResult(
      'operator.restart_full_resync',
      runs.map((x) => x.ms),
      'ms',
      s,
      'process start → first mirror pass done (OVN monitors, 4 informer lists, build, diff), Node start-up included',
    ),
    medianResult(
      'operator.restart_full_resync.api_writes',
      runs.map((x) => x.writes),
      'writes',
      s,
      'all mutating requests up to 2 s after the pass (target 0)',
    ),
    medianResult(
      'operator.restart_full_resync.objects_changed',
      runs.map((x) => x.changed),
      'objects',
      s,
      'resourceVersion changes of every EvpnVrf/EvpnNetwork/EvpnPortSet across the restart',
    ),
    {
      name: 'operator.rss_idle',
      value: round(rssIdle.rss),
      unit: 'MiB',
      size: s,
      note: 'after the initial mirror; target ≤ 250 MB',
    },
    { name: 'operator.rss_after_changes', value: round(rssBusy.rss), unit: 'MiB', size: s },
    {
      name: 'operator.max_rss',
      value: round(rssBusy.hwm),
      unit: 'MiB',
      size: s,
      note: 'VmHWM: peak, the initial mirror included',
    },
    medianResult(
      'operator.rss_after_restart',
      runs.map((x) => x.rss),
      'MiB',
      s,
    ),
  );
}

async function stopBench(b: Bench): Promise<void> {
  if (b.operator !== undefined) {
    const err = b.operator.stderr();
    if (err.trim() !== '') log(`operator stderr (tail): ${err.slice(-1500)}`);
    await stopOperator(b.operator);
  }
  await Promise.all([b.vrfs.informer.stop(), b.portSets.informer.stop()]);
  await Promise.all([b.nb.close(), b.sb.close()]);
  await Promise.all([b.env.stop(), b.ovn.stop()]);
}

async function main(): Promise<void> {
  const o: OvnWorkloadOptions = {
    networks: size.networks,
    ports: size.ports,
    associations: size.associations,
    chassis: size.chassis,
  };
  const expected = expectedObjects(o);
  log(
    `operator bench: ${size.name}, ${o.networks} networks, ${o.ports} ports, ${o.associations} associations, ${o.chassis} chassis; expecting ${JSON.stringify(expected)}`,
  );

  const [env, ovn] = await Promise.all([startKubeEnv(), startOvnDatabases({ northd: true })]);
  const nb = await OvsdbClient.connect({
    remote: ovn.nbRemote.unix,
    databases: ['OVN_Northbound'],
    probeIntervalMs: 0,
  });
  const sb = await OvsdbClient.connect({
    remote: ovn.sbRemote.unix,
    databases: ['OVN_Southbound'],
    probeIntervalMs: 0,
  });
  const b: Bench = {
    o,
    expected,
    env,
    ovn,
    nb,
    sb,
    operator: undefined,
    results: [],
    vrfs: new Watcher<Live<EvpnVrf>>(env, evpnResources.vrfs),
    networks: new Watcher<Live<EvpnNetwork>>(env, evpnResources.networks),
    portSets: new Watcher<Live<EvpnPortSet>>(env, evpnResources.portSets),
  };
  try {
    const chassisUuid = await loadOvn(b);
    const rssIdle = await measureInitialMirror(b);
    const op0 = b.operator;
    if (op0 === undefined) throw new Error('the operator did not start');
    const rssBusy = await measureOvnChanges(b, op0, chassisUuid);
    await measureRestarts(b, rssIdle, rssBusy);
    measurePassCosts(b);
    // Last: the floor deletes every mirrored object and writes it again, with the operator stopped.
    if (b.operator !== undefined) await stopOperator(b.operator);
    b.operator = undefined;
    const floor = await apiserverWriteFloor(b.env.client);
    log(`apiserver floor: ${floor.writes} writes in ${(floor.ms / 1000).toFixed(1)} s`);
    const initial = b.results.find((r) => r.name === 'operator.initial_mirror')?.value;
    b.results.push(...apiserverFloorResults(floor, initial, size.name));
  } finally {
    await stopBench(b);
  }
  writeFileSync(out, `${JSON.stringify(b.results, null, 1)}\n`);
  log(`operator bench: wrote ${out}`);
}

async function client50(client: OvsdbClient, ops: readonly Operation[]): Promise<void> {
  await client.transact('OVN_Northbound', ops);
}

async function resourceVersions(env: KubeEnv): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for (const res of [evpnResources.vrfs, evpnResources.networks, evpnResources.portSets]) {
    const list = await env.client.listAll<KubeObject>(resourcePath(res));
    for (const item of list.items)
      m.set(`${res.plural}/${item.metadata.name ?? ''}`, item.metadata.resourceVersion ?? '');
  }
  return m;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`operator-bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
