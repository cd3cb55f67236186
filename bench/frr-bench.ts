// FRR at scale (run inside the UML guest by bench/run.sh), two nodes as in the
// testbed's t4: network namespaces a and b joined by a veth underlay, each with
// its own zebra + bgpd (pathspace = netns) and the kernel state the agent
// renders for N networks (one VRF each, L2VNI, IRB, one local port per node).
// Per N and run, all on the same kernel state in the same guest:
//  - render: the agent's buildFrrModel + renderFrrConfig (pure);
//  - apply: the agent's FrrApplier on a freshly started FRR (cold: the stanza
//    delta from the empty running config as one `vtysh -f` batch, read back
//    and compared), node a then node b;
//  - convergence: from the end of both applies until a has received from b
//    exactly what b sends and b from a (l2vpn evpn pfxRcd == pfxSnt), with at
//    least the type-3 and type-5 routes of every network; also reported from
//    the start of the first apply (config → converged);
//  - remove_one / change_one: the last network and its VRF removed from node
//    a's model, then added back (one apply each, delta);
//  - restart_recovery: node a's FRR daemons killed (zebra and bgpd; FRR 10:
//    mgmtd too) and started again with the boot config the way FRR's own
//    scripts do (8.4: each daemon -f; 10: mgmtd first, then `vtysh -b`), the applier's check() + apply(),
//    until both nodes have exchanged every route again;
//  - baseline: node a's FRR restarted empty, the same cold config applied with
//    frr-reload.py (--reload, VNI check, --test: the fallback path, and what
//    the applier did for every change before issue 15).
//
//   node bench/frr-bench.ts --size small|full [--smoke] [--networks N,M] [--runs R] --out FILE
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { buildFrrModel } from '../node-agent/frr/build-frr-model.ts';
import { toFrrConfig } from '../node-agent/frr/frr-config.ts';
import { FrrApplier } from '../node-agent/frr/reload.ts';
import { renderFrrConfig } from '../node-agent/frr/render.ts';
import { coldCommandsOf } from './lib/cold-commands.ts';
import { splitBatches } from './lib/iproute-commands.ts';
import { nodeWorkload, type NodeWorkload } from './lib/node-workload.ts';
import { log, mustRun, run } from './lib/shell.ts';
import { parseSize, smokeOf } from './lib/sizes.ts';
import { medianResult, timed, type Result } from './lib/stats.ts';
import { waitFor } from '../test/harness/wait-for.ts';
import { hasMgmtd, startFrrDaemons } from '../test/harness/frr/frr-test-instance.ts';
import { errorMessage } from '../lib/log.ts';
import { setTimeout as sleep } from 'node:timers/promises';

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

interface Node {
  readonly ns: 'a' | 'b';
  readonly ip: string;
  readonly peer: string;
  readonly workload: NodeWorkload;
}

async function netnsPids(ns: string): Promise<number[]> {
  const r = await run('ip', ['netns', 'pids', ns]);
  return r.stdout
    .split('\n')
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
}

