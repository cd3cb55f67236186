// vtysh, the way to FRR when the daemons' vty sockets are not reachable, and
// for what only its merged view shows (frr-reload.py's stray `vrf-policy X`):
// `-c` commands and `-f` batches. One process per call (~0.2-1 s in UML), so
// callers use it a fixed handful of times per apply, never per VRF.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { splitJsonDocuments } from '../json-documents.ts';
import { DAEMONS_DOWN, FrrUnavailableError, runFrrTool, type CommandRunner } from './run-command.ts';

export type VtyshOptions = {
  readonly vtyshPath: string;
  readonly pathspace: string | undefined;
  readonly timeoutMs: number;
  readonly run: CommandRunner;
  readonly logger: Logger | undefined;
};

export class Vtysh {
  readonly #o: VtyshOptions;

  constructor(options: VtyshOptions) {
    this.#o = options;
  }

  #args(): string[] {
    return this.#o.pathspace === undefined ? [] : ['-N', this.#o.pathspace];
  }

  /** The output of `-c` commands; throws FrrUnavailableError when no daemon answers. */
  async commands(commands: readonly string[]): Promise<string> {
    const r = await runFrrTool(
      this.#o.run,
      this.#o.vtyshPath,
      [...this.#args(), ...commands.flatMap((c) => ['-c', c])],
      this.#o.timeoutMs,
    );
    if (DAEMONS_DOWN.test(r.stderr) || DAEMONS_DOWN.test(r.stdout))
      throw new FrrUnavailableError(`vtysh cannot reach FRR: ${r.stderr.trim().slice(0, 300)}`);
    return r.stdout;
  }

  /** JSON show commands in one vtysh call, split into one answer per command. */
  async jsonCommands(commands: readonly string[]): Promise<string[]> {
    const answers = splitJsonDocuments(await this.commands(commands));
    if (answers.length !== commands.length)
      throw new FrrUnavailableError(
        `vtysh answered ${answers.length} JSON values to ${commands.length} commands (${commands[0] ?? ''} …)`,
      );
    return answers;
  }

  /** Configuration commands (`configure terminal` first); a refused one is logged, the read-back decides. */
  async configure(commands: readonly string[]): Promise<void> {
    const r = await runFrrTool(
      this.#o.run,
      this.#o.vtyshPath,
      [...this.#args(), ...commands.flatMap((c) => ['-c', c])],
      this.#o.timeoutMs,
    );
    if (r.code !== 0)
      this.#o.logger?.warn({ stdout: r.stdout, stderr: r.stderr }, 'vtysh configuration commands reported errors');
  }

  /**
   * One `vtysh -f` batch from `path`. vtysh carries on after a failed line and
   * returns 2; which line failed is not reported per line, so the read-back decides.
   */
  async batch(path: string, lines: readonly string[]): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
    const r = await runFrrTool(this.#o.run, this.#o.vtyshPath, [...this.#args(), '-f', path], this.#o.timeoutMs);
    if (DAEMONS_DOWN.test(r.stderr) || DAEMONS_DOWN.test(r.stdout))
      throw new FrrUnavailableError(`vtysh cannot reach FRR: ${r.stderr.trim().slice(0, 300)}`);
    if (r.code !== 0)
      this.#o.logger?.warn({ code: r.code, out: `${r.stdout}${r.stderr}`.slice(-2000) }, 'vtysh -f reported errors');
  }
}
