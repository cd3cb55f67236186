// FRR adapter: applies the rendered config (frr-config.ts) as the delta from
// what FRR runs (stanzas.ts) in one `vtysh -f` batch, confirms it by reading
// `show running-config` back into the same stanzas, falls back to
// frr-reload.py when that does not converge, keeps FRR's boot config equal to
// what is applied, checks periodically that FRR still runs it (restarts,
// drift, dropped VNIs), and reads EVPN status back through vtysh. Rendering
// and diffing are pure and live elsewhere.
//
// Costs that shape it (FRR 8.4, measured in the UML guest): frr-reload.py
// `--reload` takes ~2.5-5 s even when nothing changed and 100-140 s for 1,000
// VRFs, `--test` ~0.5-1.5 s, one vtysh call ~240 ms. So the applier sends only
// the delta, skips an unchanged config without starting a process, and spawns
// a fixed handful of processes per apply, never one per VRF or VNI.
import { execFile } from 'node:child_process';
import { access, chown, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { FrrConfig } from './frr-config.ts';
import {
  findVniProblems,
  hasVniProblems,
  parseReloadTestOutput,
  planVniRepair,
  residualDiff,
  type ReloadTestDiff,
  type VrfVni,
} from './running-config.ts';
import { blocksOf, diffStanzas, ownersOf, parseStanzas, vrfsOfKeys, type Block, type DaemonName, type FrrStanzas, type StanzaDelta } from './stanzas.ts';
import { parseFrrStatus, type FrrStatus } from './status.ts';
import { isVtyFailure, VtyConnection } from './vty.ts';

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
  /**
   * FRR's boot config (the frr.conf the daemons start with), rewritten
   * atomically after every apply so that a restarted FRR starts with what was
   * applied. Owner and mode of the existing file are kept (the daemons read it as frr).
   */
  readonly bootConfigPath?: string;
  /** FRR pathspace (`zebra -N`), when FRR runs per network namespace. */
  readonly pathspace?: string;
  /** Where zebra.pid and bgpd.pid are (default /var/run/frr[/pathspace]); unreadable → restarts are seen through the config only. */
  readonly pidDir?: string;
  /**
   * Where the daemons' vtysh sockets are (zebra.vty, bgpd.vty, bfdd.vty; default
   * /var/run/frr[/pathspace]). When zebra's and bgpd's are there, the delta and
   * the read-back go straight to the owning daemon (vty.ts) instead of through
   * vtysh; otherwise through vtysh.
   */
  readonly vtyDir?: string;
  readonly frrReloadPath?: string;
  readonly vtyshPath?: string;
  readonly pythonPath?: string;
  readonly timeoutMs?: number;
  readonly run?: CommandRunner;
  readonly logger?: Logger;
  /** Skip the delta and always run frr-reload.py (the benchmark's baseline; the fallback path). */
  readonly fullReloadOnly?: boolean;
};

export type FrrApplyResult = {
  /** False when FRR already ran the config (no change sent). */
  readonly reloaded: boolean;
  /** none: nothing sent; delta: one `vtysh -f` batch; reload: frr-reload.py (the fallback). */
  readonly mode: 'none' | 'delta' | 'reload';
  /** frr-reload.py --reload runs (0 unless the delta failed). */
  readonly reloads: number;
  /** Lines of the `vtysh -f` batch. */
  readonly commands: number;
  /** Stanza keys the delta touched. */
  readonly changed: readonly string[];
  /**
   * Stanzas FRR refused (key → FRR's message) when sent through the daemons'
   * sockets: left out of the confirmation, so they fail alone (the node pass
   * gives their VRFs EVPN-006) while every other stanza is applied.
   */
  readonly refused: ReadonlyMap<string, string>;
  /** VRFs whose L3VNI FRR had dropped and that were repaired through vtysh. */
  readonly repairedVnis: readonly VrfVni[];
  readonly durationMs: number;
  /** Where the time went: plan (first read of FRR), send, readBack, converge (VNI repair / fallback), confirm (files, pids). */
  readonly phasesMs: Readonly<Record<string, number>>;
};

