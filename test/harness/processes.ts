// Child processes of the test harness (control plane, OVN databases, operator,
// FRR, one-shot tools). Two ways to start a long-running process, both tied to
// this process's lifetime so nothing outlives a test run:
// - spawnComponent: output appended to a log file; a bash "tether" beside the
//   process sends SIGTERM when this Node process is gone (or `detached` for the
//   `cluster:up` control plane that must outlive the command);
// - startDaemon: stderr kept in memory for start-up failures (daemons log to
//   files of their own); parent-death SIGKILL via setpriv.
// Either is also SIGKILLed by an exit hook, and stopped with SIGTERM, then
// SIGKILL after a grace period.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { errorMessage } from '../../lib/log.ts';
import { waitFor } from './wait-for.ts';

const execFileAsync = promisify(execFile);
const stopGraceMs = 10_000;

/** Processes this process started non-detached; SIGKILLed on exit. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'exit' handlers must be synchronous: SIGKILL now, no waiting. The tether and
    // the parent-death signal cover a process that dies without running them.
    process.on('exit', () => {
      for (const c of live) {
        if (c.pid !== undefined && !hasExited(c)) {
          try {
            process.kill(c.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Last lines of a log file, for error messages. */
export function tailFile(path: string, lines = 30): string {
  if (!existsSync(path)) return '(no log file)';
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

// Runs `"$@"` in place of bash (same pid), with a background watcher that sends
// SIGTERM when the parent Node process is gone, so nothing outlives a test run that
// was itself killed (SIGKILL, OOM, a CI timeout) and never ran its exit handlers.
const tetherScript =
  'parent=$1; shift; ' +
  '(while kill -0 "$parent" 2>/dev/null && kill -0 $$ 2>/dev/null; do sleep 1; done; ' +
  'kill -TERM $$ 2>/dev/null) </dev/null >/dev/null 2>&1 & exec "$@"';

export function spawnComponent(bin: string, args: readonly string[], logPath: string, detached: boolean): ChildProcess {
  const log = openSync(logPath, 'a');
  try {
    const child = detached
      ? spawn(bin, args, { detached: true, stdio: ['ignore', log, log] })
      : spawn('bash', ['-c', tetherScript, 'tether', String(process.pid), bin, ...args], {
          detached: false,
          stdio: ['ignore', log, log],
        });
    if (detached) child.unref();
    else track(child);
    // Spawn failures (ENOENT) surface as the process having exited; see waitUntil.
    child.once('error', () => undefined);
    return child;
  } finally {
    closeSync(log);
  }
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Waits until `probe` holds; fails at once, with the log's tail, if the process exits first. */
export async function waitUntil(
  what: string,
  child: ChildProcess,
  logPath: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  const exitedEarly = (): Error =>
    new Error(
      `${what} exited (code ${String(child.exitCode)}, signal ${String(child.signalCode)}) before it was ready; ` +
        `tail of ${logPath}:\n${tailFile(logPath)}`,
    );
  try {
    await waitFor(
      what,
      async () => {
        if (hasExited(child)) throw Object.assign(exitedEarly(), { fatal: true });
        return await probe();
      },
      { timeoutMs, stepMs: 200, stopOn: (err) => (err as { fatal?: boolean }).fatal === true },
    );
  } catch (err) {
    if ((err as { fatal?: boolean }).fatal === true) throw err;
    throw new Error(`${what} not ready after ${timeoutMs} ms; tail of ${logPath}:\n${tailFile(logPath)}`, {
      cause: err,
    });
  }
}

/** SIGTERM (after SIGCONT: a paused process cannot act on it), SIGKILL after `graceMs`; resolves once it is gone. */
export async function terminate(child: ChildProcess, graceMs = stopGraceMs, exited?: Promise<unknown>): Promise<void> {
  if (child.pid === undefined || hasExited(child)) return;
  const gone =
    exited ??
    new Promise<void>((resolve) =>
      child.once('exit', () => {
        resolve();
      }),
    );
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/** Whether a process with this pid exists (and is not a zombie). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie (exited, not yet reaped) still answers kill 0.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after the grace period, for a process that is not our child. */
export async function terminatePid(pid: number, graceMs = stopGraceMs): Promise<void> {
  if (!isPidAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  try {
    await waitFor(`pid ${pid} to exit`, () => !isPidAlive(pid), { timeoutMs: graceMs, stepMs: 100 });
  } catch {
    if (isPidAlive(pid)) process.kill(pid, 'SIGKILL');
    await sleep(100);
  }
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export interface Daemon {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code or signal once the process is gone. */
  readonly exited: Promise<string>;
  /** stderr collected so far (daemons log to files; this holds start-up failures). */
  stderr(): string;
}

export function startDaemon(name: string, command: string, args: readonly string[]): Daemon {
  const argv = SETPRIV === undefined ? [command, ...args] : [SETPRIV, '--pdeathsig', 'KILL', '--', command, ...args];
  const [file = command, ...rest] = argv;
  const child = spawn(file, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
  track(child);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
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
  await terminate(daemon.child, graceMs, daemon.exited);
}

/** Runs a command (no shell) and returns its trimmed stdout; throws with its stderr. */
export async function run(command: string, args: readonly string[], timeoutMs = 15_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, [...args], { timeout: timeoutMs, encoding: 'utf8' });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || errorMessage(err)}`, {
      cause: err,
    });
  }
}
