// FRR's part of a node pass, and everything about FRR that outlives a pass:
// the VRFs FRR was last given (the pass order needs them), the lines it
// refused (attributed to their objects or the node, refusals.ts), when FRR
// was last checked and its status last read, and the outcome the node status
// shows. The node pass only calls it: select → apply (before and/or after the
// kernel) → status → outcome.
import type { Logger } from 'pino';
import { API_GROUP_VERSION, ConditionReason, EvpnErrorCode } from '../../crds/index.ts';
import type { EventInput } from '../../lib/kube/events.ts';
import { errorFields, errorMessage } from '../../lib/log.ts';
import type { Applicable } from '../inputs/select-applicable.ts';
import type { AgentMetrics } from '../metrics.ts';
import { buildFrrModel, frrNodeSettings, type NodeFrrSource } from './build-frr-model.ts';
import { prepareFrrConfig, type FrrConfigResult } from './frr-config.ts';
import { attributeRefusals, type FrrRefusal, type FrrRejection } from './refusals.ts';
import { FrrUnavailableError, type FrrApplier } from './reload.ts';
import { retireVrfs } from './retired-vrfs.ts';
import { selectFrrApplicable } from './select-frr.ts';
import type { FrrStatus } from './status.ts';

/** What the node status shows about FRR. */
export interface FrrOutcome {
  enabled: boolean;
  running: boolean;
  /** The node's FRR failure (FrrApplied False; every object not applied). */
  error?: string;
  configHash?: string;
  lastReloadTime?: string;
  status?: FrrStatus;
  /** Objects whose own FRR lines FRR refused (EVPN-006 on each alone). */
  rejectedVrfs?: ReadonlyMap<string, FrrRejection>;
  rejectedNetworks?: ReadonlyMap<string, FrrRejection>;
}

export type FrrUnitSettings = NodeFrrSource & {
  readonly frr: {
    readonly enabled: boolean;
    readonly checkIntervalSeconds: number;
    readonly statusIntervalSeconds: number;
  };
};

export type FrrUnitDeps = {
  readonly settings: FrrUnitSettings;
  readonly applier?: FrrApplier | undefined;
  readonly metrics?: AgentMetrics | undefined;
  readonly log: Logger;
};

