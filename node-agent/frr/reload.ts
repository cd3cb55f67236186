// FRR adapter: writes the rendered config (frr-config.ts) and applies it with
// frr-reload.py, verifies what FRR really did, and reads EVPN status back
// through vtysh. Nothing is parsed, rendered or validated here.
//
// Costs that shape it (FRR 8.4, measured in the UML guest): `--reload` takes
// ~2.5-5 s even when nothing changed and `--test` ~0.5-1.5 s, one vtysh call
// ~240 ms. So the applier reloads only when the rendered text changed, and
// spawns a fixed handful of processes per pass, never one per VRF or VNI.
import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { hashFrrConfig, type FrrConfig } from './frr-config.ts';
import {
  findVniProblems,
  hasVniProblems,
  parseReloadTestOutput,
  planVniRepair,
  residualDiff,
  type ReloadTestDiff,
  type VrfVni,
} from './running-config.ts';
import { parseFrrStatus, type FrrStatus } from './status.ts';

export type CommandResult = { readonly code: number; readonly stdout: string; readonly stderr: string };
/** Runs a program without a shell; resolves with its exit code, rejects only if it could not run. */
export type CommandRunner = (file: string, args: readonly string[], timeoutMs: number) => Promise<CommandResult>;

const runCommand: CommandRunner = (file, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) {
        resolve({ code: 0, stdout, stderr });
      } else if (typeof error.code === 'number') {
        resolve({ code: error.code, stdout, stderr });
      } else {
        reject(new Error(`${file} could not run: ${error.message}`, { cause: error }));
      }
    });
  });

/** FRR is not running or not answering: a condition for the node and a retry with backoff. */
export class FrrUnavailableError extends Error {
  override readonly name = 'FrrUnavailableError';
  readonly reason = 'FrrUnavailable';
}

/** frr-reload.py could not bring FRR to the rendered config; `residual` is what is still different. */
export class FrrReloadError extends Error {
  override readonly name = 'FrrReloadError';
  readonly reason = 'FrrReloadFailed';
  readonly residual: ReloadTestDiff;

  constructor(message: string, residual: ReloadTestDiff) {
    super(message);
    this.residual = residual;
  }
}

export type FrrApplierOptions = {
  /** Last successfully applied config (agent-owned; not FRR's own frr.conf, which `vtysh write` rewrites). */
  readonly configPath: string;
  /** FRR pathspace (`zebra -N`), when FRR runs per network namespace. */
  readonly pathspace?: string;
  readonly frrReloadPath?: string;
  readonly vtyshPath?: string;
  readonly pythonPath?: string;
  readonly timeoutMs?: number;
  readonly run?: CommandRunner;
  readonly logger?: Logger;
};

export type FrrApplyResult = {
  /** False when the rendered text equals the last applied one (no process started). */
  readonly reloaded: boolean;
  readonly reloads: number;
  /** VRFs whose L3VNI FRR had dropped and that were repaired through vtysh. */
  readonly repairedVnis: readonly VrfVni[];
  readonly durationMs: number;
};

const DAEMONS_DOWN = /failed to connect to any daemons|Failure to connect|is not running/i;

export class FrrApplier {
  readonly #opts: Required<Omit<FrrApplierOptions, 'pathspace' | 'logger'>> & Pick<FrrApplierOptions, 'pathspace' | 'logger'>;
  #appliedHash: string | undefined;
  #loaded = false;

