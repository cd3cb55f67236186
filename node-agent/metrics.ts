// The agent's Prometheus metrics (served on /metrics).
import { MetricsRegistry } from '../lib/metrics.ts';

/** What the metrics need of a pass (kept here, so this file imports nothing of the agent). */
export interface PassObservation {
  durationMs: number;
  kernel: {
    writes: number;
    skipped?: boolean;
    networks: ReadonlyMap<string, { fdbEntries?: number; neighbors?: number }>;
  };
}

/** Every metric the agent exports, registered once. */
function registerAgentMetrics(registry: MetricsRegistry) {
  const gauge = (name: string, help: string) => registry.gauge(name, help);
  const networks = gauge('ovn_evpn_agent_networks', 'EvpnNetworks applied on this node');
  const networksByType = registry.gauge(
    'ovn_evpn_agent_networks_by_type',
    'EvpnNetworks applied on this node, by type (l2, l3)',
    ['type'],
  );
  const lastSync = gauge('ovn_evpn_agent_last_sync_timestamp_seconds', 'Unix time the last node pass ended');
  const failing = registry.gauge(
    'ovn_evpn_agent_failing_objects',
    'EvpnVrfs and EvpnNetworks this node does not apply now, by EVPN error code',
    ['code'],
  );
  const vrfs = gauge('ovn_evpn_agent_vrfs', 'EvpnVrfs applied on this node');
  const ports = gauge('ovn_evpn_agent_ports', 'Local ports of this node');
  const fdb = gauge('ovn_evpn_agent_fdb_entries', 'Static FDB entries for local ports');
  const neighbors = gauge('ovn_evpn_agent_neighbor_entries', 'Neighbour entries for local ports');
  const syncDuration = registry.histogram(
    'ovn_evpn_agent_sync_duration_seconds',
    'Duration of one node pass',
    [],
    [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  );
  const kernelWrites = registry.counter('ovn_evpn_agent_netlink_writes_total', 'Netlink write requests issued');
  const kernelSkipped = registry.counter(
    'ovn_evpn_agent_kernel_passes_skipped_total',
    'Kernel passes skipped: inputs and the kernel-state cache unchanged since a clean pass',
  );
  const errors = registry.counter('ovn_evpn_agent_errors_total', 'Errors by EVPN code', ['code']);
  const frrReloads = registry.counter(
    'ovn_evpn_agent_frr_reloads_total',
    'frr-reload.py runs that changed the configuration',
  );
  return {
    networks,
    networksByType,
    lastSync,
    failing,
    vrfs,
    ports,
    fdb,
    neighbors,
    syncDuration,
    kernelWrites,
    kernelSkipped,
    errors,
    frrReloads,
  };
}

type PassCounts = { vrfs: number; networks: number; ports: number; l2Networks?: number; l3Networks?: number };
type LastPass = {
  durationMs: number;
  at: string;
  networks: number;
  vrfs: number;
  ports: number;
  fdb: number;
  neighbors: number;
};

/** Sets the per-pass gauges and counters; returns what `lastSync` reports. */
function observePassOn(m: ReturnType<typeof registerAgentMetrics>, s: PassObservation, counts: PassCounts): LastPass {
  const fdbEntries = [...s.kernel.networks.values()].reduce((n, o) => n + (o.fdbEntries ?? 0), 0);
  const neighborEntries = [...s.kernel.networks.values()].reduce((n, o) => n + (o.neighbors ?? 0), 0);
  m.networks.set({}, counts.networks);
  m.vrfs.set({}, counts.vrfs);
  m.ports.set({}, counts.ports);
  m.fdb.set({}, fdbEntries);
  m.neighbors.set({}, neighborEntries);
  m.networksByType.set({ type: 'l2' }, counts.l2Networks ?? 0);
  m.networksByType.set({ type: 'l3' }, counts.l3Networks ?? 0);
  m.syncDuration.observe({}, s.durationMs / 1000);
  m.lastSync.set({}, Date.now() / 1000);
  m.kernelWrites.inc({}, s.kernel.writes);
  if (s.kernel.skipped === true) m.kernelSkipped.inc({});
  const { vrfs, networks, ports } = counts;
  return {
    durationMs: s.durationMs,
    at: new Date().toISOString(),
    vrfs,
    networks,
    ports,
    fdb: fdbEntries,
    neighbors: neighborEntries,
  };
}

export function createAgentMetrics(registry = new MetricsRegistry()) {
  const m = registerAgentMetrics(registry);
  let last: LastPass | undefined;
  let errorTotal = 0;
  const codesSeen = new Set<string>();
  return {
    registry,
    frrReloads: m.frrReloads,
    errors: {
      inc(labels: { code: string }): void {
        errorTotal++;
        m.errors.inc(labels);
      },
    },
    errorCount: (): number => errorTotal,
    get lastSync() {
      return last;
    },
    /** The EVPN code of each object not applied on this node after a pass (codes seen once stay, at 0). */
    observeFailing(codes: readonly string[]): void {
      const now = new Map<string, number>();
      for (const c of codes) now.set(c, (now.get(c) ?? 0) + 1);
      for (const c of now.keys()) codesSeen.add(c);
      for (const c of codesSeen) m.failing.set({ code: c }, now.get(c) ?? 0);
    },
    observePass(s: PassObservation, counts: PassCounts): void {
      last = observePassOn(m, s, counts);
    },
  };
}
export type AgentMetrics = ReturnType<typeof createAgentMetrics>;
