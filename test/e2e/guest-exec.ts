// Child processes inside the guest: one-shot commands (stdout, or an error that
// quotes stderr) and long-running processes whose output goes to a log file.
// Every spawn costs 15–35 ms in user-mode Linux, so callers batch (one bash
// script per node, one vtysh call per check).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function tryRun(file: string, args: readonly string[], timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr: error !== null && stderr === '' ? error.message : stderr });
      },
    );
  });
}

export async function run(file: string, args: readonly string[], timeoutMs = 30_000): Promise<string> {
  const r = await tryRun(file, args, timeoutMs);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** Runs a bash script with `set -euo pipefail`; throws with the script's stderr. */
export function bash(script: string, timeoutMs = 60_000): Promise<string> {
  return run('bash', ['-c', `set -euo pipefail\n${script}`], timeoutMs);
}

export interface Background {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
}

/** A long-running process with stdout and stderr appended to `logFile`. */
export function startBackground(
  name: string,
  file: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): Background {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(file, [...args], { stdio: ['ignore', fd, fd], env });
    child.once('error', () => undefined);
    return { name, child, logFile };
  } finally {
    closeSync(fd);
  }
}

export async function stopBackground(p: Background, graceMs = 3000): Promise<void> {
  const { child } = p;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
