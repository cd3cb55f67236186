// The agent's Prometheus metrics (served on /metrics).
import { MetricsRegistry } from '../lib/metrics.ts';

/** What the metrics need of a pass (kept here, so this file imports nothing of the agent). */
export interface PassObservation {
  durationMs: number;
  kernel: { writes: number; skipped?: boolean; networks: ReadonlyMap<string, { fdbEntries?: number; neighbors?: number }> };
}

export function createAgentMetrics(registry = new MetricsRegistry()) {
  const gauge = (name: string, help: string) => registry.gauge(name, help);
  const networks = gauge('ovn_evpn_agent_networks', 'EvpnNetworks applied on this node');
  const networksByType = registry.gauge('ovn_evpn_agent_networks_by_type', 'EvpnNetworks applied on this node, by type (l2, l3)', ['type']);
  const lastSync = gauge('ovn_evpn_agent_last_sync_timestamp_seconds', 'Unix time the last node pass ended');
  const failing = registry.gauge('ovn_evpn_agent_failing_objects', 'EvpnVrfs and EvpnNetworks this node does not apply now, by EVPN error code', ['code']);
  const vrfs = gauge('ovn_evpn_agent_vrfs', 'EvpnVrfs applied on this node');
  const ports = gauge('ovn_evpn_agent_ports', 'Local ports of this node');
  const fdb = gauge('ovn_evpn_agent_fdb_entries', 'Static FDB entries for local ports');
  const neighbors = gauge('ovn_evpn_agent_neighbor_entries', 'Neighbour entries for local ports');
  const syncDuration = registry.histogram('ovn_evpn_agent_sync_duration_seconds', 'Duration of one node pass', [], [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
  const kernelWrites = registry.counter('ovn_evpn_agent_netlink_writes_total', 'Netlink write requests issued');
  const kernelSkipped = registry.counter('ovn_evpn_agent_kernel_passes_skipped_total', 'Kernel passes skipped: inputs and the kernel-state cache unchanged since a clean pass');
  const errors = registry.counter('ovn_evpn_agent_errors_total', 'Errors by EVPN code', ['code']);
  const frrReloads = registry.counter('ovn_evpn_agent_frr_reloads_total', 'frr-reload.py runs that changed the configuration');
  let last: { durationMs: number; at: string; networks: number; vrfs: number; ports: number; fdb: number; neighbors: number } | undefined;
  let errorTotal = 0;
  const codesSeen = new Set<string>();
  return {
    registry, frrReloads,
    errors: { inc(labels: { code: string }): void { errorTotal++; errors.inc(labels); } },
    errorCount: (): number => errorTotal,
    get lastSync() { return last; },
    /** The EVPN code of each object not applied on this node after a pass (codes seen once stay, at 0). */
    observeFailing(codes: readonly string[]): void {
      const now = new Map<string, number>();
      for (const c of codes) now.set(c, (now.get(c) ?? 0) + 1);
      for (const c of now.keys()) codesSeen.add(c);
      for (const c of codesSeen) failing.set({ code: c }, now.get(c) ?? 0);
    },
    observePass(s: PassObservation, counts: { vrfs: number; networks: number; ports: number; l2Networks?: number; l3Networks?: number }): void {
      const fdbEntries = [...s.kernel.networks.values()].reduce((n, o) => n + (o.fdbEntries ?? 0), 0);
      const neighborEntries = [...s.kernel.networks.values()].reduce((n, o) => n + (o.neighbors ?? 0), 0);
      networks.set({}, counts.networks); vrfs.set({}, counts.vrfs); ports.set({}, counts.ports);
      fdb.set({}, fdbEntries); neighbors.set({}, neighborEntries);
      networksByType.set({ type: 'l2' }, counts.l2Networks ?? 0); networksByType.set({ type: 'l3' }, counts.l3Networks ?? 0);
      syncDuration.observe({}, s.durationMs / 1000);
      lastSync.set({}, Date.now() / 1000);
      kernelWrites.inc({}, s.kernel.writes);
      if (s.kernel.skipped === true) kernelSkipped.inc({});
      last = { durationMs: s.durationMs, at: new Date().toISOString(), vrfs: counts.vrfs, networks: counts.networks, ports: counts.ports, fdb: fdbEntries, neighbors: neighborEntries };
    },
  };
}
export type AgentMetrics = ReturnType<typeof createAgentMetrics>;