export type FrrCheckResult =
  | { readonly ok: true }
  /** FRR no longer runs what was applied; the next apply repairs it. */
  | { readonly ok: false; readonly reason: 'FrrRestarted' | 'FrrDrifted'; readonly message: string };

const DAEMONS_DOWN = /failed to connect to any daemons|Failure to connect|is not running/i;
const PID_DAEMONS = ['zebra', 'bgpd'] as const;

type Readback = { readonly text: string; readonly stanzas: FrrStanzas };
type Converged = { readonly readback: Readback; readonly mode: FrrApplyResult['mode']; readonly reloads: number; readonly repaired: readonly VrfVni[] };

/** Sends one block's lines; a refused line ends the block (back to the config node) and is returned with FRR's message. */
async function sendBlock(c: VtyConnection, lines: readonly string[]): Promise<string | undefined> {
  for (const line of lines) {
    const r = await c.run(line.trim());
    if (!isVtyFailure(r.status)) continue;
    await c.run('end');
    await c.run('configure terminal');
    return `${line.trim()}: ${r.output.trim() || `status ${r.status}`}`;
  }
  return undefined;
}

export class FrrApplier {
  readonly #opts: Required<Omit<FrrApplierOptions, 'pathspace' | 'logger' | 'bootConfigPath' | 'pidDir' | 'vtyDir' | 'fullReloadOnly'>> &
    Pick<FrrApplierOptions, 'pathspace' | 'logger' | 'bootConfigPath' | 'pidDir' | 'vtyDir' | 'fullReloadOnly'>;
  /** The config last confirmed in FRR. */
  #desired: FrrConfig | undefined;
  /** FRR's owned stanzas as last read back (the base of the next delta); undefined → read before the next apply. */
  #running: FrrStanzas | undefined;
  /** Set by check(): FRR differs from #desired, so the next apply must not skip. */
  #dirty = false;
  #pids: string | undefined;
  /** Stanzas FRR refused in the last apply (see FrrApplyResult.refused). */
  #refused: ReadonlyMap<string, string> = new Map();
  /** The text last written to the boot config by this process. */
  #bootText: string | undefined;

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
   * Brings FRR to the rendered config: the delta from what FRR runs as one
   * `vtysh -f` batch, confirmed by reading the running config back; a full
   * frr-reload.py when that does not converge. Throws FrrUnavailableError or
   * FrrReloadError (retry with backoff).
   */
  async apply(config: FrrConfig): Promise<FrrApplyResult> {
    const started = Date.now();
    if (this.#upToDate(config)) return { reloaded: false, mode: 'none', reloads: 0, commands: 0, changed: [], refused: this.#refused, repairedVnis: [], durationMs: Date.now() - started, phasesMs: {} };
    this.#refused = new Map();
    await this.#writeBootConfig(config.text);
    const phasesMs: Record<string, number> = {};
    let mark = Date.now();
    const phase = (name: string): void => {
      phasesMs[name] = Date.now() - mark;
      mark = Date.now();
    };
    const { fresh, delta } = await this.#plan(config);
    phase('plan');
    const deltaReadback = delta.batch.length > 0 ? await this.#applyDelta(delta.batch, phase) : undefined;
    const initial: Converged = { readback: deltaReadback ?? fresh ?? (await this.#readRunning()), mode: deltaReadback === undefined ? 'none' : 'delta', reloads: 0, repaired: [] };
    phase('readBack');
    const done = await this.#converge(initial, config);
    phase('converge');
    await this.#confirm(config, done.readback);
    phase('confirm');
    const durationMs = Date.now() - started;
    const { mode, reloads, repaired } = done;
    const refused = this.#refused;
    const result: FrrApplyResult = { reloaded: mode !== 'none' || repaired.length > 0, mode, reloads, commands: delta.batch.length, changed: delta.changed, refused, repairedVnis: repaired, durationMs, phasesMs };
    if (result.reloaded) this.#opts.logger?.info({ mode, reloads, commands: result.commands, changed: delta.changed.length, refused: [...refused.keys()].slice(0, 20), repairedVnis: repaired, durationMs, phasesMs }, 'FRR config applied');
    return result;
  }

  #upToDate(config: FrrConfig): boolean {
    // Refused stanzas are sent again on every apply (a few lines): the state that refused them may be gone.
    return !this.#dirty && this.#running !== undefined && this.#desired?.hash === config.hash && this.#refused.size === 0;
  }

  /** The delta from what FRR runs; the first apply after start (or after a failure) reads what FRR really runs. */
  async #plan(config: FrrConfig): Promise<{ fresh: Readback | undefined; delta: StanzaDelta }> {
    const fresh = this.#running === undefined ? await this.#readRunning() : undefined;
    const base = fresh?.stanzas ?? this.#running ?? new Map();
    const delta = this.#opts.fullReloadOnly === true ? { batch: [], changed: [] } : diffStanzas(base, config.stanzas);
    return { fresh, delta };
  }

  /** Sends the delta (to the owning daemons' sockets, else as one `vtysh -f` batch) and reads the running config back. */
  async #applyDelta(batch: readonly string[], phase: (name: string) => void = () => undefined): Promise<Readback> {
    this.#running = undefined;
    const blocks = blocksOf(batch);
    const sockets = await this.#vtySockets();
    if (sockets !== undefined && blocks.every((b) => ownersOf(b.key)?.every((d) => sockets.has(d)) === true)) {
      this.#refused = await this.#sendBlocks(blocks, sockets);
      phase('send');
      return this.#readRunning();
    }
    const batchPath = `${this.#opts.configPath}.batch`;
    await mkdir(dirname(batchPath), { recursive: true });
    await writeFile(batchPath, `${batch.join('\n')}\n`, { mode: 0o600 });
    const r = await this.#run(this.#opts.vtyshPath, [...this.#pathspaceArgs('-N'), '-f', batchPath]);
    if (DAEMONS_DOWN.test(r.stderr) || DAEMONS_DOWN.test(r.stdout)) throw new FrrUnavailableError(`vtysh cannot reach FRR: ${r.stderr.trim().slice(0, 300)}`);
    // vtysh -f carries on after a failed line; the read-back decides.
    if (r.code !== 0) this.#opts.logger?.warn({ code: r.code, out: `${r.stdout}${r.stderr}`.slice(-2000) }, 'vtysh -f reported errors');
    phase('send');
    return this.#readRunning();
  }

