// Where FRR's apply time goes (issue 15), run inside the UML guest:
//   test/uml/boot.sh -- node bench/frr-profile.ts [--networks 100,250,500,1000] [--modes vtysh,vty]
// Per N: namespace a with the bench's kernel state for N networks, zebra +
// bgpd started empty, then the agent's rendered config applied in three
// phases (the rest, the `vrf X / vni N` blocks, the `router bgp A vrf X`
// blocks) and read back, each phase timed with the CPU time of zebra, bgpd and
// the feeding process (vtysh: its children's CPU via the shell that waited for
// it; vty: this process). Mode vtysh feeds each phase as one `vtysh -f`; mode
// vty sends each line to the owning daemon's vty socket (node-agent/frr/vty.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildFrrModel } from '../node-agent/frr/build-frr-model.ts';
import { toFrrConfig } from '../node-agent/frr/frr-config.ts';
import { diffStanzas, type ConfigNode } from '../node-agent/frr/stanzas.ts';
import { VtyConnection, isVtyFailure } from '../node-agent/frr/vty.ts';
import { waitFor } from '../test/harness/wait-for.ts';
import { coldCommandsOf } from './lib/cold-commands.ts';
import { splitBatches } from './lib/iproute-commands.ts';
import { nodeWorkload } from './lib/node-workload.ts';
import { log, mustRun, run } from './lib/shell.ts';

const { values } = parseArgs({
  options: { networks: { type: 'string' }, modes: { type: 'string' }, order: { type: 'string' } },
});
// --order: the phases' order, e.g. vrf+vni,rest,router-bgp-vrf (the agent's) or router-bgp-vrf,vrf+vni,rest.
const order = (values.order ?? 'vrf+vni,rest,router-bgp-vrf').split(',');
const sizes = (values.networks ?? '100,250,500,1000').split(',').map(Number);
const modes = (values.modes ?? 'vtysh,vty').split(',');

const ticks = (pid: number): number => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15)
  } catch {
    return Number.NaN;
  }
};
const pidOf = (d: string): number => Number(readFileSync(`/var/run/frr/a/${d}.pid`, 'utf8').trim());

