// The FRR bench's two nodes inside the UML guest (adapter: namespaces, kernel
// state, FRR daemons): network namespaces a and b joined by a veth underlay,
// each with its own FRR (pathspace = netns) and the kernel state the agent
// renders for N networks. FRR starts the way the chart and FRR's own scripts
// do: 8.4 each daemon with -f; 10 mgmtd first, daemons with -F datacenter and
// no -f, then the boot config through `vtysh -b`.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildFrrModel } from '../../node-agent/frr/build-frr-model.ts';
import { FrrApplier } from '../../node-agent/frr/reload.ts';
import { hasMgmtd, startFrrDaemons } from '../../test/harness/frr/frr-test-instance.ts';
import { waitFor } from '../../test/harness/wait-for.ts';
import { coldCommandsOf } from './cold-commands.ts';
import { splitBatches } from './iproute-commands.ts';
import { nodeWorkload, type NodeWorkload } from './node-workload.ts';
import { vtyShow } from './frr-vty-show.ts';
import { mustRun, run } from './shell.ts';

export interface FrrNode {
  readonly ns: 'a' | 'b';
  readonly ip: string;
  readonly peer: string;
  readonly workload: NodeWorkload;
}

export const ASN = 65000;
export const EMPTY_BOOT_CONFIG = 'frr defaults datacenter\n!\n';

async function netnsPids(ns: string): Promise<number[]> {
  const r = await run('ip', ['netns', 'pids', ns]);
  return r.stdout
    .split('\n')
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
}

export async function teardown(): Promise<void> {
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

async function setUpKernel(node: FrrNode): Promise<void> {
  const b = splitBatches(coldCommandsOf(node.workload));
  writeFileSync(`/tmp/frr-${node.ns}.ip`, b.ip);
  writeFileSync(`/tmp/frr-${node.ns}.bridge`, b.bridge);
  await mustRun('ip', ['-n', node.ns, '-batch', `/tmp/frr-${node.ns}.ip`]);
  await mustRun('bridge', ['-n', node.ns, '-batch', `/tmp/frr-${node.ns}.bridge`]);
}

/** The daemons this FRR runs, in start order. */
export const daemonsOf = (): string[] => [...(hasMgmtd() ? ['mgmtd'] : []), 'zebra', 'bgpd'];

/** Starts FRR in `ns` from its boot config (`fresh`: an empty one written first). */
export async function startFrr(ns: string, fresh = true): Promise<void> {
  const etc = `/etc/frr/${ns}`;
  if (fresh) {
    mkdirSync(etc, { recursive: true });
    mkdirSync(`/var/run/frr/${ns}`, { recursive: true });
    writeFileSync(`${etc}/vtysh.conf`, 'service integrated-vtysh-config\n');
    writeFileSync(`${etc}/frr.conf`, EMPTY_BOOT_CONFIG);
    await mustRun('chown', ['-R', 'frr:frr', etc, `/var/run/frr/${ns}`]);
  }
  // -s: zebra's netlink receive buffer; a thousand VRFs' worth of events overflows the default.
  const zebraArgs = (d: string): string[] => (d === 'zebra' ? ['-s', '90000000'] : []);
  if (hasMgmtd()) {
    startFrrDaemons(ns, ns, ['zebra', 'bgpd'], zebraArgs);
    // The boot config of a restart holds every VRF: at 1,000 on a loaded host its replay passed
    // run()'s default 10 min; the bench's other waits allow 30 min (CONVERGE_MS).
    await mustRun('vtysh', ['-N', ns, '-b'], { timeoutMs: 1_800_000 });
  } else {
    for (const d of ['zebra', 'bgpd'])
      await mustRun('ip', [
        ...['netns', 'exec', ns, `/usr/lib/frr/${d}`, '-N', ns, '-d', '-A', '127.0.0.1'],
        ...zebraArgs(d),
        ...['-f', `${etc}/frr.conf`],
      ]);
  }
  // Over the sockets, not vtysh: a vtysh start every 100 ms would take the CPU from the starting daemons.
  await waitFor(
    `FRR in ${ns} to come up`,
    async () =>
      (await vtyShow(ns, 'zebra', 'show version')) !== undefined &&
      (await vtyShow(ns, 'bgpd', 'show version')) !== undefined,
    { timeoutMs: 30_000, stepMs: 100 },
  );
}

export async function killFrr(ns: string): Promise<void> {
  for (const d of daemonsOf()) {
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

/** Node a's or b's model; `without` leaves the last network (and its VRF) out. */
export function frrModel(node: FrrNode, without = false): unknown {
  const last = node.workload.networks.at(-1);
  const networks = without ? node.workload.networks.slice(0, -1) : node.workload.networks;
  const vrfs = without ? node.workload.vrfs.filter((v) => v.metadata.name !== last?.spec.vrf) : node.workload.vrfs;
  return buildFrrModel(
    {
      asn: ASN,
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

export function applierOf(node: FrrNode, fullReloadOnly = false): FrrApplier {
  rmSync(`/tmp/frr-applied-${node.ns}.conf`, { force: true });
  return new FrrApplier({
    configPath: `/tmp/frr-applied-${node.ns}.conf`,
    bootConfigPath: `/etc/frr/${node.ns}/frr.conf`,
    pathspace: node.ns,
    timeoutMs: 2_400_000,
    fullReloadOnly,
  });
}

export function nodesOf(n: number): [FrrNode, FrrNode] {
  const node = (ns: 'a' | 'b', ip: string, peer: string, firstPort: number): FrrNode => ({
    ns,
    ip,
    peer,
    workload: nodeWorkload({ networks: n, ports: n, nodeName: ns, vtepIp: ip, firstPort }),
  });
  return [node('a', '10.0.0.1', '10.0.0.2', 0), node('b', '10.0.0.2', '10.0.0.1', 1)];
}

/** Namespaces a and b joined by a veth, each with the kernel state and a freshly started FRR. */
export async function setUpNodes([a, b]: [FrrNode, FrrNode]): Promise<void> {
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