  constructor(options: FrrApplierOptions) {
    this.#opts = {
      frrReloadPath: '/usr/lib/frr/frr-reload.py',
      vtyshPath: 'vtysh',
      pythonPath: 'python3',
      timeoutMs: 120_000,
      run: runCommand,
      ...options,
    };
  }

  /**
   * Brings FRR to the rendered config. Throws FrrUnavailableError or
   * FrrReloadError (retry with backoff).
   */
  async apply(config: FrrConfig): Promise<FrrApplyResult> {
    const started = Date.now();
    const { text, hash, vrfVnis } = config;
    await this.#loadAppliedHash();
    if (hash === this.#appliedHash) return { reloaded: false, reloads: 0, repairedVnis: [], durationMs: Date.now() - started };

    const nextPath = `${this.#opts.configPath}.next`;
    await mkdir(dirname(nextPath), { recursive: true });
    await writeFile(nextPath, text, { mode: 0o640 });

    const repaired: VrfVni[] = [];
    let residual: ReloadTestDiff = { toDelete: [], toAdd: [] };
    let reloads = 0;
    // A second reload settles FRR quirks that need two steps (e.g. bgpd keeps
    // `neighbor X bfd` when `bfd profile` and `bfd` are removed together).
    for (let attempt = 0; attempt < 2; attempt += 1) {
      reloads += 1;
      const result = await this.#frrReload(['--reload', nextPath]);
      if (result.code !== 0) {
        this.#opts.logger?.warn({ code: result.code, stderr: result.stderr.slice(-2000) }, 'frr-reload exited non-zero');
        await this.#probe();
      }
      repaired.push(...(await this.repairVrfVnis(vrfVnis)));
      residual = residualDiff(parseReloadTestOutput((await this.#frrReload(['--test', nextPath])).stdout));
      if (residual.toAdd.length === 0 && residual.toDelete.length === 0) break;
      this.#opts.logger?.warn({ residual, attempt }, 'FRR running config differs from the rendered config after reload');
    }
    if (residual.toAdd.length > 0 || residual.toDelete.length > 0) {
      this.#appliedHash = undefined;
      throw new FrrReloadError(
        `FRR did not take the rendered config: ${[...residual.toDelete, ...residual.toAdd].slice(0, 10).join(' | ')}`,
        residual,
      );
    }
    await rename(nextPath, this.#opts.configPath);
    this.#appliedHash = hash;
    const durationMs = Date.now() - started;
    this.#opts.logger?.info({ reloads, repairedVnis: repaired, durationMs }, 'FRR config applied');
    return { reloaded: true, reloads, repairedVnis: repaired, durationMs };
  }

  /** EVPN state as FRR sees it; five vtysh calls, run in parallel. */
  async readStatus(): Promise<FrrStatus> {
    const [evpnVni, vrfVni, evpnSummary, routesByVni, prefixRoutes] = await Promise.all([
      this.#vtysh(['show evpn vni json']),
      this.#vtysh(['show vrf vni json']),
      this.#vtysh(['show bgp l2vpn evpn summary json']),
      this.#vtysh(['show bgp l2vpn evpn route vni all json']),
      this.#vtysh(['show bgp l2vpn evpn route type prefix json']),
    ]);
    return parseFrrStatus({ evpnVni, vrfVni, evpnSummary, routesByVni, prefixRoutes });
  }

  /** On start-up the file of the last applied config stands for what FRR runs, so an agent restart does not reload. */
  async #loadAppliedHash(): Promise<void> {
    if (this.#loaded) return;
    this.#loaded = true;
    try {
      this.#appliedHash = hashFrrConfig(await readFile(this.#opts.configPath, 'utf8'));
    } catch (error: unknown) {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    }
  }

  /** Checks that every VRF still has its L3VNI in FRR and restores it through vtysh; returns what was repaired. */
  async repairVrfVnis(desired: readonly VrfVni[]): Promise<VrfVni[]> {
    if (desired.length === 0) return [];
    const problems = findVniProblems(await this.#vtysh(['show running-config']), desired);
    if (!hasVniProblems(problems)) return [];
    this.#opts.logger?.warn({ problems }, 'FRR lost VRF VNIs on reload; repairing');
    const result = await this.#run(this.#opts.vtyshPath, [...this.#pathspaceArgs('-N'), ...planVniRepair(problems).flatMap((c) => ['-c', c])]);
    if (result.code !== 0) this.#opts.logger?.warn({ stdout: result.stdout, stderr: result.stderr }, 'vtysh VNI repair reported errors');
    return problems.missing.map((m) => ({ vrf: m.vrf, vni: m.vni }));
  }

  #pathspaceArgs(flag: string): string[] {
    return this.#opts.pathspace === undefined ? [] : [flag, this.#opts.pathspace];
  }

  async #frrReload(args: readonly string[]): Promise<CommandResult> {
    return this.#run(this.#opts.pythonPath, [this.#opts.frrReloadPath, ...this.#pathspaceArgs('--pathspace'), ...args]);
  }

  async #vtysh(commands: readonly string[]): Promise<string> {
    const result = await this.#run(this.#opts.vtyshPath, [...this.#pathspaceArgs('-N'), ...commands.flatMap((c) => ['-c', c])]);
    if (DAEMONS_DOWN.test(result.stderr) || DAEMONS_DOWN.test(result.stdout)) {
      throw new FrrUnavailableError(`vtysh cannot reach FRR: ${result.stderr.trim().slice(0, 300)}`);
    }
    return result.stdout;
  }

  async #probe(): Promise<void> {
    await this.#vtysh(['show version']);
  }

  async #run(file: string, args: readonly string[]): Promise<CommandResult> {
    try {
      return await this.#opts.run(file, args, this.#opts.timeoutMs);
    } catch (error: unknown) {
      throw new FrrUnavailableError(`cannot run ${file}`, { cause: error });
    }
  }
}
