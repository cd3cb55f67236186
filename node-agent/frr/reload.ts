// FRR applier: brings FRR to the rendered config (frr-config.ts) as the delta
// from what FRR runs (stanzas.ts), confirms it by reading `show running-config`
// back into the same stanzas, falls back to frr-reload.py when that does not
// converge, keeps FRR's boot config equal to what is applied, checks
// periodically that FRR still runs it (restarts, drift, dropped VNIs), and
// reads EVPN status. How FRR is reached is io/frr-io.ts's; rendering, diffing
// and refusal attribution are pure and live elsewhere, as do the comparison
// with what FRR runs (running-differences.ts), the frr-reload.py fallback
// (full-reload.ts) and the VNI repair (vni-repair.ts).
//
// Costs that shape it (FRR 8.4, measured in the UML guest): frr-reload.py
// `--reload` takes ~2.5-5 s even when nothing changed and 100-140 s for 1,000
// VRFs, `--test` ~0.5-1.5 s, one vtysh call ~240 ms. So the applier sends only
// the delta, skips an unchanged config without starting a process, and spawns
// a fixed handful of processes per apply, never one per VRF or VNI.
import type { Logger } from 'pino';
import { refusalsOf, type FrrApplyResult, type FrrCheckResult } from './apply-result.ts';
import type { FrrConfig } from './frr-config.ts';
import { reloadFull } from './full-reload.ts';
import { dropEmptyVrfs } from './retired-vrfs.ts';
import { createFrrIo, type FrrIo, type FrrIoOptions } from './io/frr-io.ts';
import { startPhaseClock } from './phase-clock.ts';
import type { FrrRefusal } from './refusals.ts';
import { FrrReloadError } from './reload-error.ts';
import { describeDrift, findRunningDifferences, type Readback } from './running-differences.ts';
import { findVniProblems, hasVniProblems, type VrfVni } from './running-config.ts';
import { diffStanzas, parseStanzas, type FrrStanzas, type StanzaDelta } from './stanzas.ts';
import { parseFrrStatus, vniRouteCommands, type FrrStatus } from './status.ts';
import { repairVniProblems, repairVrfVnis } from './vni-repair.ts';

export { FrrUnavailableError, type CommandResult, type CommandRunner } from './io/run-command.ts';
export type { FrrApplyResult, FrrCheckResult } from './apply-result.ts';
export { FrrReloadError } from './reload-error.ts';

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

type Converged = {
  readonly readback: Readback;
  readonly mode: FrrApplyResult['mode'];
  readonly reloads: number;
  readonly repaired: readonly VrfVni[];
};

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
      // Not the VNIs of VRFs FRR refused in this apply: it reports them refused, so they stay unapplied
      // until the next apply sends them again (the repair would put back a VNI FRR had just refused).
      const { vni } = findRunningDifferences(readback, config, this.#refusals);
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
    const full = await reloadFull(this.#io, this.#log, this.#o.configPath, config);
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

  #matches(readback: Readback, config: FrrConfig): boolean {
    const d = findRunningDifferences(readback, config, this.#refusals);
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
    const { changed, vni } = findRunningDifferences(readback, desired, this.#refusals);
    if (!restarted && changed.length === 0 && !hasVniProblems(vni)) return { ok: true };
    this.#running = readback.stanzas;
    this.#dirty = true;
    const message = describeDrift(restarted, pids, { changed, vni });
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
    return repairVniProblems(this.#io, this.#log, problems);
  }

  /**
   * EVPN state as FRR sees it: four show commands to zebra and bgpd in
   * parallel, then the routes of each L2VNI zebra named, all on one bgpd
   * connection (no process per read when the sockets are there; why not
   * `route vni all json`: status.ts vniRouteCommands).
   */
  async readStatus(): Promise<FrrStatus> {
    const [evpnVni, vrfVni, evpnSummary, prefixRoutes] = await Promise.all([
      this.#io.show('zebra', 'show evpn vni json'),
      this.#io.show('zebra', 'show vrf vni json'),
      this.#io.show('bgpd', 'show bgp l2vpn evpn summary json'),
      this.#io.show('bgpd', 'show bgp l2vpn evpn route type prefix json'),
    ]);
    const perVni = vniRouteCommands(evpnVni);
    const answers = await this.#io.showEach(
      'bgpd',
      perVni.map((c) => c.command),
    );
    const routesByVni = new Map(perVni.map((c, i) => [c.vni, answers[i] ?? '']));
    return parseFrrStatus({ evpnVni, vrfVni, evpnSummary, routesByVni, prefixRoutes });
  }

  /** After the kernel pass: `no vrf X` for the retired VRFs FRR still shows empty (retired-vrfs.ts); returns those left. */
  async dropEmptyVrfs(retired: ReadonlySet<string>): Promise<Set<string>> {
    return dropEmptyVrfs(this.#io, this.#log, retired);
  }

  /** Checks that every VRF still has its L3VNI in FRR and restores it through vtysh; returns what was repaired. */
  async repairVrfVnis(desired: readonly VrfVni[]): Promise<VrfVni[]> {
    return repairVrfVnis(this.#io, this.#log, desired);
  }
}
