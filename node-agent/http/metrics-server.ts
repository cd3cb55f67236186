// The agent's metrics listener: Prometheus /metrics and the probes, nothing
// else, so a ServiceMonitor can scrape every node without the API's token and
// without opening the API (agent-api-server.ts) on the node's address.
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../lib/log.ts';
import { silentLogger } from '../../lib/log.ts';
import { metricsContentType, type MetricsRegistry } from '../../lib/metrics.ts';
import { checkListenHost, createListener, refuseUnlessRead, sendError, sendProbe } from './listener.ts';

export interface AgentMetricsOptions {
  readonly registry: MetricsRegistry;
  /** 127.0.0.1 (default), ::1, localhost, or exactly `podIp`. */
  readonly host?: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly podIp?: string;
  /** Readiness for /readyz (the first pass done). */
  readonly ready?: () => boolean;
  readonly log?: Logger;
}

export function createAgentMetricsServer(options: AgentMetricsOptions): {
  listen(): Promise<AddressInfo>;
  close(): Promise<void>;
} {
  const host = options.host ?? '127.0.0.1';
  checkListenHost(host, options.podIp, 'the agent metrics listener');
  const log = options.log ?? silentLogger();
  return createListener({ host, port: options.port, log, name: 'metrics' }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const known = path === '/metrics' || path === '/livez' || path === '/healthz' || path === '/readyz';
    if (!known) {
      sendError(
        res,
        404,
        'NotFound',
        `no such endpoint: ${path} (this listener serves /metrics and the probes; the EVPN API is on --http-addr)`,
      );
      return;
    }
    if (refuseUnlessRead(req, res, path)) return;
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': metricsContentType }).end(options.registry.render());
      return;
    }
    sendProbe(res, path === '/readyz' ? 'readyz' : 'livez', options.ready?.() ?? true);
  });
}