async function teardown(): Promise<void> {
  const r = await run('ip', ['netns', 'pids', 'a']);
  for (const p of r.stdout.split('\n').filter((x) => /^\d+$/.test(x))) {
    try {
      process.kill(Number(p), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await run('ip', ['netns', 'del', 'a']);
}

async function startFrr(): Promise<void> {
  const etc = '/etc/frr/a';
  mkdirSync(etc, { recursive: true });
  mkdirSync('/var/run/frr/a', { recursive: true });
  writeFileSync(`${etc}/vtysh.conf`, 'service integrated-vtysh-config\n');
  writeFileSync(`${etc}/frr.conf`, 'frr defaults datacenter\n!\n');
  await mustRun('chown', ['-R', 'frr:frr', etc, '/var/run/frr/a']);
  await mustRun('ip', [
    'netns',
    'exec',
    'a',
    '/usr/lib/frr/zebra',
    '-N',
    'a',
    '-d',
    '-A',
    '127.0.0.1',
    '-s',
    '90000000',
    '-f',
    `${etc}/frr.conf`,
  ]);
  await mustRun('ip', [
    'netns',
    'exec',
    'a',
    '/usr/lib/frr/bgpd',
    '-N',
    'a',
    '-d',
    '-A',
    '127.0.0.1',
    '-f',
    `${etc}/frr.conf`,
  ]);
  await waitFor('FRR up', async () => (await run('vtysh', ['-N', 'a', '-c', 'show version'])).code === 0, {
    timeoutMs: 30_000,
    stepMs: 100,
  });
}

async function setUp(n: number): Promise<ReturnType<typeof toFrrConfig>> {
  await teardown();
  await mustRun('ip', ['netns', 'add', 'a']);
  await mustRun('ip', ['-n', 'a', 'link', 'set', 'lo', 'up']);
  await mustRun('ip', ['link', 'add', 'eth-ab', 'netns', 'a', 'type', 'dummy']);
  await mustRun('ip', ['-n', 'a', 'addr', 'add', '10.0.0.1/24', 'dev', 'eth-ab']);
  await mustRun('ip', ['-n', 'a', 'link', 'set', 'eth-ab', 'up']);
  const workload = nodeWorkload({ networks: n, ports: n, nodeName: 'a', vtepIp: '10.0.0.1', firstPort: 0 });
  const b = splitBatches(coldCommandsOf(workload));
  writeFileSync('/tmp/prof.ip', b.ip);
  writeFileSync('/tmp/prof.bridge', b.bridge);
  await mustRun('ip', ['-n', 'a', '-batch', '/tmp/prof.ip']);
  await mustRun('bridge', ['-n', 'a', '-batch', '/tmp/prof.bridge']);
  await startFrr();
  return toFrrConfig(
    buildFrrModel(
      {
        asn: 65000,
        routerId: '10.0.0.1',
        underlayNeighbors: [
          { address: '10.0.0.2', remoteAs: 'internal', evpn: true, timers: { keepalive: 3, hold: 9 }, connectRetry: 1 },
        ],
        advertiseNetworks: ['10.0.0.1/32'],
      },
      workload.vrfs,
      workload.networks,
    ),
  );
}

type Phase = { name: string; lines: readonly string[]; daemon: 'zebra' | 'bgpd' | 'both' };

function phasesOf(config: ReturnType<typeof toFrrConfig>): Phase[] {
  const part = (pred: (k: string) => boolean): string[] => [
    ...diffStanzas(new Map(), new Map<string, ConfigNode>([...config.stanzas].filter(([k]) => pred(k)))).batch,
  ];
  const phases: Phase[] = [
    { name: 'vrf+vni', lines: part((k) => k.startsWith('vrf ')), daemon: 'zebra' },
    { name: 'rest', lines: part((k) => !k.startsWith('vrf ') && !/^router bgp \d+ vrf /.test(k)), daemon: 'both' },
    { name: 'router-bgp-vrf', lines: part((k) => /^router bgp \d+ vrf /.test(k)), daemon: 'bgpd' },
  ];
  return order.map((name) => phases.find((p) => p.name === name)).filter((p) => p !== undefined);
}

async function viaVtysh(lines: readonly string[]): Promise<number> {
  writeFileSync('/tmp/prof.batch', `${lines.join('\n')}\n`);
  const r = await run('bash', ['-c', 'vtysh -N a -f /tmp/prof.batch >/tmp/prof.out 2>&1; cat /proc/$$/stat']);
  const f = r.stdout.split(') ')[1]?.split(' ') ?? [];
  return Number(f[13]) + Number(f[14]); // cutime + cstime (fields 16, 17)
}

async function viaVty(daemon: 'zebra' | 'bgpd', lines: readonly string[]): Promise<number> {
  const before = process.cpuUsage();
  const c = await VtyConnection.open(`/var/run/frr/a/${daemon}.vty`);
  const replies = await c.runAll(['configure terminal', ...lines.map((l) => l.trim()), 'end'], 1);
  c.close();
  const failed = replies.map((r, i) => ({ r, l: lines[i - 1] })).filter((x) => isVtyFailure(x.r.status));
  if (failed.length > 0)
    log(`  ${failed.length} failed, first: ${failed[0]?.l} → ${failed[0]?.r.status} ${failed[0]?.r.output.trim()}`);
  const u = process.cpuUsage(before);
  return (u.user + u.system) / 10_000;
}

async function measure(label: string, feed: () => Promise<number>): Promise<void> {
  const z0 = ticks(pidOf('zebra'));
  const b0 = ticks(pidOf('bgpd'));
  const t0 = performance.now();
  const feeder = await feed();
  const ms = performance.now() - t0;
  log(
    `  ${label}: ${(ms / 1000).toFixed(2)} s wall; cpu s: zebra ${((ticks(pidOf('zebra')) - z0) / 100).toFixed(2)}, bgpd ${((ticks(pidOf('bgpd')) - b0) / 100).toFixed(2)}, feeder ${(feeder / 100).toFixed(2)}`,
  );
}

/** What reading the running config costs, through vtysh and through each daemon's vty socket. */
async function measureRunningConfigReads(): Promise<void> {
  await measure('show running-config via vtysh', async () => {
    const r = await run('bash', ['-c', 'vtysh -N a -c "show running-config" >/tmp/prof.rc; cat /proc/$$/stat']);
    const f = r.stdout.split(') ')[1]?.split(' ') ?? [];
    return Number(f[13]) + Number(f[14]);
  });
  for (const d of ['zebra', 'bgpd'] as const) {
    await measure(`show running-config via ${d}.vty`, async () => {
      const before = process.cpuUsage();
      const c = await VtyConnection.open(`/var/run/frr/a/${d}.vty`);
      const r = await c.run('show running-config');
      c.close();
      log(`    ${r.output.length} bytes`);
      const u = process.cpuUsage(before);
      return (u.user + u.system) / 10_000;
    });
  }
}

/** Kill zebra and bgpd, start them with the applied config as boot config, until vtysh answers. */
async function measureRestart(configText: string): Promise<void> {
  // restart: kill, start with the applied config as boot config
  writeFileSync('/etc/frr/a/frr.conf', configText);
  for (const d of ['zebra', 'bgpd']) process.kill(pidOf(d), 'SIGKILL');
  const t0 = performance.now();
  await mustRun('ip', [
    'netns',
    'exec',
    'a',
    '/usr/lib/frr/zebra',
    '-N',
    'a',
    '-d',
    '-A',
    '127.0.0.1',
    '-s',
    '90000000',
    '-f',
    '/etc/frr/a/frr.conf',
  ]);
  const tz = performance.now();
  await mustRun('ip', [
    'netns',
    'exec',
    'a',
    '/usr/lib/frr/bgpd',
    '-N',
    'a',
    '-d',
    '-A',
    '127.0.0.1',
    '-f',
    '/etc/frr/a/frr.conf',
  ]);
  const tb = performance.now();
  await waitFor('vtysh answers', async () => (await run('vtysh', ['-N', 'a', '-c', 'show version'])).code === 0, {
    timeoutMs: 600_000,
    stepMs: 100,
  });
  const tv = performance.now();
  log(
    `  restart with -f boot config: zebra daemonized after ${((tz - t0) / 1000).toFixed(2)} s, bgpd ${((tb - tz) / 1000).toFixed(2)} s, vtysh answers ${((tv - tb) / 1000).toFixed(2)} s; cpu s zebra ${(ticks(pidOf('zebra')) / 100).toFixed(2)} bgpd ${(ticks(pidOf('bgpd')) / 100).toFixed(2)}`,
  );
}

async function main(): Promise<void> {
  for (const n of sizes) {
    for (const mode of modes) {
      const config = await setUp(n);
      log(`N=${n} mode=${mode}`);
      for (const p of phasesOf(config)) {
        const daemon = p.daemon;
        await measure(`${p.name} (${p.lines.length} lines)`, () =>
          mode === 'vtysh' || daemon === 'both' ? viaVtysh(p.lines) : viaVty(daemon, p.lines),
        );
      }
      await measureRunningConfigReads();
      await measureRestart(config.text);
    }
  }
  await teardown();
}

main().catch(async (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  await teardown().catch(() => undefined);
  process.exit(1);
});
