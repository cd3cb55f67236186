import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './log.ts';
import { errorFields, errorMessage, silentLogger } from './log.ts';
import { metricsContentType, type MetricsRegistry } from './metrics.ts';

/** A check passes by resolving; it fails by throwing (the message is shown on the probe). */
export type HealthCheck = () => void | Promise<void>;

export interface HttpServerOptions {
  /** Loopback by default: a pod exposes it deliberately (`0.0.0.0`), never by accident. */
  readonly host?: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly registry?: MetricsRegistry;
  readonly log?: Logger;
}

export interface ProbeServer {
  addLivenessCheck(name: string, check: HealthCheck): void;
  addReadinessCheck(name: string, check: HealthCheck): void;
  listen(): Promise<AddressInfo>;
  close(): Promise<void>;
}

async function runChecks(checks: ReadonlyMap<string, HealthCheck>): Promise<{ ok: boolean; body: string }> {
  const lines: string[] = [];
  let ok = true;
  for (const [name, check] of checks) {
    try {
      await check();
      lines.push(`[+]${name} ok`);
    } catch (err) {
      ok = false;
      lines.push(`[-]${name} failed: ${errorMessage(err)}`);
    }
  }
  lines.push(ok ? 'ok' : 'failed');
  return { ok, body: `${lines.join('\n')}\n` };
}

export function createProbeServer(options: HttpServerOptions): ProbeServer {
  const log = options.log ?? silentLogger();
  const liveness = new Map<string, HealthCheck>();
  const readiness = new Map<string, HealthCheck>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      const { ok, body } = await runChecks(path === '/readyz' ? readiness : liveness);
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
      return;
    }
    if (path === '/metrics' && options.registry !== undefined) {
      res.writeHead(200, { 'content-type': metricsContentType }).end(options.registry.render());
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error(errorFields(err), 'probe request failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Probes are tiny; don't let an idle keep-alive connection hold up close().
  server.keepAliveTimeout = 1_000;

  return {
    addLivenessCheck: (name, check) => void liveness.set(name, check),
    addReadinessCheck: (name, check) => void readiness.set(name, check),
    listen: () =>
      new Promise<AddressInfo>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host ?? '127.0.0.1', () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          log.info({ address: address.address, port: address.port }, 'probe server listening');
          resolve(address);
        });
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close((err) => {
          if (err === undefined) resolve();
          else reject(err);
        });
        server.closeIdleConnections();
      }),
  };
}
