// The one place the FRR adapters start processes (vtysh, frr-reload.py): no
// shell, a timeout, and FRR being down told apart from FRR refusing a line.
import { execFile } from 'node:child_process';

export type CommandResult = { readonly code: number; readonly stdout: string; readonly stderr: string };
/** Runs a program without a shell; resolves with its exit code, rejects only if it could not run. */
export type CommandRunner = (file: string, args: readonly string[], timeoutMs: number) => Promise<CommandResult>;

export const runCommand: CommandRunner = (file, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ code: 0, stdout, stderr });
        } else if (typeof error.code === 'number') {
          resolve({ code: error.code, stdout, stderr });
        } else {
          reject(new Error(`${file} could not run: ${error.message}`, { cause: error }));
        }
      },
    );
  });

/** FRR is not running or not answering: a condition for the node and a retry with backoff. */
export class FrrUnavailableError extends Error {
  override readonly name = 'FrrUnavailableError';
  readonly reason = 'FrrUnavailable';
}

/** What vtysh prints when no daemon answers. */
export const DAEMONS_DOWN = /failed to connect to any daemons|Failure to connect|is not running/i;

/** Runs `file`; a program that cannot start means FRR's tools are missing, i.e. FRR is unavailable. */
export async function runFrrTool(
  run: CommandRunner,
  file: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<CommandResult> {
  try {
    return await run(file, args, timeoutMs);
  } catch (error: unknown) {
    throw new FrrUnavailableError(`cannot run ${file}`, { cause: error });
  }
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
