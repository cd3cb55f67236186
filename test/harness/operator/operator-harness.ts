// Runs the Operator in-process against a test's OVN databases and apiserver,
// with its own write counter and metrics registry.
import { pino } from 'pino';
import { WriteCounter } from '../../../lib/kube/write-counter.ts';
import { MetricsRegistry } from '../../../lib/metrics.ts';
import type { OvnDatabases } from '../ovn/ovn-databases.ts';
import { Operator, type OperatorOptions } from '../../../operator/operator.ts';
import type { KubeEnv } from './kube-env.ts';

export interface RunningOperator {
  readonly operator: Operator;
  readonly writes: WriteCounter;
  readonly registry: MetricsRegistry;
  stop(): Promise<void>;
}

export async function runOperator(
  kube: KubeEnv,
  ovn: OvnDatabases,
  overrides: Partial<OperatorOptions> = {},
): Promise<RunningOperator> {
  const registry = new MetricsRegistry();
  const writes = new WriteCounter();
  const operator = await Operator.start({
    kubeConfig: kube.kubeConfig,
    nbRemote: ovn.nbRemote.unix,
    sbRemote: ovn.sbRemote.unix,
    nodeNames: { kind: 'hostname' },
    pruneGraceMs: 1500,
    log: pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }),
    registry,
    writeCounter: writes,
    ...overrides,
  });
  await operator.whenLeading();
  return { operator, writes, registry, stop: () => operator.stop() };
}

/** Writes other than lease renewals (which a leader makes by design, every retry period). */
export function nonLeaseWrites(writes: WriteCounter): Record<string, number> {
  return Object.fromEntries(Object.entries(writes.snapshot()).filter(([k]) => !k.endsWith(' leases')));
}
