// The operator process: flags → logger, metrics, probes → Operator → wait for a
// signal or the loss of leadership → graceful shutdown (the lease is released
// so a standby takes over at once). Exit codes: 0 after a signal, 1 for a
// start-up failure (wrong or unreachable database, bad kubeconfig) or a lost
// lease, 2 for a usage error.
import { createShutdown, type Shutdown } from '../lib/shutdown.ts';
import { createProbeServer } from '../lib/http-server.ts';
import { loadKubeConfig } from '../lib/kube/config.ts';
import { WriteCounter } from '../lib/kube/write-counter.ts';
import { errorMessage, createLogger, errorFields, type Logger } from '../lib/log.ts';
import { MetricsRegistry } from '../lib/metrics.ts';
import { parseOperatorFlags, usage, UsageError, type OperatorFlags } from './flags.ts';
import { Operator, type OperatorOptions } from './operator.ts';

function fail(message: string, code: number): never {
  process.stderr.write(`evpn-operator: ${message}\n`);
  process.exit(code);
}

function operatorOptionsOf(
  flags: OperatorFlags,
  deps: Pick<OperatorOptions, 'kubeConfig' | 'log' | 'registry' | 'writeCounter'>,
): OperatorOptions {
  return {
    ...deps,
    nbRemote: flags.ovnNb,
    sbRemote: flags.ovnSb,
    nodeNames: flags.nodeNames,
    l3vniOffset: flags.l3vniOffset,
    pruneGraceMs: flags.pruneGraceMs,
    fullResyncMs: flags.fullResyncMs,
    massDelete: flags.massDelete,
    ovsdbSsl: flags.ovsdbSsl,
    ovnProbeIntervalMs: flags.ovsdbProbeIntervalMs,
    defaultBackend: flags.defaultBackend,
    ovnWrites: flags.ovnWrites,
    leaderElection: flags.leaderElect
      ? {
          namespace: flags.leaseNamespace,
          name: flags.leaseName,
          leaseDurationMs: flags.leaseDurationMs,
          renewDeadlineMs: flags.renewDeadlineMs,
          retryPeriodMs: flags.retryPeriodMs,
        }
      : undefined,
    ...(flags.identity === undefined ? {} : { identity: flags.identity }),
  };
}

/** The kubeconfig, or exit 1: without one the operator can do nothing. */
function loadKubeConfigOrExit(log: Logger): OperatorOptions['kubeConfig'] {
  try {
    return loadKubeConfig().kubeConfig;
  } catch (err) {
    log.fatal(errorFields(err), 'cannot load kubeconfig');
    fail(`cannot load a kubeconfig: ${errorMessage(err)}`, 1);
  }
}

/** The probe server; readiness follows the operator once `currentOperator` returns one. */
function createOperatorProbes(
  flags: OperatorFlags,
  registry: MetricsRegistry,
  log: Logger,
  shutdown: Shutdown,
  currentOperator: () => Operator | undefined,
): ReturnType<typeof createProbeServer> {
  const probes = createProbeServer({ host: flags.metricsHost, port: flags.metricsPort, registry, log });
  probes.addLivenessCheck('process', () => {
    if (shutdown.signal.aborted) throw new Error('shutting down');
  });
  probes.addReadinessCheck('operator', () => {
    const operator = currentOperator();
    if (operator === undefined) throw new Error('starting: connecting to OVN');
    const r = operator.readiness();
    if (!r.ok) throw new Error(r.why);
  });
  return probes;
}

/** Runs until a signal (shutdown handles it) or the loss of the lease (exit 1, so a fresh process campaigns). */
async function waitForExit(op: Operator, shutdown: Shutdown, log: Logger): Promise<void> {
  const signalled = new Promise<string>((resolve) => {
    shutdown.signal.addEventListener(
      'abort',
      () => {
        resolve('signal');
      },
      { once: true },
    );
  });
  const why = await Promise.race([op.done, signalled]);
  if (why === 'lost leadership') {
    log.error({}, 'lost the leader lease; exiting so a fresh process can campaign again');
    await shutdown.run(why);
    process.exit(1);
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  let flags: OperatorFlags | 'help';
  try {
    flags = parseOperatorFlags(argv);
  } catch (err) {
    if (err instanceof UsageError) fail(`${err.message}\n\n${usage}`, 2);
    throw err;
  }
  if (flags === 'help') {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const log = createLogger({ name: 'evpn-operator' });
  const registry = new MetricsRegistry();
  const writeCounter = new WriteCounter(
    registry.counter('evpn_operator_api_writes_total', 'Mutating apiserver requests, by verb and resource.', [
      'verb',
      'resource',
    ]),
  );
  const kubeConfig = loadKubeConfigOrExit(log);

  const shutdown = createShutdown({ log });
  let operator: Operator | undefined;
  const probes = createOperatorProbes(flags, registry, log, shutdown, () => operator);
  await probes.listen();

  try {
    operator = await Operator.start(operatorOptionsOf(flags, { kubeConfig, log, registry, writeCounter }));
  } catch (err) {
    log.fatal(errorFields(err), 'start-up failed');
    await probes.close();
    fail(errorMessage(err), 1);
  }
  const op = operator;
  log.info(
    { identity: op.identity, nb: flags.ovnNb, sb: flags.ovnSb, leaderElect: flags.leaderElect },
    'operator started',
  );

  shutdown.register('operator', () => op.stop());
  shutdown.register('probe server', async () => {
    await probes.close();
  });
  shutdown.install();
  await waitForExit(op, shutdown, log);
}
