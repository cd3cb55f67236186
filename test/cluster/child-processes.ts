// Child processes of the control plane: started with their output in a log file,
// tied to this process's lifetime unless detached, stopped gracefully.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const stopGraceMs = 10_000;

/** Processes of control planes this process started non-detached; killed on exit. */
const attached = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL now, no waiting. The tether (see
  // spawnComponent) covers the case where this process dies without running them.
  process.on('exit', () => {
    for (const child of attached) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
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
    if (detached) {
      child.unref();
    } else {
      installExitHook();
      attached.add(child);
      child.once('exit', () => attached.delete(child));
    }
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

export async function waitUntil(
  what: string,
  child: ChildProcess,
  logPath: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited(child)) {
      throw new Error(
        `${what} exited (code ${String(child.exitCode)}, signal ${String(child.signalCode)}) before it was ready; ` +
          `tail of ${logPath}:\n${tailFile(logPath)}`,
      );
    }
    if (await probe()) return;
    if (Date.now() > deadline) {
      throw new Error(`${what} not ready after ${timeoutMs} ms; tail of ${logPath}:\n${tailFile(logPath)}`);
    }
    await sleep(200);
  }
}

export async function terminate(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
  await exited;
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
  const deadline = Date.now() + graceMs;
  while (isPidAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      await sleep(100);
      return;
    }
    await sleep(100);
  }
}

