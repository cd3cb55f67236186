// Test support: a private FRR 8.4 (zebra, bgpd, bfdd) in its own network
// namespace and pathspace, like the agent runs it. Needs root and the Debian
// frr package; used by the integration and UML suites, never by unit tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

export type FrrTestInstance = {
  readonly pathspace: string;
  readonly netns: string;
  /** Runs a command inside the instance's network namespace. */
  readonly exec: (args: readonly string[]) => string;
  readonly stop: () => void;
};

const DAEMONS = ['zebra', 'bgpd', 'bfdd'] as const;

/**
 * `setup` runs in the new namespace before the daemons start (kernel devices
 * zebra then reads at start-up instead of from a burst of netlink events:
 * measured in UML, zebra 8.4 misses connected routes of some VRF interfaces
 * created in a burst while it runs, so their type-5 routes are never originated).
 */
export function startFrrTestInstance(name: string, setup?: (exec: (args: readonly string[]) => string) => void): FrrTestInstance {
  if (!existsSync('/usr/lib/frr/frr-reload.py')) throw new Error('FRR with frr-pythontools is required (/usr/lib/frr/frr-reload.py)');
  const netns = name;
  const etc = `/etc/frr/${name}`;
  const run = `/var/run/frr/${name}`;
  const stop = (): void => {
    spawnSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((p) => /^\d+$/.test(p))
      .forEach((pid) => {
        try {
          process.kill(Number(pid), 'SIGTERM');
        } catch {
          // already gone
        }
      });
    spawnSync('ip', ['netns', 'del', netns]);
    rmSync(etc, { recursive: true, force: true });
    rmSync(run, { recursive: true, force: true });
  };
  stop();
  execFileSync('ip', ['netns', 'add', netns]);
  mkdirSync(etc, { recursive: true });
  mkdirSync(run, { recursive: true });
  writeFileSync(`${etc}/vtysh.conf`, 'service integrated-vtysh-config\n');
  writeFileSync(`${etc}/frr.conf`, 'frr defaults datacenter\n!\n');
  execFileSync('chown', ['-R', 'frr:frr', etc, run]);
  const exec = (args: readonly string[]): string => execFileSync('ip', ['netns', 'exec', netns, ...args], { encoding: 'utf8' });
  exec(['ip', 'link', 'set', 'lo', 'up']);
  setup?.(exec);
  for (const daemon of DAEMONS) {
    // -s: zebra's netlink receive buffer; with the default a burst of VRF/VXLAN events overflows it and
    // zebra loses addresses (connected routes missing in VRFs, so no type-5 routes), as the chart sets it.
    exec([`/usr/lib/frr/${daemon}`, '-N', name, '-d', '-A', '127.0.0.1', ...(daemon === 'zebra' ? ['-s', '90000000'] : []), '-f', `${etc}/frr.conf`]);
  }
  // The daemons answer vtysh once their vty sockets exist.
  const deadline = Date.now() + 10_000;
  while (spawnSync('vtysh', ['-N', name, '-c', 'show version']).status !== 0) {
    if (Date.now() > deadline) throw new Error(`FRR in ${name} did not come up`);
    spawnSync('sleep', ['0.1']);
  }
  return { pathspace: name, netns, exec, stop };
}
