// The operator's own Prometheus metrics.
import type { Counter, Gauge, Histogram, MetricsRegistry } from '../lib/metrics.ts';

export interface OperatorMetrics {
  /** Objects the mirror wants, by kind (EvpnVrf, EvpnNetwork, EvpnPortSet). */
  readonly mirroredObjects: Gauge;
  /** Ports in the mirrored EvpnPortSets (ports_total, cluster-wide). */
  readonly mirroredPorts: Gauge;
  /** From receiving an OVSDB update to the return of the apiserver write it caused. */
  readonly ovnToCrLatency: Histogram;
  /** Problems found in OVN associations (each new occurrence), by EVPN-00x code. */
  readonly errors: Counter;
  /** Problems present now, by EVPN-00x code. */
  readonly problems: Gauge;
  /** 1 while this instance holds the lease. */
  readonly leader: Gauge;
  /** 1 while both OVN databases are connected and synced. */
  readonly ovnSynced: Gauge;
  /** Writes of the mirror, by kind and verb. */
  readonly mirrorWrites: Counter;
  /** Status writes, by kind. */
  readonly statusWrites: Counter;
  /** OVN NB rows the ovn backend's key sync mutated. */
  readonly ovnKeyWrites: Counter;
  /** Deletes held by the mass-deletion guard now. */
  readonly heldDeletes: Gauge;
  /** Networks whose OVN rows a mirror pass read again (all of them on a full pass, the changed ones otherwise). */
  readonly mirrorNetworksRecomputed: Counter;
}

export const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createOperatorMetrics(registry: MetricsRegistry): OperatorMetrics {
  return {
    mirroredObjects: registry.gauge('evpn_operator_mirrored_objects', 'Objects mirrored from OVN, by kind.', ['kind']),
    mirroredPorts: registry.gauge('evpn_operator_mirrored_ports', 'Ports in the EvpnPortSets mirrored from OVN.'),
    ovnToCrLatency: registry.histogram(
      'evpn_operator_ovn_to_cr_latency_seconds',
      'Time from receiving an OVSDB update to the return of the apiserver write it caused.',
      [],
      latencyBuckets,
    ),
    errors: registry.counter('evpn_operator_errors_total', 'Problems found in OVN associations, by EVPN error code.', [
      'code',
    ]),
    problems: registry.gauge(
      'evpn_operator_problems',
      'Problems present in OVN associations now, by EVPN error code.',
      ['code'],
    ),
    leader: registry.gauge('evpn_operator_leader', '1 while this instance holds the leader lease.'),
    ovnSynced: registry.gauge('evpn_operator_ovn_synced', '1 while both OVN databases are connected and synced.'),
    mirrorWrites: registry.counter('evpn_operator_mirror_writes_total', 'Objects applied or deleted by the mirror.', [
      'kind',
      'verb',
    ]),
    statusWrites: registry.counter('evpn_operator_status_writes_total', 'Status writes, by kind.', ['kind']),
    ovnKeyWrites: registry.counter(
      'evpn_operator_ovn_key_writes_total',
      'OVN NB rows whose dynamic-routing keys the ovn backend mutated.',
    ),
    heldDeletes: registry.gauge('evpn_operator_held_deletes', 'Deletes held by the mass-deletion guard now.'),
    mirrorNetworksRecomputed: registry.counter(
      'evpn_operator_mirror_networks_recomputed_total',
      'Networks whose OVN rows a mirror pass read again: all on a full pass, only the changed ones otherwise.',
    ),
  };
}
