// evpn-node-agent entry point: configuration, kube client, netlink sockets,
// FRR applier, the agent loop, the HTTP endpoints and graceful shutdown.
import { EventRecorder } from '../lib/kube/events.ts';
import { KubeClient } from '../lib/kube/kube-client.ts';
import { loadKubeConfig } from '../lib/kube/config.ts';
import { createLogger, errorFields, errorMessage, type Logger } from '../lib/log.ts';
import { createShutdown } from '../lib/shutdown.ts';
import { NodeAgent } from './agent.ts';
import { createAgentMetrics, type AgentMetrics } from './metrics.ts';
import { ConfigError, parseAgentConfig, type AgentConfig } from './config.ts';
import { FrrApplier } from './frr/reload.ts';
import { createAgentApiServer, type AgentApiServer } from './http/agent-api-server.ts';
import { createAgentStateView } from './http/agent-state-view.ts';
import { splitHostPort } from './http/listener.ts';
import { createAgentMetricsServer } from './http/metrics-server.ts';
import { openKernel } from './kernel/netlink/kernel-adapter.ts';
import { DriftWatch } from './kernel/netlink/drift-watch.ts';
import { OvsUplink } from './ovs/ovs-uplink.ts';

/** The agent's configuration, or exit 2 with the reason on stderr for a usage error. */
function parseConfigOrExit(): AgentConfig {
  try {
    return parseAgentConfig(process.argv.slice(2), process.env);
  } catch (err: unknown) {
    if (err instanceof ConfigError) {
      process.stderr.write(`evpn-node-agent: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** The FRR applier, or undefined when FRR is disabled. */
function createFrrApplier(config: AgentConfig, log: Logger): FrrApplier | undefined {
  if (!config.frr.enabled) return undefined;
  return new FrrApplier({
    configPath: config.frr.configPath,
    ...(config.frr.pathspace !== undefined ? { pathspace: config.frr.pathspace } : {}),
    ...(config.frr.bootConfigPath !== undefined ? { bootConfigPath: config.frr.bootConfigPath } : {}),
    logger: log,
  });
}

/** The OVS uplink, or undefined when OVSDB is disabled. */
function createOvsUplink(config: AgentConfig, log: Logger): OvsUplink | undefined {
  if (!config.ovs.enabled) return undefined;
  return new OvsUplink({
    remote: config.ovs.remote,
    portName: config.node.uplinkPeer,
    log: log.child({ component: 'ovs' }),
  });
}

function createAgentEventRecorder(config: AgentConfig, client: KubeClient, log: Logger): EventRecorder {
  // Events about cluster-scoped objects must live in "default" (the apiserver's rule); the chart lets the agent create/patch Events only.
  // One Event per (object, node, reason) an hour (the Events' TTL), its series counting the repeats.
  return new EventRecorder({
    client,
    reportingController: 'ovn-evpn.dev/node-agent',
    reportingInstance: config.node.nodeName,
    defaultNamespace: 'default',
    dedupWindowMs: 3_600_000,
    log,
  });
}

function createHttpServers(
  config: AgentConfig,
  agent: NodeAgent,
  metrics: AgentMetrics,
  log: Logger,
): { server: AgentApiServer; metricsServer: ReturnType<typeof createAgentMetricsServer> } {
  const podIp = process.env.POD_IP !== undefined ? { podIp: process.env.POD_IP } : {};
  // The read-only REST API (/v1/evpn/...): loopback or the pod IP only, every request but the probes behind the token.
  const server = createAgentApiServer({
    view: createAgentStateView(agent, metrics),
    ...splitHostPort(config.httpAddr, 9410),
    registry: metrics.registry,
    log,
    ...podIp,
    tokenFile: config.apiTokenFile,
  });
  // /metrics and the probes on their own listener, so Prometheus needs no token and the API stays closed.
  const metricsServer = createAgentMetricsServer({
    registry: metrics.registry,
    ...splitHostPort(config.metricsAddr, 9411),
    ready: () => agent.lastPass !== undefined,
    log,
    ...podIp,
  });
  return { server, metricsServer };
}

function logStarting(config: AgentConfig, log: Logger): void {
  log.info(
    {
      node: config.node.nodeName,
      vtep: config.node.vtepIp,
      asn: config.bgp.asn,
      frr: config.frr.enabled,
      ovsdb: config.ovs.enabled ? config.ovs.remote : false,
    },
    'node agent starting',
  );
}

async function main(): Promise<void> {
  const log = createLogger({ name: 'node-agent' });
  const config = parseConfigOrExit();
  const { kubeConfig } = loadKubeConfig();
  const client = new KubeClient(kubeConfig, { userAgent: `ovn-evpn-node-agent/${config.node.nodeName}` });
  const kernel = openKernel();
  const drift = new DriftWatch();
  const metrics = createAgentMetrics();
  const frr = createFrrApplier(config, log);
  const ovs = createOvsUplink(config, log);
  const events = createAgentEventRecorder(config, client, log);
  const agent = new NodeAgent({
    config,
    client,
    kernel,
    drift,
    metrics,
    events,
    log,
    ...(frr ? { frr } : {}),
    ...(ovs ? { ovs } : {}),
  });

  const { server, metricsServer } = createHttpServers(config, agent, metrics, log);
  const shutdown = createShutdown({ log, timeoutMs: 20_000 });
  shutdown.register('agent', () => agent.stop());
  shutdown.register('http', () => server.close());
  shutdown.register('metrics', () => metricsServer.close());
  shutdown.register('netlink', () => {
    drift.close();
    kernel.close();
  });
  if (ovs) shutdown.register('ovsdb', () => ovs.close());
  shutdown.install();

  await server.listen();
  await metricsServer.listen();
  // The first pass should see the database; a node without one yet retries in the background.
  await ovs?.start();
  logStarting(config, log);
  await agent.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`evpn-node-agent: ${errorMessage(err)}\n`);
  createLogger({ name: 'node-agent' }).fatal(errorFields(err), 'node agent failed to start');
  process.exit(1);
});
