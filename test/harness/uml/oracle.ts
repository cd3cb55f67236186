// iproute2 as an independent oracle for tests running inside the UML guest:
// what the kernel really holds, read by another implementation than ours.
// Only for tests; the adapter itself never spawns processes.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Runs a command (no shell) and returns stdout; throws with stderr on failure. */
export function run(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `ip -j ARGS` parsed; `ip -d -j link show dev X` etc. */
export function ipJson(args: readonly string[]): unknown {
  const out = run('ip', ['-j', ...args]).trim();
  return out === '' ? [] : (JSON.parse(out) as unknown);
}

/** `bridge -j ARGS` parsed. */
export function bridgeJson(args: readonly string[]): unknown {
  const out = run('bridge', ['-j', ...args]).trim();
  return out === '' ? [] : (JSON.parse(out) as unknown);
}

/** The single object of `ip -d -j link show dev NAME`. */
export function ipLink(name: string): Record<string, unknown> {
  const links = ipJson(['-d', 'link', 'show', 'dev', name]) as Record<string, unknown>[];
  const l = links[0];
  if (l === undefined) throw new Error(`ip link show dev ${name}: nothing`);
  return l;
}

/** True inside the user-mode Linux guest: the only place kernel tests may change the network. */
export function inUmlGuest(): boolean {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8').includes('User Mode Linux');
  } catch {
    return false;
  }
}

/** Call first in every *.uml.test.ts: refuses to touch the host's network. */
export function requireUmlGuest(): void {
  if (!inUmlGuest())
    throw new Error(
      'kernel tests change the network: run them in the UML guest (make test-uml / test/uml/run-suite.sh)',
    );
}
