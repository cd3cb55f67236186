// Test support: FRR started the way the chart's FRR container starts it
// (deploy/images/frr-start.sh: frrcommon.sh, then watchfrr over daemon_list,
// which (re)starts each daemon through frrcommon's daemon_start), from the
// boot files node-init writes (daemons, vtysh.conf, frr.conf through
// write-boot-files.ts's writeBootFiles), in a network namespace and a
// pathspace of its own. The one difference from frr-start.sh: watchfrr gets
// frrcommon's `$nsopt` (`-N PATHSPACE`) because the test runs in a pathspace;
// in the chart it is empty. Needs root and the Debian frr package (the
// guest's test world).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export type FrrChartInstance = {
  readonly pathspace: string;
  readonly netns: string;
  /** /etc/frr/PATHSPACE: where the boot files go (frrcommon's C_PATH). */
  readonly confDir: string;
  readonly exec: (args: readonly string[]) => string;
  /** vtysh -N PATHSPACE -c …; the output, or undefined when FRR does not answer. */
  readonly vtysh: (...commands: string[]) => string | undefined;
  /** Starts watchfrr as frr-start.sh does (detached; it (re)starts the daemons). */
  readonly start: () => void;
  /** kill -9 of watchfrr and every FRR daemon: FRR's container died. */
  readonly killAll: () => Promise<void>;
  readonly stop: () => Promise<void>;
};

const netnsPids = (netns: string): number[] =>
  spawnSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((p) => /^\d+$/.test(p))
    .map(Number);

/** kill -9 of every process in the namespace, until none is left. */
async function killNetnsProcesses(netns: string): Promise<void> {
  for (let i = 0; i < 50 && netnsPids(netns).length > 0; i += 1) {
    for (const pid of netnsPids(netns)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await sleep(100);
  }
}

/** frr-start.sh's two lines; FRR_PATHSPACE makes frrcommon use C_PATH=/etc/frr/NAME and set $nsopt. */
function startWatchfrr(netns: string, pathspace: string): void {
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      netns,
      'env',
      `FRR_PATHSPACE=${pathspace}`,
      'bash',
      '-c',
      '. /usr/lib/frr/frrcommon.sh && exec /usr/lib/frr/watchfrr $nsopt $(daemon_list)',
    ],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
}

/** `setup` creates the kernel devices in the new namespace before FRR first starts. */
export function createFrrChartInstance(
  name: string,
  setup: (exec: (args: readonly string[]) => string) => void,
): FrrChartInstance {
  const netns = name;
  const confDir = `/etc/frr/${name}`;
  const runDir = `/var/run/frr/${name}`;
  const exec = (args: readonly string[]): string =>
    execFileSync('ip', ['netns', 'exec', netns, ...args], { encoding: 'utf8' });
  const killAll = (): Promise<void> => killNetnsProcesses(netns);
  const vtysh = (...commands: string[]): string | undefined => {
    const r = spawnSync('vtysh', ['-N', name, ...commands.flatMap((c) => ['-c', c])], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    return r.status === 0 ? r.stdout : undefined;
  };
  const start = (): void => {
    startWatchfrr(netns, name);
  };
  const stop = async (): Promise<void> => {
    await killAll();
    spawnSync('ip', ['netns', 'del', netns]);
    rmSync(confDir, { recursive: true, force: true });
    rmSync(runDir, { recursive: true, force: true });
  };
  spawnSync('ip', ['netns', 'del', netns]);
  execFileSync('ip', ['netns', 'add', netns]);
  mkdirSync(confDir, { recursive: true });
  mkdirSync(runDir, { recursive: true });
  execFileSync('chown', ['-R', 'frr:frr', confDir, runDir]);
  exec(['ip', 'link', 'set', 'lo', 'up']);
  setup(exec);
  return { pathspace: name, netns, confDir, exec, vtysh, start, killAll, stop };
}
