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
    for (const d of daemons) this.#pids.set(`${ns}/${d}`, await pidOf(ns, d));
  }

  /** Every recorded daemon that is gone or runs with another pid, and every crash line in their logs; empty when healthy. */
  async problems(): Promise<string[]> {
    const out: string[] = [];
    for (const [key, pid] of this.#pids) {
      const [ns = '', daemon = ''] = key.split('/');
      const now = await pidOf(ns, daemon);
      if (now !== pid) out.push(`${key}: pid ${pid} at start, ${now === '' ? 'no pid file' : now} now`);
      else if (!(await alive(pid))) out.push(`${key}: pid ${pid} is gone`);
      const log = await tryRun('grep', ['-E', CRASH_LINES, frrLogFile(ns, daemon)]);
      if (log.stdout.trim() !== '') out.push(`${key} logged a crash:\n${log.stdout.trim()}`);
    }
    return out;
  }
}

async function pidOf(ns: string, daemon: string): Promise<string> {
  const r = await tryRun('cat', [`/var/run/frr/${ns}/${daemon}.pid`]);
  return r.code === 0 ? r.stdout.trim() : '';
}

/** Running, not a zombie (a daemonised FRR is reparented to the guest's init). */
async function alive(pid: string): Promise<boolean> {
  const r = await tryRun('cat', [`/proc/${pid}/status`]);
  return r.code === 0 && !/^State:\s+Z/m.test(r.stdout);
}
