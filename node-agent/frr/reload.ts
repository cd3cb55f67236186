// FRR applier: brings FRR to the rendered config (frr-config.ts) as the delta
// from what FRR runs (stanzas.ts), confirms it by reading `show running-config`
// back into the same stanzas, falls back to frr-reload.py when that does not
// converge, keeps FRR's boot config equal to what is applied, checks
// periodically that FRR still runs it (restarts, drift, dropped VNIs), and
// reads EVPN status. How FRR is reached is io/frr-io.ts's; rendering, diffing
// and refusal attribution are pure and live elsewhere.
//
// Costs that shape it (FRR 8.4, measured in the UML guest): frr-reload.py
// `--reload` takes ~2.5-5 s even when nothing changed and 100-140 s for 1,000
// VRFs, `--test` ~0.5-1.5 s, one vtysh call ~240 ms. So the applier sends only
// the delta, skips an unchanged config without starting a process, and spawns
// a fixed handful of processes per apply, never one per VRF or VNI.
import type { Logger } from 'pino';
import type { FrrConfig } from './frr-config.ts';
import { createFrrIo, type FrrIo, type FrrIoOptions } from './io/frr-io.ts';
import { maskRefused, refusedVrfDevices, type FrrRefusal } from './refusals.ts';
import { findVniProblems, hasVniProblems, planVniRepair, type ReloadTestDiff, type VrfVni } from './running-config.ts';
import { diffStanzas, parseStanzas, type FrrStanzas, type StanzaDelta } from './stanzas.ts';
import { parseFrrStatus, type FrrStatus } from './status.ts';

export { FrrUnavailableError, type CommandResult, type CommandRunner } from './io/run-command.ts';

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

export type FrrApplierOptions = FrrIoOptions & {
  /** Last successfully applied config (agent-owned; not FRR's own frr.conf, which `vtysh write` rewrites). */
  readonly configPath: string;
  /** FRR's boot config (the frr.conf the daemons start with), kept equal to what is applied (see #writeBootConfig). */
  readonly bootConfigPath?: string | undefined;
  /** Skip the delta and always run frr-reload.py (the benchmark's baseline; the fallback path). */
  readonly fullReloadOnly?: boolean | undefined;
  /** Another way to FRR (the default: createFrrIo over the options above). */
  readonly io?: FrrIo | undefined;
};

