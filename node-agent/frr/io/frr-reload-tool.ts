// frr-reload.py, the fallback when the stanza delta does not converge (e.g. a
// node-level change FRR cannot take line by line, such as a new `remote-as` on
// an existing neighbour) and the benchmark's baseline. `--reload` takes
// ~2.5-5 s even when nothing changed and 100-140 s for 1,000 VRFs in the UML
// guest, which is why it is not the normal path.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { parseReloadTestOutput, residualDiff, type ReloadTestDiff } from '../running-config.ts';
import { runFrrTool, type CommandResult, type CommandRunner } from './run-command.ts';

export type FrrReloadToolOptions = {
  readonly frrReloadPath: string;
  readonly pythonPath: string;
  readonly pathspace: string | undefined;
  readonly timeoutMs: number;
  readonly run: CommandRunner;
  readonly logger: Logger | undefined;
};

export class FrrReloadTool {
  readonly #o: FrrReloadToolOptions;

  constructor(options: FrrReloadToolOptions) {
    this.#o = options;
  }

  /** Writes `text` to `path` (FRR reads it) and runs `--reload`; a non-zero exit is logged, `--test` decides. */
  async reload(path: string, text: string): Promise<CommandResult> {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text, { mode: 0o640 });
    const result = await this.#run(['--reload', path]);
    if (result.code !== 0)
      this.#o.logger?.warn({ code: result.code, stderr: result.stderr.slice(-2000) }, 'frr-reload exited non-zero');
    return result;
  }

  /** What `--test` still finds different (the differences that never go away left out). */
  async residual(path: string): Promise<ReloadTestDiff> {
    return residualDiff(parseReloadTestOutput((await this.#run(['--test', path])).stdout));
  }

  async #run(args: readonly string[]): Promise<CommandResult> {
    const pathspace = this.#o.pathspace === undefined ? [] : ['--pathspace', this.#o.pathspace];
    return runFrrTool(
      this.#o.run,
      this.#o.pythonPath,
      [this.#o.frrReloadPath, ...pathspace, ...args],
      this.#o.timeoutMs,
    );
  }
}
