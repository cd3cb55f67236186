// Drift detection for the agent: someone else deleted a device, an address, a
// route, a neighbour or an FDB entry. Two long-lived processes for the life of
// the agent (`ip -o monitor` and `bridge monitor fdb`), never one per item.
//
// Why not a netlink monitor socket (see README.md)? With netlink 0.3.0,
// a process that holds a socket subscribed to rtnetlink groups aborts
// ("Napi::Error: Error in native callback", SIGABRT) as soon as a few hundred
// notifications arrive, whether or not anything listens (measured in the UML
// guest: 300 link creations; not fixed by buffer size or ref). The agent does
// not need the content of an event, only what it names: deletions trigger a
// pass, and every line marks what it touches stale in the kernel-state cache
// (../state-cache.ts), which the next pass dumps again.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export type DriftListener = (line: string) => void;

/** Every monitor line, or doubt: a monitor (re)started or reported an error (ENOBUFS: it lost events), so nothing seen so far can be trusted. */
export type DriftEvent = { readonly line: string } | { readonly doubt: string };

export interface DriftSource {
  /** Deletions only. */
  subscribe(listener: DriftListener): () => void;
  /** Every line and every doubt (for a cache of the kernel's state). */
  subscribeEvents?(listener: (e: DriftEvent) => void): () => void;
  /** Resolves once what the kernel announced so far has reached the listeners (best effort, bounded). */
  caughtUp?(maxMs?: number): Promise<void>;
}

/** Bytes queued unread on the NETLINK_ROUTE sockets of these processes (/proc/net/netlink: protocol, port id = pid, Rmem). */
function queuedBytes(pids: ReadonlySet<number>): number {
  let text: string;
  try {
    text = readFileSync('/proc/net/netlink', 'utf8');
  } catch {
    return 0;
  }
  let sum = 0;
  for (const line of text.split('\n').slice(1)) {
    const [, proto, portId, , rmem] = line.trim().split(/\s+/);
    if (proto === '0' && pids.has(Number(portId))) sum += Number(rmem);
  }
  return sum;
}

const COMMANDS: readonly (readonly [string, readonly string[]])[] = [
  // `label` prefixes each line with its kind ([LINK], [ROUTE], …): own-writes.ts parses it.
  // A larger receive buffer (capped by net.core.rmem_max) loses fewer events in a burst (ENOBUFS: see below).
  ['ip', ['-rcvbuf', String(4 << 20), '-o', 'monitor', 'label', 'link', 'address', 'route', 'neigh']],
  ['bridge', ['monitor', 'fdb']],
];

export class DriftWatch implements DriftSource {
  readonly #listeners = new Set<DriftListener>();
  readonly #eventListeners = new Set<(e: DriftEvent) => void>();
  readonly #children = new Set<ChildProcess>();
  #stopped = false;
  #lastLineAt = 0;

  constructor() {
    for (const [cmd, args] of COMMANDS) this.#run(cmd, args, 0);
  }

  subscribe(listener: DriftListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  subscribeEvents(listener: (e: DriftEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /**
   * Until the monitors have read every notification queued for them (their
   * sockets' receive queues are empty) and no line came for 50 ms: a pass
   * started then sees what was changed before the call (a kernel
   * notification is queued before the change's syscall returns).
   */
  async caughtUp(maxMs = 2000): Promise<void> {
    const start = Date.now();
    const end = start + maxMs;
    const pids = new Set([...this.#children].map((c) => c.pid).filter((p): p is number => p !== undefined));
    // Quiet since the call too: what a monitor has read may still sit in its pipe to us.
    while (Date.now() < end && (queuedBytes(pids) > 0 || Date.now() - Math.max(this.#lastLineAt, start) < 50)) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.#stopped = true;
    for (const c of this.#children) c.kill();
  }

  #run(cmd: string, args: readonly string[], attempt: number): void {
    if (this.#stopped) return;
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#children.add(child);
    // Events between the old monitor's end and this one's start are lost.
    if (attempt > 0) this.#emit({ doubt: `${cmd} monitor restarted` });
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.#lastLineAt = Date.now();
      this.#emit({ line });
      if (!line.replace(/^\[\w+\]/, '').startsWith('Deleted')) return;
      for (const l of [...this.#listeners]) l(line);
    });
    // iproute2 reports a receive error (ENOBUFS: the kernel dropped events) on stderr and goes on.
    createInterface({ input: child.stderr }).on('line', (line) => {
      this.#emit({ doubt: `${cmd} monitor: ${line}` });
    });
    let restarted = false;
    const restart = (): void => {
      if (restarted) return;
      restarted = true;
      this.#children.delete(child);
      if (this.#stopped) return;
      this.#emit({ doubt: `${cmd} monitor ended` });
      // A monitor that died: run it again, backing off to 30 s.
      setTimeout(
        () => {
          this.#run(cmd, args, attempt + 1);
        },
        Math.min(30_000, 500 * 2 ** attempt),
      ).unref();
    };
    child.once('error', restart);
    child.once('exit', restart);
  }

  #emit(e: DriftEvent): void {
    for (const l of [...this.#eventListeners]) l(e);
  }
}
