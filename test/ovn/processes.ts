// Child processes for tests: started so they die with the test process (parent-death
// signal via setpriv, plus a SIGKILL sweep on exit), stopped and awaited explicitly.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export interface Daemon {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code or signal once the process is gone. */
  readonly exited: Promise<string>;
  /** stderr collected so far (daemons log to files; this holds start-up failures). */
  stderr(): string;
}

export function startDaemon(name: string, command: string, args: readonly string[]): Daemon {
  installExitHook();
  const argv = SETPRIV === undefined ? [command, ...args] : [SETPRIV, '--pdeathsig', 'KILL', '--', command, ...args];
  const [file = command, ...rest] = argv;
  const child = spawn(file, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  live.add(child);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(signal ?? `exit ${code ?? '?'}`);
    });
    child.once('error', (err) => {
      live.delete(child);
      stderr += err.message;
      resolve(`error ${err.message}`);
    });
  });
  return { name, child, exited, stderr: () => stderr };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopDaemon(daemon: Daemon, graceMs = 2000): Promise<void> {
  if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) return;
  daemon.child.kill('SIGCONT'); // a paused process cannot act on SIGTERM
  daemon.child.kill('SIGTERM');
  const timer = setTimeout(() => daemon.child.kill('SIGKILL'), graceMs);
  await daemon.exited;
  clearTimeout(timer);
}

export async function run(command: string, args: readonly string[], timeoutMs = 15_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, [...args], { timeout: timeoutMs, encoding: 'utf8' });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`, { cause: err });
  }
}
