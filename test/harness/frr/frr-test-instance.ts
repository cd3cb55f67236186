// Test support: a private FRR (mgmtd where it exists, zebra, bgpd, bfdd) in its
// own network namespace and pathspace, like the agent runs it. Needs root and
// the Debian frr package (the guest's test world: FRR 10, or 8.4 on the oldest
// lane); used by the integration and UML suites, never by unit tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

export type FrrTestInstance = {
  readonly pathspace: string;
  readonly netns: string;
  /** Runs a command inside the instance's network namespace. */
  readonly exec: (args: readonly string[]) => string;
  readonly stop: () => void;
};

/** FRR ≥ 9 has mgmtd, which must run before zebra: zebra's YANG configuration (`vrf … / vni`) goes through it. */
export const hasMgmtd = (): boolean => existsSync('/usr/lib/frr/mgmtd');

/**
 * Starts FRR daemons in network namespace `netns` and pathspace `pathspace`
 * (mgmtd first where FRR has it) and returns once each one's vty socket exists.
 * No -f: FRR 10's zebra drops the YANG commands of a config file; the caller
 * sends the config with `vtysh -b`, as frrinit.sh does. `args` go to each daemon.
 */
export function startFrrDaemons(
  netns: string,
  pathspace: string,
  daemons: readonly string[],
  args: (daemon: string) => readonly string[] = () => [],
): void {
  const all = [...(hasMgmtd() && !daemons.includes('mgmtd') ? ['mgmtd'] : []), ...daemons];
  for (const daemon of all) {
    // stdio ignored: FRR 10's mgmtd keeps the descriptors it was started with, so a pipe would never close.
    // -F datacenter: the defaults profile is a start-up option (a daemon without -f never reads
    // `frr defaults datacenter` in time; vtysh -b is too late), as FRR's frrcommon.sh passes it.
    execFileSync(
      'ip',
      [
        'netns',
        'exec',
        netns,
        `/usr/lib/frr/${daemon}`,
        '-N',
        pathspace,
        '-F',
        'datacenter',
        '-d',
        '-A',
        '127.0.0.1',
        ...args(daemon),
      ],
      { stdio: 'ignore' },
    );
  }
  const deadline = Date.now() + 20_000;
  while (!all.every((d) => existsSync(`/var/run/frr/${pathspace}/${d}.vty`))) {
    if (Date.now() > deadline) throw new Error(`FRR in ${pathspace} did not come up (${all.join(', ')})`);
    spawnSync('sleep', ['0.1']);
  }
}

/**
 * `setup` runs in the new namespace before the daemons start (kernel devices
 * zebra then reads at start-up instead of from a burst of netlink events:
 * measured in UML, zebra 8.4 misses connected routes of some VRF interfaces
 * created in a burst while it runs, so their type-5 routes are never originated).
 */
export function startFrrTestInstance(
  name: string,
  setup?: (exec: (args: readonly string[]) => string) => void,
): FrrTestInstance {
  if (!existsSync('/usr/lib/frr/frr-reload.py'))
    throw new Error('FRR with frr-pythontools is required (/usr/lib/frr/frr-reload.py)');
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
  const exec = (args: readonly string[]): string =>
    execFileSync('ip', ['netns', 'exec', netns, ...args], { encoding: 'utf8' });
  exec(['ip', 'link', 'set', 'lo', 'up']);
  setup?.(exec);
  // -s: zebra's netlink receive buffer; with the default a burst of VRF/VXLAN events overflows it and
  // zebra loses addresses (connected routes missing in VRFs, so no type-5 routes), as the chart sets it.
  startFrrDaemons(netns, name, ['zebra', 'bgpd', 'bfdd'], (d) => (d === 'zebra' ? ['-s', '90000000'] : []));
  execFileSync('vtysh', ['-N', name, '-b'], { stdio: 'ignore' });
  return { pathspace: name, netns, exec, stop };
}