async function teardown(): Promise<void> {
  for (const ns of ['a', 'b']) {
    for (const pid of await netnsPids(ns)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await run('ip', ['netns', 'del', ns]);
    rmSync(`/etc/frr/${ns}`, { recursive: true, force: true });
    rmSync(`/var/run/frr/${ns}`, { recursive: true, force: true });
  }
}

async function setUpKernel(node: Node): Promise<void> {
  const b = splitBatches(coldCommandsOf(node.workload));
  writeFileSync(`/tmp/frr-${node.ns}.ip`, b.ip);
  writeFileSync(`/tmp/frr-${node.ns}.bridge`, b.bridge);
  await mustRun('ip', ['-n', node.ns, '-batch', `/tmp/frr-${node.ns}.ip`]);
  await mustRun('bridge', ['-n', node.ns, '-batch', `/tmp/frr-${node.ns}.bridge`]);
}

async function startFrr(ns: string, fresh = true): Promise<void> {
  const etc = `/etc/frr/${ns}`;
  if (fresh) {
    mkdirSync(etc, { recursive: true });
    mkdirSync(`/var/run/frr/${ns}`, { recursive: true });
    writeFileSync(`${etc}/vtysh.conf`, 'service integrated-vtysh-config\n');
    writeFileSync(`${etc}/frr.conf`, 'frr defaults datacenter\n!\n');
    await mustRun('chown', ['-R', 'frr:frr', etc, `/var/run/frr/${ns}`]);
  }
  // -s: zebra's netlink receive buffer; a thousand VRFs' worth of events overflows the default.
  const zebraArgs = (d: string): string[] => (d === 'zebra' ? ['-s', '90000000'] : []);
  if (hasMgmtd()) {
    // FRR 10's own boot path: mgmtd first, daemons without -f (zebra would drop the YANG lines), then `vtysh -b`.
    startFrrDaemons(ns, ns, ['zebra', 'bgpd'], zebraArgs);
    await mustRun('vtysh', ['-N', ns, '-b']);
  } else {
    for (const d of ['zebra', 'bgpd'])
      await mustRun('ip', [
        'netns',
        'exec',
        ns,
        `/usr/lib/frr/${d}`,
        '-N',
        ns,
        '-d',
        '-A',
        '127.0.0.1',
        ...zebraArgs(d),
        '-f',
        `${etc}/frr.conf`,
      ]);
  }
  await waitFor(
    `FRR in ${ns} to come up`,
    async () => (await run('vtysh', ['-N', ns, '-c', 'show version'])).code === 0,
    { timeoutMs: 30_000, stepMs: 100 },
  );
}

/** Node a's or b's model; `without` leaves the last network (and its VRF) out. */
function frrModel(node: Node, without = false): unknown {
  const last = node.workload.networks.at(-1);
  const networks = without ? node.workload.networks.slice(0, -1) : node.workload.networks;
  const vrfs = without ? node.workload.vrfs.filter((v) => v.metadata.name !== last?.spec.vrf) : node.workload.vrfs;
  return buildFrrModel(
    {
      asn: 65000,
      routerId: node.ip,
      underlayNeighbors: [
        { address: node.peer, remoteAs: 'internal', evpn: true, timers: { keepalive: 3, hold: 9 }, connectRetry: 1 },
      ],
      advertiseNetworks: [`${node.ip}/32`],
    },
    vrfs,
    networks,
  );
}

function applierOf(node: Node, fullReloadOnly = false): FrrApplier {
  rmSync(`/tmp/frr-applied-${node.ns}.conf`, { force: true });
  return new FrrApplier({
    configPath: `/tmp/frr-applied-${node.ns}.conf`,
    bootConfigPath: `/etc/frr/${node.ns}/frr.conf`,
    pathspace: node.ns,
    timeoutMs: 2_400_000,
    fullReloadOnly,
  });
}

async function killFrr(ns: string): Promise<void> {
  for (const d of [...(hasMgmtd() ? ['mgmtd'] : []), 'zebra', 'bgpd']) {
    const pid = Number((await run('cat', [`/var/run/frr/${ns}/${d}.pid`])).stdout.trim());
    if (pid > 0)
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
  }
  await sleep(200);
}

/** Both nodes have received what the other sends, at least `minimum` routes each. */
async function converged(
  a: Node,
  b: Node,
  minimum: number,
  timeoutMs: number,
  what: string,
): Promise<[PeerCounts, PeerCounts]> {
  // Not converged yet: the probe throws the counts, which the timeout error quotes.
  const t0 = performance.now();
  let logged = t0;
  return waitFor(
    `convergence (${what})`,
    async (): Promise<[PeerCounts, PeerCounts]> => {
      const [ca, cb] = await Promise.all([evpnCounts('a', b.ip), evpnCounts('b', a.ip)]);
      if (ca.rcd >= minimum && cb.rcd >= minimum && ca.rcd === cb.snt && cb.rcd === ca.snt) return [ca, cb];
      // Progress every 10 s: where a slow convergence spends its time.
      if (performance.now() - logged > 10_000) {
        logged = performance.now();
        log(
          `  converging (${what}) +${((logged - t0) / 1000).toFixed(0)} s: a ${JSON.stringify(ca)}, b ${JSON.stringify(cb)}`,
        );
      }
      throw new Error(`a ${JSON.stringify(ca)}, b ${JSON.stringify(cb)}`);
    },
    { timeoutMs, stepMs: 100 },
  );
}

interface PeerCounts {
  rcd: number;
  snt: number;
  state: string;
}

async function evpnCounts(ns: string, peer: string): Promise<PeerCounts> {
  const r = await run('vtysh', ['-N', ns, '-c', 'show bgp l2vpn evpn summary json']);
  try {
    const j = JSON.parse(r.stdout) as { peers?: Record<string, { pfxRcd?: number; pfxSnt?: number; state?: string }> };
    const p = j.peers?.[peer];
    return { rcd: p?.pfxRcd ?? -1, snt: p?.pfxSnt ?? -1, state: p?.state ?? '?' };
  } catch {
    return { rcd: -1, snt: -1, state: '?' };
  }
}

/** Type-3 per L2VNI and type-5 per subnet at least; type-2 for the local port (MAC and MAC+IP) when zebra has learnt it. */
const minimumRoutes = (n: number): number => 2 * n;

type Measures = Record<
  'render' | 'applyA' | 'applyB' | 'converge' | 'total' | 'routes' | 'removeOne' | 'changeOne' | 'restart' | 'baseline',
  number[]
>;

const emptyMeasures = (): Measures => ({
  render: [],
  applyA: [],
  applyB: [],
  converge: [],
  total: [],
  routes: [],
  removeOne: [],
  changeOne: [],
  restart: [],
  baseline: [],
});

function nodesOf(n: number): [Node, Node] {
  return [
    {
      ns: 'a',
      ip: '10.0.0.1',
      peer: '10.0.0.2',
      workload: nodeWorkload({ networks: n, ports: n, nodeName: 'a', vtepIp: '10.0.0.1', firstPort: 0 }),
    },
    {
      ns: 'b',
      ip: '10.0.0.2',
      peer: '10.0.0.1',
      workload: nodeWorkload({ networks: n, ports: n, nodeName: 'b', vtepIp: '10.0.0.2', firstPort: 1 }),
    },
  ];
}

/** Namespaces a and b joined by a veth, each with the kernel state and a freshly started FRR. */
async function setUpNodes([a, b]: [Node, Node]): Promise<void> {
  await mustRun('ip', ['netns', 'add', 'a']);
  await mustRun('ip', ['netns', 'add', 'b']);
  await mustRun('ip', ['link', 'add', 'eth-ab', 'netns', 'a', 'type', 'veth', 'peer', 'name', 'eth-ba', 'netns', 'b']);
  for (const [node, dev] of [
    [a, 'eth-ab'],
    [b, 'eth-ba'],
  ] as const) {
    await mustRun('ip', ['-n', node.ns, 'link', 'set', 'lo', 'up']);
    await mustRun('ip', ['-n', node.ns, 'addr', 'add', `${node.ip}/24`, 'dev', dev]);
    await mustRun('ip', ['-n', node.ns, 'link', 'set', dev, 'up']);
    await mustRun('ip', ['netns', 'exec', node.ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await setUpKernel(node);
    await startFrr(node.ns);
  }
}

/** Render, cold apply on both nodes and convergence; returns node a's applier and its cold apply time. */
async function measureCold(
  n: number,
  r: number,
  runs: number,
  nodes: [Node, Node],
  m: Measures,
): Promise<{ applierA: FrrApplier; applyA: number }> {
  const [a, b] = nodes;
  renderFrrConfig(frrModel(b)); // warm-up: the first call also compiles the zod schemas
  const [text, tRender] = await timed(() => Promise.resolve(renderFrrConfig(frrModel(a))));
  m.render.push(tRender);
  const t0 = performance.now();
  const applied: number[] = [];
  const appliers = new Map<Node, FrrApplier>();
  for (const node of nodes) {
    const applier = applierOf(node);
    appliers.set(node, applier);
    const [res, t] = await timed(() => applier.apply(toFrrConfig(frrModel(node))));
    if (res.mode !== 'delta') throw new Error(`cold apply went through ${res.mode}, not the delta`);
    applied.push(t);
    log(
      `frr ${n} networks: node ${node.ns} applied in ${(t / 1000).toFixed(1)} s (${res.commands} lines, ${res.reloads} reload(s); ms ${JSON.stringify(res.phasesMs)})`,
    );
  }
  m.applyA.push(applied[0] ?? Number.NaN);
  m.applyB.push(applied[1] ?? Number.NaN);
  const t1 = performance.now();
  const minimum = minimumRoutes(n);
  const last = await converged(a, b, minimum, 600_000, 'cold');
  const t2 = performance.now();
  m.converge.push(t2 - t1);
  m.total.push(t2 - t0);
  m.routes.push(last[0].rcd + last[1].rcd);
  log(
    `frr ${n} networks run ${r + 1}/${runs}: config ${text.length} bytes rendered in ${tRender.toFixed(1)} ms; apply a ${applied[0]?.toFixed(0)} ms, b ${applied[1]?.toFixed(0)} ms; converged ${(t2 - t1).toFixed(0)} ms after (routes a←b ${last[0].rcd}, b←a ${last[1].rcd})`,
  );
  return { applierA: appliers.get(a) ?? applierOf(a), applyA: applied[0] ?? Number.NaN };
}

/** One VRF (the last network's) removed from node a, then added back. */
async function measureOneVrf(n: number, [a, b]: [Node, Node], applierA: FrrApplier, m: Measures): Promise<void> {
  const [removed, tRemove] = await timed(() => applierA.apply(toFrrConfig(frrModel(a, true))));
  const [added, tAdd] = await timed(() => applierA.apply(toFrrConfig(frrModel(a))));
  if (removed.mode !== 'delta' || added.mode !== 'delta')
    throw new Error(`one-VRF changes went through ${removed.mode}/${added.mode}`);
  m.removeOne.push(tRemove);
  m.changeOne.push(tAdd);
  await converged(a, b, minimumRoutes(n), 120_000, 'after the one-VRF changes');
  log(
    `frr ${n} networks: remove one VRF ${tRemove.toFixed(0)} ms (${removed.commands} lines; ms ${JSON.stringify(removed.phasesMs)}), add it back ${tAdd.toFixed(0)} ms (${added.commands} lines; ms ${JSON.stringify(added.phasesMs)})`,
  );
}

/** zebra and bgpd killed and restarted with the boot config; check() + apply(); routes back. */
async function measureRestart(n: number, [a, b]: [Node, Node], applierA: FrrApplier, m: Measures): Promise<void> {
  const tKill = performance.now();
  await killFrr('a');
  await startFrr('a', false);
  const tUp = performance.now() - tKill;
  const check = await applierA.check();
  const repaired = await applierA.apply(toFrrConfig(frrModel(a)));
  const tRepaired = performance.now() - tKill;
  await converged(a, b, minimumRoutes(n), 300_000, 'after the restart');
  const tBack = performance.now() - tKill;
  m.restart.push(tBack);
  log(
    `frr ${n} networks: FRR killed and restarted (answering after ${tUp.toFixed(0)} ms), check ${check.ok ? 'ok' : check.reason}, repair ${repaired.mode} (${repaired.commands} lines) done after ${tRepaired.toFixed(0)} ms, routes back after ${tBack.toFixed(0)} ms`,
  );
}

/** Baseline: the same cold apply with frr-reload.py, on node a's FRR started empty. */
async function measureBaseline(n: number, a: Node, applyA: number, m: Measures): Promise<void> {
  await killFrr('a');
  writeFileSync('/etc/frr/a/frr.conf', 'frr defaults datacenter\n!\n');
  await startFrr('a', false);
  const [base, tBase] = await timed(() => applierOf(a, true).apply(toFrrConfig(frrModel(a))));
  if (base.mode !== 'reload') throw new Error(`baseline went through ${base.mode}`);
  m.baseline.push(tBase);
  log(
    `frr ${n} networks: baseline frr-reload.py cold apply ${(tBase / 1000).toFixed(1)} s (${base.reloads} reload(s)); ratio ${(tBase / applyA).toFixed(1)}×`,
  );
}

/** One run at N networks; the measures go into `m`. */
async function measureRun(n: number, r: number, runs: number, m: Measures): Promise<void> {
  const runStart = performance.now();
  await teardown();
  const nodes = nodesOf(n);
  await setUpNodes(nodes);
  log(
    `frr ${n} networks run ${r + 1}: kernel state and FRR up in both nodes after ${((performance.now() - runStart) / 1000).toFixed(0)} s`,
  );
  const { applierA, applyA } = await measureCold(n, r, runs, nodes, m);
  await measureOneVrf(n, nodes, applierA, m);
  await measureRestart(n, nodes, applierA, m);
  await measureBaseline(n, nodes[0], applyA, m);
}

/** Every run at N networks; stops at the first that does not finish. */
async function measureSize(n: number, runs: number): Promise<{ m: Measures; failed: string | undefined }> {
  const m = emptyMeasures();
  for (let r = 0; r < runs; r++) {
    const runStart = performance.now();
    try {
      await measureRun(n, r, runs, m);
    } catch (err: unknown) {
      // A size that does not finish is a result too: its elapsed time is a lower bound.
      const failed = errorMessage(err);
      log(
        `frr ${n} networks run ${r + 1}: did not finish after ${((performance.now() - runStart) / 1000).toFixed(0)} s: ${failed}`,
      );
      if (m.total.length === 0) m.total.push(performance.now() - runStart);
      return { m, failed };
    }
  }
  return { m, failed: undefined };
}

function resultsOf(n: number, m: Measures, failed: string | undefined): Result[] {
  const s = size.name;
  const note = `${n} VRFs and L2VNIs per node, one local port per network and node${failed === undefined ? '' : `; DID NOT FINISH (${failed.slice(0, 200)}): times are lower bounds`}`;
  const ratios = m.baseline.map((b, i) => b / (m.applyA[i] ?? Number.NaN));
  return [
    medianResult(`frr.render.${n}`, m.render, 'ms', s, `buildFrrModel + renderFrrConfig of ${n} VRFs (pure, warm)`),
    medianResult(
      `frr.apply.${n}`,
      m.applyA,
      'ms',
      s,
      `FrrApplier.apply on node a, cold (stanza delta as one vtysh -f batch + read-back compare + boot config write): ${note}`,
    ),
    medianResult(`frr.apply.node_b.${n}`, m.applyB, 'ms', s),
    medianResult(
      `baseline.frr_reload.apply.${n}`,
      m.baseline,
      'ms',
      s,
      `the same cold apply on node a with frr-reload.py (--reload, VNI check, --test; the fallback path and the pre-issue-15 applier)`,
    ),
    medianResult(
      `ratio.frr_reload_over_apply.${n}`,
      ratios,
      'x',
      s,
      'baseline.frr_reload.apply / frr.apply (target ≥ 10)',
    ),
    medianResult(
      `frr.remove_one.${n}`,
      m.removeOne,
      'ms',
      s,
      `one VRF (with its L2VNI) removed from ${n} on node a: delta + read-back (target ≤ 1,000 ms)`,
    ),
    medianResult(
      `frr.change_one.${n}`,
      m.changeOne,
      'ms',
      s,
      `one VRF (with its L2VNI) added to ${n - 1} on node a: delta + read-back (target ≤ 1,000 ms)`,
    ),
    medianResult(
      `frr.restart_recovery.${n}`,
      m.restart,
      'ms',
      s,
      `zebra+bgpd of node a killed → restarted with the boot config, check() + apply(), until both nodes exchanged every route again (target ≤ 10,000 ms)`,
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

async function main(): Promise<void> {
  if (!existsSync('/usr/lib/frr/frr-reload.py')) throw new Error('FRR with frr-pythontools is required');
  const results: Result[] = [];
  for (const [index, n] of size.frrNetworks.entries()) {
    const { m, failed } = await measureSize(n, size.frrRuns[index] ?? 1);
    results.push(...resultsOf(n, m, failed));
    if (index === size.frrNetworks.length - 1) {
      results.push(
        medianResult(
          'frr.restart_recovery',
          m.restart,
          'ms',
          size.name,
          `as frr.restart_recovery.${n} (the largest size)`,
        ),
      );
    }
  }
  await teardown();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 1)}\n`);
  log(`frr bench: wrote ${out}`);
}

main().catch(async (err: unknown) => {
  process.stderr.write(`frr-bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  await teardown().catch(() => undefined);
  process.exit(1);
});
