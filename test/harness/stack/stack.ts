// Which test world a harness process runs (docs/support-matrix.md):
// - 'current': the locked Debian unstable root (test/stack/current.lock: FRR 10,
//   OVN 26.03, OVS 4.0), built by scripts/build-test-root.sh. The UML guests boot
//   it; on the host, its OVN/OVS programs run through test/stack/bin (the root's
//   own dynamic loader: they need a newer glibc than the host's);
// - 'oldest': the host's own Debian 12 (FRR 8.4, OVN 23.03, OVS 3.1).
// Chosen by EVPN_STACK (default current: what make test, the demo and the chart ship;
// oldest is make test's oldest-supported lane), the same variable test/uml/boot.sh reads.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type Stack = 'current' | 'oldest';

const repo = join(import.meta.dirname, '..', '..', '..');
const lockFile = join(repo, 'test', 'stack', 'current.lock');
const stackBin = join(repo, 'test', 'stack', 'bin');

export function stackName(env: NodeJS.ProcessEnv = process.env): Stack {
  const s = env['EVPN_STACK'] ?? 'current';
  if (s !== 'current' && s !== 'oldest') throw new Error(`EVPN_STACK must be current or oldest, not '${s}'`);
  return s;
}

/** Where scripts/build-test-root.sh keeps the root of the current lock (same key: the lock's hash). */
export function currentRoot(): string {
  const key = createHash('sha256').update(readFileSync(lockFile)).digest('hex').slice(0, 16);
  return join(repo, '.cache', 'roots', `current-${key}`);
}

/** A file of the stack this process runs, e.g. stackPath('/usr/share/ovn/ovn-nb.ovsschema'). */
export function stackPath(path: string): string {
  return stackName() === 'current' && process.env['EVPN_TEST_ROOT'] !== undefined
    ? join(process.env['EVPN_TEST_ROOT'], path)
    : path;
}

/**
 * Makes this process (and the children it starts later) run the stack's OVN and
 * OVS programs on the host: for 'current', test/stack/bin first on PATH and
 * EVPN_TEST_ROOT set. Throws when the root has not been built.
 */
export function useStackOnHost(): Stack {
  const stack = stackName();
  if (stack === 'oldest') return stack;
  const root = currentRoot();
  if (!existsSync(join(root, '.complete')))
    throw new Error(`the current test world is not built (${root}): run make setup-root`);
  process.env['EVPN_TEST_ROOT'] = root;
  const path = process.env['PATH'] ?? '';
  if (!path.split(delimiter).includes(stackBin)) process.env['PATH'] = `${stackBin}${delimiter}${path}`;
  return stack;
}

/**
 * One line naming the stack and the versions this host process runs (for the test
 * logs): OVN and OVS from the stack (the root's, for current), and the host's own
 * FRR, which the host-side FRR tests (frr-reload.py of the golden checks) run.
 */
export function hostStackVersions(): string {
  const first = (cmd: string): string => {
    try {
      return execFileSync(cmd, ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? '?';
    } catch {
      return `${cmd}: not found`;
    }
  };
  return `stack ${stackName()}: ${first('ovn-northd')}, ${first('ovsdb-server')}; host FRR: ${first('/usr/lib/frr/zebra')}`;
}

/** The upstream version of a package of the current test world's lock, e.g. lockedVersion('frr') → '10.7.1'. */
export function lockedVersion(pkg: string): string {
  const line = readFileSync(lockFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${pkg}=`));
  const version = line
    ?.slice(pkg.length + 1)
    .replace(/^\d+:/, '')
    .replace(/-[^-]*$/, '');
  if (version === undefined || version === '') throw new Error(`${pkg} is not in ${lockFile}`);
  return version;
}
