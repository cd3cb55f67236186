// What the operator process is told by its command line (flags.ts) or by a test
// harness: where OVN and the apiserver are, and how the mirror and leader
// election behave.
import type { KubeTarget } from '../lib/kube/config.ts';
import type { WriteCounter } from '../lib/kube/write-counter.ts';
import type { Backend } from '../crds/backend.ts';
import type { Logger } from '../lib/log.ts';
import type { MetricsRegistry } from '../lib/metrics.ts';
import type { SslFiles } from '../lib/ovsdb/index.ts';
import type { MassDeletePolicy } from './mirror/mass-delete-guard.ts';
import type { NodeNameMode } from './ovn-source/node-names.ts';

export interface LeaderElectionConfig {
  readonly namespace: string;
  readonly name: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

export interface OperatorOptions {
  readonly kubeConfig: KubeTarget;
  readonly nbRemote: string;
  readonly sbRemote: string;
  readonly nodeNames: NodeNameMode;
  readonly l3vniOffset?: number | undefined;
  readonly pruneGraceMs: number;
  /** The mirror's slow full pass (default: the reconciler's). */
  readonly fullResyncMs?: number;
  readonly massDelete?: MassDeletePolicy | undefined;
  /** Key, certificate and CA for ssl: remotes. */
  readonly ovsdbSsl?: SslFiles | undefined;
  /** Undefined: lead from the start (a single replica, or tests). */
  readonly leaderElection?: LeaderElectionConfig | undefined;
  readonly identity?: string;
  readonly log: Logger;
  readonly registry: MetricsRegistry;
  readonly writeCounter?: WriteCounter;
  readonly ovnProbeIntervalMs?: number;
  /** The backend of a network or VRF without spec.backend (default kernel). */
  readonly defaultBackend?: Backend | undefined;
  /** Write the dynamic-routing keys of ovn-backend networks into OVN NB (default true). */
  readonly ovnWrites?: boolean | undefined;
}