const secondsIso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export class FrrUnit {
  readonly #d: FrrUnitDeps;
  /** VRF devices FRR was last given successfully. */
  #vrfs: ReadonlySet<string> = new Set();
  /** VRFs FRR was given and no longer is: their empty `vrf X` goes once the kernel VRF is gone (retired-vrfs.ts). */
  #retired: ReadonlySet<string> = new Set();
  /** Lines FRR refused at the last apply. */
  #refusals: readonly FrrRefusal[] = [];
  #warned = { message: '', at: 0 };
  #statusAt = 0;
  #checkAt = 0;
  #outcome: FrrOutcome;
  /** The node's own refused lines as last reported (outcome()), and as last told in an Event. */
  #nodeRefusal: string | undefined;
  #nodeRefusalTold: string | undefined;

  constructor(deps: FrrUnitDeps) {
    this.#d = deps;
    this.#outcome = { enabled: deps.settings.frr.enabled && deps.applier !== undefined, running: false };
  }

  /** The agent manages FRR (enabled and an applier given). */
  get managed(): boolean {
    return this.#outcome.enabled;
  }

  /** VRF devices FRR was last given successfully. */
  get appliedVrfs(): ReadonlySet<string> {
    return this.#vrfs;
  }

  /** The node's FRR failure, if any. */
  get error(): string | undefined {
    return this.#outcome.error;
  }

  /**
   * The config FRR is to run. When FRR is managed, a VRF or network FRR cannot
   * take is left out of `applicable` with EVPN-006 on it alone (kernel included).
   */
  select(applicable: Applicable): FrrConfigResult {
    const node = frrNodeSettings(this.#d.settings);
    const result = this.managed ? selectFrrApplicable(node, applicable.vrfs, applicable.networks) : undefined;
    if (result !== undefined) {
      applicable.vrfs = result.vrfs;
      applicable.networks = result.networks;
      for (const [k, v] of result.rejectedVrfs) applicable.rejectedVrfs.set(k, v);
      for (const [k, v] of result.rejectedNetworks) applicable.rejectedNetworks.set(k, v);
    }
    const config = result?.config ?? prepareFrrConfig(buildFrrModel(node, applicable.vrfs, applicable.networks));
    if (!config.ok)
      this.#outcome = {
        ...this.#outcome,
        error: `the FRR model is invalid: ${config.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
      };
    return config;
  }

  /** Runs the periodic check when it is due (the agent's timer also runs it between passes). */
  async checkIfDue(): Promise<void> {
    if (Date.now() - this.#checkAt >= this.#d.settings.frr.checkIntervalSeconds * 1000) await this.check();
  }

  /**
   * The cheap periodic FRR check (restarted daemons, lost stanzas, dropped
   * VNIs): a failure shows as FrrApplied False until the next pass's apply
   * repairs it (the applier then diffs against what FRR runs). True: a pass is needed.
   */
  async check(): Promise<boolean> {
    const frr = this.#d.applier;
    if (!frr || !this.managed) return false;
    this.#checkAt = Date.now();
    try {
      const r = await frr.check();
      if (r.ok) return false;
      this.#outcome = { ...this.#outcome, error: r.message };
      this.#statusAt = 0;
      this.#d.metrics?.errors.inc({ code: EvpnErrorCode.Frr });
    } catch (err: unknown) {
      this.#outcome = {
        ...this.#outcome,
        running: !(err instanceof FrrUnavailableError),
        error: `checking FRR failed: ${errorMessage(err)}`,
      };
    }
    return true;
  }

  /** Gives FRR the config; a refused line fails its unit's object (see outcome()) or, outside any object's unit, the node. */
  async apply(config: FrrConfigResult, vrfNames: ReadonlySet<string>): Promise<void> {
    const frr = this.#d.applier;
    if (!frr || !this.managed || !config.ok) return;
    try {
      const r = await frr.apply(config.config);
      this.#retired = retireVrfs(this.#retired, this.#vrfs, vrfNames, r.changed);
      this.#vrfs = vrfNames;
      this.#refusals = r.refusals;
      const { error: _cleared, ...rest } = this.#outcome;
      this.#outcome = { ...rest, running: true };
      if (r.reloaded) {
        this.#outcome.lastReloadTime = secondsIso(new Date());
        this.#statusAt = 0;
        this.#d.metrics?.frrReloads.inc();
      }
    } catch (err: unknown) {
      this.#outcome = { ...this.#outcome, running: !(err instanceof FrrUnavailableError), error: errorMessage(err) };
      this.#d.metrics?.errors.inc({ code: EvpnErrorCode.Frr });
      this.#warnFailure(err);
    }
  }

  /** Call after the kernel pass: deletes the retired VRFs' empty stanzas (FRR ≥ 10); what is left is tried next pass. */
  async dropRetiredVrfs(): Promise<void> {
    const frr = this.#d.applier;
    if (!frr || !this.managed || this.#retired.size === 0) return;
    try {
      this.#retired = await frr.dropEmptyVrfs(this.#retired);
    } catch (err: unknown) {
      this.#warnFailure(err);
    }
  }

  /**
   * One warning per distinct failure and at most one per 10 s for the same one:
   * while FRR is down every pass (informer and kernel events included) tries
   * again, which logged a dozen identical lines a second in the e2e.
   */
  #warnFailure(err: unknown): void {
    const message = errorMessage(err);
    const now = Date.now();
    if (message === this.#warned.message && now - this.#warned.at < 10_000) return;
    this.#warned = { message, at: now };
    this.#d.log.warn({ ...errorFields(err) }, 'FRR apply failed; retrying with backoff');
  }

  /**
   * Reads FRR's EVPN status every statusIntervalSeconds while FRR is healthy.
   * Returns in how many ms the skipped read is due (0: read now, or nothing
   * to read): a pass woken by a kernel change (zebra installing the other
   * nodes' routes) that came too early to read is followed by one that reads,
   * so the routes reach the status (and Ready) without waiting for the resync.
   */
  async readStatusIfDue(): Promise<number> {
    const frr = this.#d.applier;
    if (!frr || !this.managed || this.#outcome.error !== undefined) return 0;
    const wait = this.#statusAt + this.#d.settings.frr.statusIntervalSeconds * 1000 - Date.now();
    if (wait > 0) return wait;
    try {
      this.#outcome.status = await frr.readStatus();
      this.#statusAt = Date.now();
    } catch (err: unknown) {
      // Not just a log line: a node whose FRR cannot be read does not look healthy.
      this.#outcome = {
        ...this.#outcome,
        running: !(err instanceof FrrUnavailableError),
        error: `reading FRR status failed: ${errorMessage(err)}`,
      };
      this.#d.log.warn(errorFields(err), 'reading FRR status failed');
    }
    return 0;
  }

  /** The outcome for this pass's status: the last refusals attributed to the objects applied now. */
  outcome(applicable: Pick<Applicable, 'vrfs' | 'networks'>): FrrOutcome {
    const { rejectedVrfs: _v, rejectedNetworks: _n, ...base } = this.#outcome;
    this.#nodeRefusal = undefined;
    if (!this.managed || this.#refusals.length === 0) return { ...base };
    const a = attributeRefusals(this.#refusals, applicable.vrfs, applicable.networks);
    this.#nodeRefusal = a.node;
    return {
      ...base,
      rejectedVrfs: a.vrfs,
      rejectedNetworks: a.networks,
      ...(a.node !== undefined && base.error === undefined ? { error: a.node } : {}),
    };
  }

  /**
   * A Warning on this node's EvpnNodeState when FRR starts refusing the node's
   * own configuration (underlay, shared stanzas), or refuses something else
   * there; nothing while the same refusal lasts (the condition and the
   * objects' own Events carry it) or once it is gone.
   */
  nodeRefusalEvent(nodeName: string): EventInput | undefined {
    const refusal = this.#nodeRefusal;
    if (refusal === this.#nodeRefusalTold) return undefined;
    this.#nodeRefusalTold = refusal;
    if (refusal === undefined) return undefined;
    return {
      regarding: { apiVersion: API_GROUP_VERSION, kind: 'EvpnNodeState', name: nodeName },
      type: 'Warning',
      reason: ConditionReason.FrrFailed,
      action: 'ApplyOnNode',
      note: `node ${nodeName}: ${EvpnErrorCode.Frr}: ${refusal}`,
      key: `${nodeName}/FrrRefused`,
    };
  }
}
