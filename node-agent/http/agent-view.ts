// What the agent's HTTP API shows: an interface the agent implements over its
// last pass (node status, rendered plan, metrics). The API module only reads
// through it, so it is tested with a small in-memory view.
import { z } from 'zod';

export interface NetworkView {
  /** EvpnNetwork name (the Neutron network UUID for mirrored networks). */
  readonly id: string;
  readonly type: 'l2' | 'l3';
  readonly vni?: number;
  readonly vlanId?: number;
  readonly vrf?: string;
  readonly l3vni?: number;
  readonly routingTable?: number;
  readonly mtu?: number;
  readonly routeTargets?: readonly string[];
  readonly routeDistinguishers?: readonly string[];
  readonly ready: boolean;
  readonly reason?: string;
  readonly message?: string;
  readonly devices: readonly string[];
  readonly localPorts: number;
  readonly fdbEntries: number;
  readonly neighbors: number;
  readonly routes: number;
}

export interface VrfView {
  /** EvpnVrf name. */
  readonly name: string;
  /** Kernel VRF device (vrf-<l3vni>). */
  readonly device: string;
  readonly vni: number;
  readonly routingTable: number;
  readonly networks: readonly string[];
  readonly ready: boolean;
  readonly reason?: string;
  readonly message?: string;
}

export interface MetricsView {
  readonly networks: number;
  readonly l2Networks: number;
  readonly l3Networks: number;
  readonly vrfs: number;
  readonly ports: number;
  readonly fdbEntries: number;
  readonly neighborEntries: number;
  /** Duration of the last pass; undefined before the first one. */
  readonly syncDurationSeconds?: number;
  readonly lastSyncTime?: string;
  readonly errors: number;
}

export const SyncStatus = z.enum(['started', 'queued']);
export interface SyncRequest {
  /** started: a pass begins now; queued: one is running and another follows it. */
  readonly status: z.infer<typeof SyncStatus>;
  readonly taskId: string;
}

export interface AgentView {
  networks(): readonly NetworkView[];
  network(id: string): NetworkView | undefined;
  vrfs(): readonly VrfView[];
  metrics(): MetricsView;
  /** Asks for a full pass (kernel, FRR, status) now; never waits for it. */
  requestSync(): SyncRequest;
  /** Readiness (first pass done); /readyz answers 503 until it is true. Default: ready. */
  ready?(): boolean;
}
