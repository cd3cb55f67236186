// The adapter of the uplink step: the node's Open_vSwitch database through the
// project's RFC 7047 client (lib/ovsdb). It keeps a replica of the columns the
// step reads, tells the agent when any of them changes (like the kernel drift
// watch: a mapping edited, our port deleted, another port's VLANs changed), and
// applies one pass's plan in at most one transaction. A pass with nothing to
// change sends nothing.
import type { Logger } from 'pino';
import type { EvpnNetwork } from '../../crds/index.ts';
import { OvsdbClient, type Replica } from '../../lib/ovsdb/index.ts';
import { errorFields, errorMessage } from '../../lib/log.ts';
import type { DriftListener, DriftSource } from '../kernel/netlink/drift-watch.ts';
import type { LoopRisk } from './loop-risk.ts';
import { MONITORED_COLUMNS, readOvsView, type OvsRows, type OvsView } from './ovs-view.ts';
import { planUplinkPass } from './plan-uplink.ts';
import { planChassisKeys, type ChassisKeys, type ChassisKeysPlan } from '../backends/ovn/chassis-keys.ts';
import type { DesiredUplinkPort, NetworkOvsResult } from './render-uplink.ts';

export const OVS_DB = 'Open_vSwitch';

export const OvsFailure = {
  OvsUnavailable: 'OvsUnavailable',
  PortConflict: 'PortConflict',
  TransactionFailed: 'TransactionFailed',
} as const;

export interface OvsOutcome {
  /** The database was reachable and matches the plan (nothing blocked, the transaction, if any, committed). */
  applied: boolean;
  reason?: string;
  error?: string;
  systemId?: string;
  port?: DesiredUplinkPort;
  /** Networks with a provider, by name. */
  networks: Map<string, NetworkOvsResult>;
  loopRisks: LoopRisk[];
  /** Transactions sent in this pass: 0 or 1. */
  writes: number;
  /** The ovn backend's chassis keys (backends/ovn/chassis-keys.ts), in the same transaction as the uplink. */
  chassis?: Omit<ChassisKeysPlan, 'ops'>;
}

/** What the node pass needs of the OVS side. */
export interface OvsUplinkStep extends DriftSource {
  /** `chassisKeys`: the ovn backend's Open_vSwitch keys this node needs (undefined: none, ours removed). */
  sync(networks: readonly EvpnNetwork[], chassisKeys?: ChassisKeys): Promise<OvsOutcome>;
}

export interface OvsUplinkOptions {
  /** unix:/run/openvswitch/db.sock by default. */
  remote: string;
  /** The OVS end of the uplink veth (NodeConfig.uplinkPeer). */
  portName: string;
  log: Logger;
  /** Largest delay between attempts to reach a database that was never reached. */
  maxRetryMs?: number;
}

/** The ovn backend's chassis keys, planned against the Open_vSwitch row (no row yet: nothing to plan). */
function planChassis(
  view: OvsView,
  keys: ChassisKeys | undefined,
): { ops: ChassisKeysPlan['ops']; outcome: Pick<OvsOutcome, 'chassis'> } {
  if (view.rootUuid === undefined) return { ops: [], outcome: {} };
  const { ops, ...chassis } = planChassisKeys(view.rootUuid, view.rootExternalIds, keys);
  return { ops, outcome: { chassis } };
}

/** How long a pass waits for its own transaction to come back through the monitor. */
const ECHO_WAIT_MS = 2000;

