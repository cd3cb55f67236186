// CPU per FRR daemon and for the bench process with its children (vtysh,
// frr-reload.py) over one measured phase (adapter: /proc), so a missed target
// shows where its time went in the same run.
import { readFileSync } from 'node:fs';
import { daemonsOf } from './frr-nodes.ts';

/** utime + stime (+ cutime + cstime: waited-for children) in clock ticks, from /proc/PID/stat. */
function ticks(stat: string, children: boolean): number {
  const f = stat.split(') ')[1]?.split(' ') ?? [];
  const own = Number(f[11]) + Number(f[12]);
  return children ? own + Number(f[13]) + Number(f[14]) : own;
}

const TICK_MS = 10; // USER_HZ = 100 on Linux

function readTicks(path: string, children: boolean): number {
  try {
    return ticks(readFileSync(path, 'utf8'), children);
  } catch {
    return Number.NaN;
  }
}

/** CPU ms so far of node `ns`'s daemons and of this process (with its reaped children, i.e. vtysh), keyed name@pid. */
export function cpuNow(ns: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of daemonsOf()) {
    let pid = Number.NaN;
    try {
      pid = Number(readFileSync(`/var/run/frr/${ns}/${d}.pid`, 'utf8').trim());
    } catch {
      /* not running */
    }
    out[`${d}@${pid}`] = readTicks(`/proc/${pid}/stat`, false) * TICK_MS;
  }
  out[`bench+vtysh@${process.pid}`] = readTicks('/proc/self/stat', true) * TICK_MS;
  return out;
}

/** CPU ms spent between two snapshots, per process name; a daemon restarted meanwhile (new pid) counts from 0. */
export function cpuSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(after)) {
    const name = key.split('@')[0] ?? key;
    out[name] = Number.isNaN(v) ? 0 : v - (before[key] ?? 0);
  }
  return out;
}