  /**
   * Sends the blocks in batch order, each to the daemons that own it, over one
   * connection per daemon in config mode. A refused line ends its block (the
   * rest of it would run in the wrong node): `end` + `configure terminal` and
   * the next block; the block's stanza is recorded as refused.
   */
  async #sendBlocks(blocks: readonly Block[], sockets: ReadonlyMap<DaemonName, string>): Promise<Map<string, string>> {
    const refused = new Map<string, string>();
    const conns = new Map<DaemonName, VtyConnection>();
    const connOf = async (d: DaemonName): Promise<VtyConnection> => {
      let c = conns.get(d);
      if (c === undefined) {
        c = await VtyConnection.open(sockets.get(d) ?? '', 5_000, this.#opts.timeoutMs);
        conns.set(d, c);
        // Not XFRR_start_configuration (what `vtysh -f` sends first): with it the daemons batch northbound
        // changes into one commit at XFRR_end_configuration, and a refused line is no longer reported
        // by itself (measured: zebra then takes a `vni` it refuses line by line), so one bad stanza could
        // not fail alone.
        await c.run('configure terminal');
      }
      return c;
    };
    const sendAll = async (list: readonly Block[]): Promise<Block[]> => {
      const failed: Block[] = [];
      for (const block of list) {
        for (const d of ownersOf(block.key) ?? []) {
          const failure = await sendBlock(await connOf(d), block.lines);
          if (failure === undefined) continue;
          refused.set(block.key, `${d}: ${failure}`);
          failed.push(block);
        }
      }
      return failed;
    };
    try {
      const failed = await sendAll(blocks);
      // Once more after a moment: zebra tells bgpd of a removed L3VNI asynchronously, and bgpd refuses
      // `no router bgp A vrf X` until it has heard (measured: the line right after `no vni N` races).
      if (failed.length > 0) {
        await sleep(300);
        for (const b of failed) refused.delete(b.key);
        await sendAll(failed);
      }
      for (const c of conns.values()) await c.run('end');
    } catch (error: unknown) {
      throw new FrrUnavailableError(`FRR's vty socket failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    } finally {
      for (const c of conns.values()) c.close();
    }
    if (refused.size > 0) this.#opts.logger?.warn({ refused: Object.fromEntries([...refused].slice(0, 20)) }, 'FRR refused stanzas; they fail alone');
    return refused;
  }

  /** The daemons' vty sockets, when zebra's and bgpd's exist (bfdd's when it runs). */
  async #vtySockets(): Promise<Map<DaemonName, string> | undefined> {
    const dir = this.#opts.vtyDir ?? this.#runDir();
    const found = new Map<DaemonName, string>();
    for (const d of ['zebra', 'bgpd', 'bfdd'] as const) {
      const path = `${dir}/${d}.vty`;
      if (await access(path).then(() => true, () => false)) found.set(d, path);
    }
    return found.has('zebra') && found.has('bgpd') ? found : undefined;
  }

  #runDir(): string {
    return this.#opts.pathspace === undefined ? '/var/run/frr' : `/var/run/frr/${this.#opts.pathspace}`;
  }

  /** Repairs dropped VNIs through vtysh, then falls back to frr-reload.py while FRR still differs; throws FrrReloadError when even that does not converge. */
  async #converge(state: Converged, config: FrrConfig): Promise<Converged> {
    let { readback } = state;
    const repaired = [...state.repaired];
    if (!this.#matches(readback, config) && this.#opts.fullReloadOnly !== true) {
      const vni = findVniProblems(readback.text, config.vrfVnis);
      if (hasVniProblems(vni)) {
        repaired.push(...(await this.#repair(vni)));
        readback = await this.#readRunning();
      }
    }
    if (this.#matches(readback, config)) return { ...state, readback, repaired };
    this.#opts.logger?.warn({ residual: diffStanzas(readback.stanzas, config.stanzas).changed.slice(0, 20), mode: state.mode }, 'FRR differs from the rendered config after the delta; falling back to frr-reload.py');
    const full = await this.#reloadFull(config);
    repaired.push(...full.repairedVnis);
    readback = await this.#readRunning();
    if (!this.#matches(readback, config)) {
      this.#running = undefined;
      this.#desired = undefined;
      const residual = diffStanzas(readback.stanzas, config.stanzas);
      throw new FrrReloadError(`FRR did not take the rendered config: ${residual.batch.slice(0, 10).join(' | ')}`, { toDelete: [], toAdd: [...residual.batch] });
    }
    return { readback, mode: 'reload', reloads: full.reloads, repaired };
  }

  /** Records a converged apply: the files on disk, the base of the next delta and the daemons' pids. */
  async #confirm(config: FrrConfig, readback: Readback): Promise<void> {
    await this.#writeConfigs(config.text);
    this.#desired = config;
    this.#running = readback.stanzas;
    this.#dirty = false;
    this.#pids = await this.#daemonPids();
  }

  /**
   * The cheap periodic check (one `show running-config` and two pid files):
   * a restarted zebra/bgpd, a running config that lost or changed our stanzas,
   * or a VRF without its VNI. A failed check marks the applier so that the next
   * apply repairs from what FRR runs. Throws FrrUnavailableError.
   */
  async check(): Promise<FrrCheckResult> {
    const desired = this.#desired;
    if (desired === undefined) return { ok: true };
    const pids = await this.#daemonPids();
    const readback = await this.#readRunning();
    const restarted = this.#pids !== undefined && pids !== undefined && pids !== this.#pids;
    this.#pids = pids;
    // Stanzas FRR refused at the apply fail alone (EVPN-006 on their VRFs); they are not drift.
    const refusedVrfs = new Set(vrfsOfKeys([...this.#refused.keys()]));
    const all = diffStanzas(readback.stanzas, desired.stanzas);
    const delta = { ...all, changed: all.changed.filter((k) => !this.#refused.has(k)) };
    const vni = findVniProblems(readback.text, desired.vrfVnis.filter((v) => !refusedVrfs.has(v.vrf)));
    if (!restarted && delta.changed.length === 0 && !hasVniProblems(vni)) return { ok: true };
    this.#running = readback.stanzas;
    this.#dirty = true;
    const what = [
      ...(delta.changed.length > 0 ? [`${delta.changed.length} stanza(s) differ (${delta.changed.slice(0, 5).join(', ')})`] : []),
      ...(vni.missing.length > 0 ? [`VRFs without their VNI: ${vni.missing.map((m) => m.vrf).slice(0, 5).join(', ')}`] : []),
    ];
    const message = restarted ? `FRR daemons restarted (${pids})${what.length > 0 ? `; ${what.join('; ')}` : ''}` : `FRR drifted: ${what.join('; ')}`;
    this.#opts.logger?.warn({ restarted, changed: delta.changed.slice(0, 20), vni }, 'FRR no longer runs the applied config; repairing');
    return { ok: false, reason: restarted ? 'FrrRestarted' : 'FrrDrifted', message };
  }

  /** FRR runs the config, but for the stanzas it refused (and those VRFs' VNIs). */
  #matches(readback: Readback, config: FrrConfig): boolean {
    const refused = this.#refused;
    const refusedVrfs = new Set(vrfsOfKeys([...refused.keys()]));
    const vni = findVniProblems(readback.text, config.vrfVnis.filter((v) => !refusedVrfs.has(v.vrf)));
    return diffStanzas(readback.stanzas, config.stanzas).changed.every((k) => refused.has(k)) && !hasVniProblems(vni);
  }

  /** `show running-config` of zebra, bgpd (and bfdd) read from their sockets in parallel, else through vtysh. */
  async #readRunning(): Promise<Readback> {
    const sockets = await this.#vtySockets();
    const text = sockets === undefined ? await this.#vtysh(['show running-config']) : await this.#showRunningVty(sockets);
    return { text, stanzas: parseStanzas(text) };
  }

  async #showRunningVty(sockets: ReadonlyMap<DaemonName, string>): Promise<string> {
    try {
      return (await Promise.all([...sockets.values()].map((path) => askVty(path, 'show running-config', this.#opts.timeoutMs)))).join('\n');
    } catch (error: unknown) {
      throw new FrrUnavailableError(`cannot read FRR's running config: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  /** One show command to the daemon that answers it: over its vty socket when there is one, else through vtysh. */
  async #show(daemon: DaemonName, command: string): Promise<string> {
    const path = (await this.#vtySockets())?.get(daemon);
    if (path === undefined) return this.#vtysh([command]);
    try {
      return await askVty(path, command, this.#opts.timeoutMs);
    } catch (error: unknown) {
      throw new FrrUnavailableError(`cannot ask ${daemon} "${command}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }


  /** frr-reload.py --reload (twice at most), with the VNI repair and the --test check of the old applier. */
  async #reloadFull(config: FrrConfig): Promise<{ reloads: number; repairedVnis: VrfVni[] }> {
    const nextPath = `${this.#opts.configPath}.next`;
    await mkdir(dirname(nextPath), { recursive: true });
    await writeFile(nextPath, config.text, { mode: 0o640 });
    const repaired: VrfVni[] = [];
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
      repaired.push(...(await this.repairVrfVnis(config.vrfVnis)));
      const residual = residualDiff(parseReloadTestOutput((await this.#frrReload(['--test', nextPath])).stdout));
      if (residual.toAdd.length === 0 && residual.toDelete.length === 0) break;
      this.#opts.logger?.warn({ residual, attempt }, 'FRR running config differs from the rendered config after reload');
    }
    return { reloads, repairedVnis: repaired };
  }

  /** The agent's copy and FRR's boot config, each written to a temporary file and renamed over the old one. */
  async #writeConfigs(text: string): Promise<void> {
    for (const path of [this.#opts.configPath, this.#opts.bootConfigPath]) {
      if (path !== undefined) await writeReplacing(path, text);
    }
    this.#bootText = text;
  }

  /**
   * FRR's boot config holds the config being applied before FRR is touched, and
   * even while FRR is down: daemons that restart meanwhile boot into it, so what
   * was removed while they were down (a network, a VRF) does not come back with
   * them (the e2e found a type-3 route of a network removed during an FRR
   * restart left at the leaf).
   */
  async #writeBootConfig(text: string): Promise<void> {
    if (this.#opts.bootConfigPath === undefined || this.#bootText === text) return;
    await writeReplacing(this.#opts.bootConfigPath, text);
    this.#bootText = text;
  }

  /** "zebra=PID bgpd=PID" from the pid files, or undefined when they cannot be read. */
  async #daemonPids(): Promise<string | undefined> {
    const dir = this.#opts.pidDir ?? this.#runDir();
    try {
      const pids = await Promise.all(PID_DAEMONS.map(async (d) => `${d}=${(await readFile(`${dir}/${d}.pid`, 'utf8')).trim()}`));
      return pids.join(' ');
    } catch {
      return undefined;
    }
  }

  async #repair(problems: ReturnType<typeof findVniProblems>): Promise<VrfVni[]> {
    this.#opts.logger?.warn({ problems }, 'FRR lost VRF VNIs; repairing');
    const result = await this.#run(this.#opts.vtyshPath, [...this.#pathspaceArgs('-N'), ...planVniRepair(problems).flatMap((c) => ['-c', c])]);
    if (result.code !== 0) this.#opts.logger?.warn({ stdout: result.stdout, stderr: result.stderr }, 'vtysh VNI repair reported errors');
    return problems.missing.map((m) => ({ vrf: m.vrf, vni: m.vni }));
  }

  /** EVPN state as FRR sees it; five show commands to zebra and bgpd, run in parallel (no process per read when the sockets are there). */
  async readStatus(): Promise<FrrStatus> {
    const [evpnVni, vrfVni, evpnSummary, routesByVni, prefixRoutes] = await Promise.all([
      this.#show('zebra', 'show evpn vni json'),
      this.#show('zebra', 'show vrf vni json'),
      this.#show('bgpd', 'show bgp l2vpn evpn summary json'),
      this.#show('bgpd', 'show bgp l2vpn evpn route vni all json'),
      this.#show('bgpd', 'show bgp l2vpn evpn route type prefix json'),
    ]);
    return parseFrrStatus({ evpnVni, vrfVni, evpnSummary, routesByVni, prefixRoutes });
  }

  /** Checks that every VRF still has its L3VNI in FRR and restores it through vtysh; returns what was repaired. */
  async repairVrfVnis(desired: readonly VrfVni[]): Promise<VrfVni[]> {
    if (desired.length === 0) return [];
    // Through vtysh on purpose: the stray `vrf-policy X` of frr-reload's second pass shows in vtysh's merged view.
    const problems = findVniProblems(await this.#vtysh(['show running-config']), desired);
    if (!hasVniProblems(problems)) return [];
    return this.#repair(problems);
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

/** Written to a temporary file and renamed over the old one, keeping the old file's mode and owner. */
async function writeReplacing(path: string, text: string): Promise<void> {
  const old = await stat(path).catch(() => undefined);
  const tmp = `${path}.tmp`;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(tmp, text, { mode: old?.mode ?? 0o640 });
  if (old !== undefined) await chown(tmp, old.uid, old.gid);
  await rename(tmp, path);
}

/** One command on a fresh connection to a daemon's vty socket; its output. */
async function askVty(path: string, command: string, timeoutMs: number): Promise<string> {
  const c = await VtyConnection.open(path, 5_000, timeoutMs);
  try {
    return (await c.run(command)).output;
  } finally {
    c.close();
  }
}