export class OvsUplink implements OvsUplinkStep {
  readonly #o: OvsUplinkOptions;
  readonly #listeners = new Set<DriftListener>();
  #client: OvsdbClient | undefined;
  #replica: Replica<OvsRows> | undefined;
  #lastError: string | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: OvsUplinkOptions) {
    this.#o = options;
  }

  /** Starts reaching the database; resolves after the first attempt, whatever its outcome (later ones go on in the background). */
  start(): Promise<void> {
    return this.#attempt(0);
  }

  subscribe(listener: DriftListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async sync(networks: readonly EvpnNetwork[], chassisKeys?: ChassisKeys): Promise<OvsOutcome> {
    const client = this.#client;
    const replica = this.#replica;
    if (client?.state !== 'connected' || replica?.state !== 'synced') {
      const why = this.#lastError ?? (client === undefined ? 'not connected yet' : `connection ${client.state}`);
      return {
        applied: false,
        reason: OvsFailure.OvsUnavailable,
        error: `Open vSwitch database ${this.#o.remote} unavailable: ${why}`,
        networks: new Map(),
        loopRisks: [],
        writes: 0,
      };
    }
    const view = readOvsView(replica.snapshot());
    const plan = planUplinkPass(view, networks, this.#o.portName);
    const chassis = planChassis(view, chassisKeys);
    plan.ops.push(...chassis.ops);
    const outcome: OvsOutcome = {
      applied: plan.blocked === undefined,
      networks: plan.networks,
      loopRisks: plan.loopRisks,
      writes: 0,
      ...(view.systemId !== undefined ? { systemId: view.systemId } : {}),
      ...(plan.port !== undefined ? { port: plan.port } : {}),
      ...(plan.blocked !== undefined ? { reason: OvsFailure.PortConflict, error: plan.blocked } : {}),
      ...chassis.outcome,
    };
    if (plan.ops.length === 0) return outcome;
    const before = replica.version;
    try {
      outcome.writes = 1;
      await client.transact(OVS_DB, plan.ops);
    } catch (err: unknown) {
      this.#o.log.warn({ ...errorFields(err) }, 'OVSDB transaction failed');
      return {
        ...outcome,
        applied: false,
        reason: OvsFailure.TransactionFailed,
        error: `Open vSwitch transaction failed: ${errorMessage(err)}`,
      };
    }
    await this.#echo(replica, before);
    this.#o.log.info(
      { port: plan.port?.name, bridge: plan.port?.bridge, trunks: plan.port?.trunks, ops: plan.ops.length },
      'OVS uplink updated',
    );
    return outcome;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    await this.#client?.close();
  }

  /** Our own transaction comes back as a monitor update; wait for it so the next pass never plans from before it. */
  async #echo(replica: Replica<OvsRows>, before: number): Promise<void> {
    if (replica.version !== before) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        replica.off('change', done);
        resolve();
      };
      const timer = setTimeout(done, ECHO_WAIT_MS);
      replica.on('change', done);
    });
  }

  #isClosed(): boolean {
    return this.#closed;
  }

  #notify(what: string): void {
    for (const l of this.#listeners) l(what);
  }

  async #attempt(n: number): Promise<void> {
    if (this.#closed) return;
    try {
      const client = await OvsdbClient.connect({ remote: this.#o.remote, databases: [OVS_DB], logger: this.#o.log });
      const replica = await client.monitor<OvsRows>({ db: OVS_DB, tables: MONITORED_COLUMNS });
      // close() may have run while we waited.
      if (this.#isClosed()) {
        await client.close();
        return;
      }
      this.#client = client;
      this.#replica = replica;
      this.#lastError = undefined;
      client.on('disconnected', (reason) => {
        this.#lastError = errorMessage(reason);
        this.#o.log.warn({ err: this.#lastError }, 'OVSDB connection lost; reconnecting');
      });
      replica.on('change', () => {
        this.#notify('ovsdb change');
      });
      replica.on('stale', () => {
        this.#notify('ovsdb stale');
      });
      replica.on('resynced', () => {
        this.#lastError = undefined;
        this.#notify('ovsdb resynced');
      });
      this.#o.log.info({ remote: this.#o.remote }, 'OVSDB connected');
      this.#notify('ovsdb connected');
    } catch (err: unknown) {
      this.#lastError = errorMessage(err);
      const delay = Math.min(this.#o.maxRetryMs ?? 10_000, 500 * 2 ** n);
      if (n === 0)
        this.#o.log.warn(
          { ...errorFields(err), remote: this.#o.remote, retryMs: delay },
          'cannot reach the OVS database; retrying',
        );
      this.#retryTimer = setTimeout(() => {
        void this.#attempt(n + 1);
      }, delay);
      this.#retryTimer.unref();
    }
  }
}
