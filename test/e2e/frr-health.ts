// Did an FRR daemon of the fabric die or restart on its own during the run?
// FRRouting/frr#22883 (FRR 10.6–10.7) makes zebra abort when the anycast
// gateway MAC of an SVI is also learnt as a remote type-2 route: exactly the
// IRB layout of our nodes. Nothing here restarts a daemon (there is no
// watchfrr), so a daemon that crashed stays gone and one restarted by the test
// (faults.ts) is recorded again by the test; the check compares each daemon's
// pid with the recorded one and reads the logs for FRR's crash lines.
import { existsSync } from 'node:fs';
import { tryRun } from './guest-exec.ts';

/** The daemons the fabric runs in every pathspace (mgmtd from FRR 9 on). */
export const FRR_DAEMONS: readonly ('mgmtd' | 'zebra' | 'bgpd')[] = [
  ...(existsSync('/usr/lib/frr/mgmtd') ? ['mgmtd' as const] : []),
  'zebra',
  'bgpd',
];

/** What FRR writes to a daemon's log when it crashes (lib/sigevent.c, lib/zassert.h); a grep -E pattern. */
const CRASH_LINES = 'Received signal [0-9]+|Assertion .* failed|Backtrace for [0-9]+ stack frames';

/** The log file the fabric gives a daemon (fabric.ts frrDaemon). */
export function frrLogFile(ns: string, daemon: string): string {
  return `/var/log/frr/${ns}-${daemon}.log`;
}

export class FrrWatch {
  readonly #pids = new Map<string, string>();

  /** Remembers the pids the daemons of `ns` run with now (after a start or a deliberate restart). */
  async record(ns: string, daemons: readonly string[] = FRR_DAEMONS): Promise<void> {
    const now = await readDaemons(daemons.map((d) => `${ns}/${d}`));
    for (const d of now) this.#pids.set(d.key, d.pid);
  }

  /** Every recorded daemon that is gone or runs with another pid, and every crash line in their logs; empty when healthy. */
  async problems(): Promise<string[]> {
    const out: string[] = [];
    for (const d of await readDaemons([...this.#pids.keys()])) {
      const pid = this.#pids.get(d.key) ?? '';
      if (d.pid !== pid) out.push(`${d.key}: pid ${pid} at start, ${d.pid === '' ? 'no pid file' : d.pid} now`);
      else if (!d.alive) out.push(`${d.key}: pid ${pid} is gone`);
      if (d.crashLines !== '') out.push(`${d.key} logged a crash:\n${d.crashLines}`);
    }
    return out;
  }
}

interface DaemonState {
  readonly key: string;
  readonly pid: string;
  readonly alive: boolean;
  readonly crashLines: string;
}

/**
 * Pid, liveness (running, not a zombie: a daemonised FRR is reparented to the
 * guest's init) and crash lines of each `ns/daemon`, in one bash: a spawn costs
 * up to a second in the loaded guest.
 */
async function readDaemons(keys: readonly string[]): Promise<DaemonState[]> {
  const script = keys
    .map((key) => {
      const [ns = '', daemon = ''] = key.split('/');
      return [
        `echo "@@ ${key}"`,
        `pid=$(cat /var/run/frr/${ns}/${daemon}.pid 2>/dev/null || true); echo "pid=$pid"`,
        `if [ -n "$pid" ] && [ -r /proc/$pid/status ] && ! grep -q '^State:.*Z' /proc/$pid/status; then echo alive; fi`,
        `grep -E '${CRASH_LINES}' ${frrLogFile(ns, daemon)} 2>/dev/null || true`,
      ].join('\n');
    })
    .join('\n');
  const out = (await tryRun('bash', ['-c', script])).stdout;
  return out
    .split('@@ ')
    .slice(1)
    .map((part) => {
      const [key = '', pidLine = '', ...rest] = part.split('\n');
      const alive = rest[0] === 'alive';
      return {
        key: key.trim(),
        pid: pidLine.replace(/^pid=/, '').trim(),
        alive,
        crashLines: (alive ? rest.slice(1) : rest).join('\n').trim(),
      };
    });
}
