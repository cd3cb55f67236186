// What the agent's two HTTP listeners (the API and metrics) share: the rule on
// where they may bind, JSON answers, and listen/close around node:http. They
// bind to loopback or the pod's own IP only: with hostNetwork the pod IP is the
// node's, and 0.0.0.0 would also expose them on every tenant-facing address of
// the host.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { EvpnErrorCode } from '../../crds/error-codes.ts';
import type { Logger } from '../../lib/log.ts';
import { errorFields } from '../../lib/log.ts';

export class ListenAddressError extends Error {
  override readonly name = 'ListenAddressError';
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Throws unless `host` is loopback or the pod's own IP. */
export function checkListenHost(host: string, podIp: string | undefined, what = 'the agent API'): void {
  if (isLoopback(host)) return;
  if (podIp !== undefined && podIp !== '' && host === podIp && isIP(host) !== 0) return;
  throw new ListenAddressError(
    `refusing to listen on ${host}: ${what} binds to loopback or the pod IP${podIp === undefined || podIp === '' ? ' (POD_IP is not set)' : ` (${podIp})`} only`,
  );
}

/** "HOST:PORT" (HOST may be [v6]) → its parts; the port defaults to `defaultPort`. */
export function splitHostPort(text: string, defaultPort: number): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|(.*?))(?::(\d{1,5}))?$/.exec(text);
  return {
    host: m?.[1] ?? (m?.[2] === '' || m?.[2] === undefined ? '127.0.0.1' : m[2]),
    port: m?.[3] === undefined ? defaultPort : Number(m[3]),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = `${JSON.stringify(body)}\n`;
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers })
    .end(text);
}

export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

/** GET/HEAD only: answers 405 (and drains the body so the connection can be reused) for anything else. */
export function refuseUnlessRead(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  allowed = 'GET, HEAD',
  why = '',
): boolean {
  const method = req.method ?? 'GET';
  if (allowed.split(', ').includes(method)) return false;
  req.resume();
  sendError(res, 405, 'MethodNotAllowed', `${method} is not allowed on ${path} (allowed: ${allowed})${why}`, {
    allow: allowed,
  });
  return true;
}

export function sendProbe(res: ServerResponse, kind: 'livez' | 'readyz', ready: boolean): void {
  const ok = kind === 'livez' || ready;
  res
    .writeHead(ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' })
    .end(ok ? 'ok\n' : 'not ready: first pass not done\n');
}

export interface Listener {
  listen(): Promise<AddressInfo>;
  close(): Promise<void>;
}

/** A node:http server on host:port whose handler errors become a 500 with EVPN-005, never a crash. */
export function createListener(
  options: { host: string; port: number; log: Logger; name: string },
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Listener {
  const { host, port, log, name } = options;
  const server: Server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      log.error({ ...errorFields(err), listener: name }, 'agent HTTP request failed');
      if (!res.headersSent) sendError(res, 500, EvpnErrorCode.Infrastructure, 'internal error; see the agent log');
      else res.end();
    }
  });
  server.keepAliveTimeout = 1_000;
  // No request needs more than a few KB; a slow client cannot hold a socket forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return {
    listen: () =>
      new Promise<AddressInfo>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          log.info({ listener: name, address: address.address, port: address.port }, 'agent HTTP listening');
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