export type FrrApplyResult = {
  /** False when FRR already ran the config (no change sent). */
  readonly reloaded: boolean;
  /** none: nothing sent; delta: the stanza delta; reload: frr-reload.py (the fallback). */
  readonly mode: 'none' | 'delta' | 'reload';
  /** frr-reload.py --reload runs (0 unless the delta failed). */
  readonly reloads: number;
  /** Lines of the delta. */
  readonly commands: number;
  /** Stanza keys the delta touched. */
  readonly changed: readonly string[];
  /** Lines FRR refused over the sockets: their units fail alone (refusals.ts) while everything else is applied. */
  readonly refusals: readonly FrrRefusal[];
  /** The same by stanza key (the first refusal's text). */
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

type Readback = { readonly text: string; readonly stanzas: FrrStanzas };
type Converged = {
  readonly readback: Readback;
  readonly mode: FrrApplyResult['mode'];
  readonly reloads: number;
  readonly repaired: readonly VrfVni[];
};

const refusedByKey = (refusals: readonly FrrRefusal[]): Map<string, string> => {
  const m = new Map<string, string>();
  for (const r of refusals) if (!m.has(r.key)) m.set(r.key, `${r.daemon}: ${r.line}: ${r.message}`);
  return m;
};

const refusalsOf = (list: readonly FrrRefusal[]): Pick<FrrApplyResult, 'refusals' | 'refused'> => ({
  refusals: list,
  refused: refusedByKey(list),
});

/** Times consecutive phases of one apply: each `phase(name)` records the time since the previous one. */
function startPhaseClock(): { phasesMs: Record<string, number>; phase: (name: string) => void } {
  const phasesMs: Record<string, number> = {};
  let mark = Date.now();
  const phase = (name: string): void => {
    phasesMs[name] = Date.now() - mark;
    mark = Date.now();
  };
  return { phasesMs, phase };
}

export class FrrApplier {
  readonly #o: FrrApplierOptions;
  readonly #io: FrrIo;
  readonly #log: Logger | undefined;
  /** The config last confirmed in FRR. */
  #desired: FrrConfig | undefined;
  /** FRR's owned stanzas as last read back (the base of the next delta); undefined → read before the next apply. */
  #running: FrrStanzas | undefined;
  /** Set by check(): FRR differs from #desired, so the next apply must not skip. */
  #dirty = false;
  #pids: string | undefined;
  /** Lines FRR refused in the last apply. */
  #refusals: readonly FrrRefusal[] = [];
  /** The text last written to the boot config by this process. */
  #bootText: string | undefined;

  constructor(options: FrrApplierOptions) {
    this.#o = options;
    this.#io = options.io ?? createFrrIo(options);
    this.#log = options.logger;
  }

  /**
   * Brings FRR to the rendered config: the delta from what FRR runs,
   * confirmed by reading the running config back; a full frr-reload.py when
   * that does not converge. Throws FrrUnavailableError or FrrReloadError (retry with backoff).
   */
  async apply(config: FrrConfig): Promise<FrrApplyResult> {
    const started = Date.now();
    if (this.#upToDate(config)) return this.#unchangedResult(started);
    this.#refusals = [];
    await this.#writeBootConfig(config.text);
    const { phasesMs, phase } = startPhaseClock();
    const { fresh, delta } = await this.#plan(config);
    phase('plan');
    const deltaReadback = delta.batch.length > 0 ? await this.#applyDelta(delta.batch, phase) : undefined;
    const initial: Converged = {
      readback: deltaReadback ?? fresh ?? (await this.#readRunning()),
      mode: deltaReadback === undefined ? 'none' : 'delta',
      reloads: 0,
      repaired: [],
    };
    phase('readBack');
    const done = await this.#converge(initial, config);
    phase('converge');
    await this.#confirm(config, done.readback);
    phase('confirm');
    const { mode, reloads, repaired } = done;
    const result: FrrApplyResult = {
      reloaded: mode !== 'none' || repaired.length > 0,
      mode,
      reloads,
      commands: delta.batch.length,
      changed: delta.changed,
      ...refusalsOf(this.#refusals),
      repairedVnis: repaired,
      durationMs: Date.now() - started,
      phasesMs,
    };
    if (result.reloaded) this.#logApplied(result);
    return result;
  }

  /** FRR already runs the config: nothing sent, last apply's refusals still stand. */
  #unchangedResult(started: number): FrrApplyResult {
    return {
      reloaded: false,
      mode: 'none',
      reloads: 0,
      commands: 0,
      changed: [],
      ...refusalsOf(this.#refusals),
      repairedVnis: [],
      durationMs: Date.now() - started,
      phasesMs: {},
    };
  }

  #logApplied(result: FrrApplyResult): void {
    this.#log?.info(
      {
        mode: result.mode,
        reloads: result.reloads,
        commands: result.commands,
        changed: result.changed.length,
        refused: result.refusals.slice(0, 20),
        repairedVnis: result.repairedVnis,
        durationMs: result.durationMs,
        phasesMs: result.phasesMs,
      },
      'FRR config applied',
    );
  }

  #upToDate(config: FrrConfig): boolean {
    // Refused units are sent again on every apply (a few lines): the state that refused them may be gone.
    return (
      !this.#dirty && this.#running !== undefined && this.#desired?.hash === config.hash && this.#refusals.length === 0
    );
  }

  /** The delta from what FRR runs; the first apply after start (or after a failure) reads what FRR really runs. */
  async #plan(config: FrrConfig): Promise<{ fresh: Readback | undefined; delta: StanzaDelta }> {
    const fresh = this.#running === undefined ? await this.#readRunning() : undefined;
    const base = fresh?.stanzas ?? this.#running ?? new Map();
    const delta = this.#o.fullReloadOnly === true ? { batch: [], changed: [] } : diffStanzas(base, config.stanzas);
    return { fresh, delta };
  }

  async #applyDelta(batch: readonly string[], phase: (name: string) => void): Promise<Readback> {
    this.#running = undefined;
    this.#refusals = await this.#io.send(batch, `${this.#o.configPath}.batch`);
    phase('send');
    return this.#readRunning();
  }

  /** Repairs dropped VNIs through vtysh, then falls back to frr-reload.py while FRR still differs; throws FrrReloadError when even that does not converge. */
  async #converge(state: Converged, config: FrrConfig): Promise<Converged> {
    let { readback } = state;
    const repaired = [...state.repaired];
    if (!this.#matches(readback, config) && this.#o.fullReloadOnly !== true) {
      const vni = findVniProblems(readback.text, config.vrfVnis);
      if (hasVniProblems(vni)) {
        repaired.push(...(await this.#repair(vni)));
        readback = await this.#readRunning();
      }
    }
    if (this.#matches(readback, config)) return { ...state, readback, repaired };
    this.#log?.warn(
      { residual: diffStanzas(readback.stanzas, config.stanzas).changed.slice(0, 20), mode: state.mode },
      'FRR differs from the rendered config after the delta; falling back to frr-reload.py',
    );
    const full = await this.#reloadFull(config);
    repaired.push(...full.repairedVnis);
    readback = await this.#readRunning();
    if (!this.#matches(readback, config)) {
      this.#running = undefined;
      this.#desired = undefined;
      const residual = diffStanzas(readback.stanzas, config.stanzas);
      throw new FrrReloadError(`FRR did not take the rendered config: ${residual.batch.slice(0, 10).join(' | ')}`, {
        toDelete: [],
        toAdd: [...residual.batch],
      });
    }
    return { readback, mode: 'reload', reloads: full.reloads, repaired };
  }

  /** Records a converged apply: the files on disk, the base of the next delta and the daemons' pids. */
  async #confirm(config: FrrConfig, readback: Readback): Promise<void> {
    for (const path of [this.#o.configPath, this.#o.bootConfigPath])
      if (path !== undefined) await this.#io.writeConfigFile(path, config.text);
    this.#bootText = config.text;
    this.#desired = config;
    this.#running = readback.stanzas;
    this.#dirty = false;
    this.#pids = await this.#io.daemonPids();
  }

  /** The differences between FRR and `config`, but for the refused units (each failing its own object or the node). */
  #differences(
    readback: Readback,
    config: FrrConfig,
  ): { changed: readonly string[]; vni: ReturnType<typeof findVniProblems> } {
    const refusedVrfs = refusedVrfDevices(this.#refusals);
    const changed = diffStanzas(
      maskRefused(readback.stanzas, this.#refusals),
      maskRefused(config.stanzas, this.#refusals),
    ).changed;
    return {
      changed,
      vni: findVniProblems(
        readback.text,
        config.vrfVnis.filter((v) => !refusedVrfs.has(v.vrf)),
      ),
    };
  }

  #matches(readback: Readback, config: FrrConfig): boolean {
    const d = this.#differences(readback, config);
    return d.changed.length === 0 && !hasVniProblems(d.vni);
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
    const pids = await this.#io.daemonPids();
    const readback = await this.#readRunning();
    const restarted = this.#pids !== undefined && pids !== undefined && pids !== this.#pids;
    this.#pids = pids;
    // Refused units already fail their objects (or the node); they are not drift.
    const { changed, vni } = this.#differences(readback, desired);
    if (!restarted && changed.length === 0 && !hasVniProblems(vni)) return { ok: true };
    this.#running = readback.stanzas;
    this.#dirty = true;
    const what = [
      ...(changed.length > 0 ? [`${changed.length} stanza(s) differ (${changed.slice(0, 5).join(', ')})`] : []),
      ...(vni.missing.length > 0
        ? [
            `VRFs without their VNI: ${vni.missing
              .map((m) => m.vrf)
              .slice(0, 5)
              .join(', ')}`,
          ]
        : []),
    ];
    const message = restarted
      ? `FRR daemons restarted (${pids})${what.length > 0 ? `; ${what.join('; ')}` : ''}`
      : `FRR drifted: ${what.join('; ')}`;
    this.#log?.warn(
      { restarted, changed: changed.slice(0, 20), vni },
      'FRR no longer runs the applied config; repairing',
    );
    return { ok: false, reason: restarted ? 'FrrRestarted' : 'FrrDrifted', message };
  }

  async #readRunning(): Promise<Readback> {
    const text = await this.#io.readRunning();
    return { text, stanzas: parseStanzas(text) };
  }

  /** frr-reload.py --reload (twice at most), with the VNI repair and the --test check. */
  async #reloadFull(config: FrrConfig): Promise<{ reloads: number; repairedVnis: VrfVni[] }> {
    const nextPath = `${this.#o.configPath}.next`;
    const repaired: VrfVni[] = [];
    let reloads = 0;
    // A second reload settles FRR quirks that need two steps (e.g. bgpd keeps
    // `neighbor X bfd` when `bfd profile` and `bfd` are removed together).
    for (let attempt = 0; attempt < 2; attempt += 1) {
      reloads += 1;
      // A failed reload may mean FRR is gone: asking it throws FrrUnavailableError then.
      if ((await this.#io.reloadTool.reload(nextPath, config.text)).code !== 0)
        await this.#io.show('zebra', 'show version');
      repaired.push(...(await this.repairVrfVnis(config.vrfVnis)));
      const residual = await this.#io.reloadTool.residual(nextPath);
      if (residual.toAdd.length === 0 && residual.toDelete.length === 0) break;
      this.#log?.warn({ residual, attempt }, 'FRR running config differs from the rendered config after reload');
    }
    return { reloads, repairedVnis: repaired };
  }

  /**
   * FRR's boot config holds the config being applied before FRR is touched, and
   * even while FRR is down: daemons that restart meanwhile boot into it, so what
   * was removed while they were down (a network, a VRF) does not come back with
   * them (the e2e found a type-3 route of a network removed during an FRR
   * restart left at the leaf).
   */
  async #writeBootConfig(text: string): Promise<void> {
    if (this.#o.bootConfigPath === undefined || this.#bootText === text) return;
    await this.#io.writeConfigFile(this.#o.bootConfigPath, text);
    this.#bootText = text;
  }

  async #repair(problems: ReturnType<typeof findVniProblems>): Promise<VrfVni[]> {
    this.#log?.warn({ problems }, 'FRR lost VRF VNIs; repairing');
    await this.#io.configure(planVniRepair(problems));
    return problems.missing.map((m) => ({ vrf: m.vrf, vni: m.vni }));
  }

  /** EVPN state as FRR sees it; five show commands to zebra and bgpd, run in parallel (no process per read when the sockets are there). */
  async readStatus(): Promise<FrrStatus> {
    const [evpnVni, vrfVni, evpnSummary, routesByVni, prefixRoutes] = await Promise.all([
      this.#io.show('zebra', 'show evpn vni json'),
      this.#io.show('zebra', 'show vrf vni json'),
      this.#io.show('bgpd', 'show bgp l2vpn evpn summary json'),
      this.#io.show('bgpd', 'show bgp l2vpn evpn route vni all json'),
      this.#io.show('bgpd', 'show bgp l2vpn evpn route type prefix json'),
    ]);
    return parseFrrStatus({ evpnVni, vrfVni, evpnSummary, routesByVni, prefixRoutes });
  }

  /** Checks that every VRF still has its L3VNI in FRR and restores it through vtysh; returns what was repaired. */
  async repairVrfVnis(desired: readonly VrfVni[]): Promise<VrfVni[]> {
    if (desired.length === 0) return [];
    // Through vtysh on purpose: the stray `vrf-policy X` of frr-reload's second pass shows in vtysh's merged view.
    const problems = findVniProblems(await this.#io.readMerged(), desired);
    if (!hasVniProblems(problems)) return [];
    return this.#repair(problems);
  }
}
