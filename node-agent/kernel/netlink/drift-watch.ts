// Drift detection for the agent: someone else deleted a device, an address, a
// route, a neighbour or an FDB entry. Two long-lived processes for the life of
// the agent (`ip -o monitor` and `bridge monitor fdb`), never one per item.
//
// Why not a netlink monitor socket (see README.md)? With netlink 0.3.0,
// a process that holds a socket subscribed to rtnetlink groups aborts
// ("Napi::Error: Error in native callback", SIGABRT) as soon as a few hundred
// notifications arrive, whether or not anything listens (measured in the UML
// guest: 300 link creations; not fixed by buffer size or ref). The agent does
// not need the content of an event, only that something was deleted: the pass
// that follows re-reads everything with dumps.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export type DriftListener = (line: string) => void;

export interface DriftSource {
  subscribe(listener: DriftListener): () => void;
}

const COMMANDS: readonly (readonly [string, readonly string[]])[] = [
  // `label` prefixes each line with its kind ([LINK], [ROUTE], …): own-writes.ts parses it.
  ['ip', ['-o', 'monitor', 'label', 'link', 'address', 'route', 'neigh']],
  ['bridge', ['monitor', 'fdb']],
];

export class DriftWatch implements DriftSource {
  readonly #listeners = new Set<DriftListener>();
  readonly #children = new Set<ChildProcess>();
  #stopped = false;

  constructor() {
    for (const [cmd, args] of COMMANDS) this.#run(cmd, args, 0);
  }

  subscribe(listener: DriftListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#stopped = true;
    for (const c of this.#children) c.kill();
  }

  #run(cmd: string, args: readonly string[], attempt: number): void {
    if (this.#stopped) return;
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    this.#children.add(child);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.replace(/^\[\w+\]/, '').startsWith('Deleted')) return;
      for (const l of [...this.#listeners]) l(line);
    });
    const restart = (): void => {
      this.#children.delete(child);
      if (this.#stopped) return;
      // A monitor that died: run it again, backing off to 30 s.
      setTimeout(() => { this.#run(cmd, args, attempt + 1); }, Math.min(30_000, 500 * 2 ** attempt)).unref();
    };
    child.once('error', restart);
    child.once('exit', restart);
  }
}
