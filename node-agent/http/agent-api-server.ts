// The agent's HTTP API (seed 000 "REST API"): read-only EVPN views, one write
// (POST /v1/evpn/sync), Prometheus /metrics and probes. JSON field names follow
// the seed (snake_case). It binds to loopback or the pod's own IP only: with
// hostNetwork the pod IP is the node's, and 0.0.0.0 would also expose it on
// every tenant-facing address of the host. On loopback POST /v1/evpn/sync is
// open to the node's own processes; on the pod IP the API is read-only unless a
// bearer token is configured (--api-token-file, from a Secret), and then POST
// needs `Authorization: Bearer <token>` wherever it listens.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { EvpnErrorCode } from '../../crds/error-codes.ts';
import type { Logger } from '../../lib/log.ts';
import { errorFields, silentLogger } from '../../lib/log.ts';
import { metricsContentType, type MetricsRegistry } from '../../lib/metrics.ts';
import type { AgentView, NetworkView, VrfView } from './agent-view.ts';

export interface AgentApiOptions {
  readonly view: AgentView;
  /** 127.0.0.1 (default), ::1, localhost, or exactly `podIp`. */
  readonly host?: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** The pod's IP (downward API status.podIP): the one non-loopback address allowed. */
  readonly podIp?: string;
  readonly registry?: MetricsRegistry;
  readonly log?: Logger;
  /** A file holding the bearer token POST needs; read at each POST, so a rotated Secret applies at once. */
  readonly tokenFile?: string | undefined;
}

export interface AgentApiServer {
  listen(): Promise<AddressInfo>;
  close(): Promise<void>;
}

export class ListenAddressError extends Error {
  override readonly name = 'ListenAddressError';
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Throws unless `host` is loopback or the pod's own IP. */
export function checkListenHost(host: string, podIp: string | undefined): void {
  if (isLoopback(host)) return;
  if (podIp !== undefined && podIp !== '' && host === podIp && isIP(host) !== 0) return;
  throw new ListenAddressError(
    `refusing to listen on ${host}: the agent API binds to loopback or the pod IP${podIp === undefined || podIp === '' ? ' (POD_IP is not set)' : ` (${podIp})`} only`,
  );
}

const networkJson = (n: NetworkView): Record<string, unknown> => ({
  id: n.id,
  type: n.type,
  vni: n.vni ?? null,
  l2vni: n.type === 'l2' ? (n.vni ?? null) : null,
  l3vni: n.l3vni ?? null,
  vlan_id: n.vlanId ?? null,
  vrf: n.vrf ?? null,
  table_id: n.routingTable ?? null,
  mtu: n.mtu ?? null,
  route_targets: n.routeTargets ?? [],
  route_distinguishers: n.routeDistinguishers ?? [],
  ready: n.ready,
  reason: n.reason ?? null,
  message: n.message ?? null,
  devices: n.devices,
  local_ports: n.localPorts,
  fdb_entries: n.fdbEntries,
  neighbor_entries: n.neighbors,
  routes: n.routes,
});

const vrfJson = (v: VrfView): Record<string, unknown> => ({
  name: v.name,
  device: v.device,
  vni: v.vni,
  table_id: v.routingTable,
  networks: v.networks,
  ready: v.ready,
  reason: v.reason ?? null,
  message: v.message ?? null,
});

type Route =
  | { kind: 'networks' } | { kind: 'network'; id: string } | { kind: 'vrfs' } | { kind: 'evpn-metrics' }
  | { kind: 'sync' } | { kind: 'metrics' } | { kind: 'livez' } | { kind: 'readyz' };

const ID = /^[A-Za-z0-9._:-]{1,253}$/;

function routeOf(path: string): Route | 'bad-id' | undefined {
  switch (path) {
    case '/v1/evpn/networks': return { kind: 'networks' };
    case '/v1/evpn/vrfs': return { kind: 'vrfs' };
    case '/v1/evpn/metrics': return { kind: 'evpn-metrics' };
    case '/v1/evpn/sync': return { kind: 'sync' };
    case '/metrics': return { kind: 'metrics' };
    case '/livez': case '/healthz': return { kind: 'livez' };
    case '/readyz': return { kind: 'readyz' };
    default: break;
  }
  const m = /^\/v1\/evpn\/networks\/([^/]+)$/.exec(path);
  if (m === null) return undefined;
  let id: string;
  try { id = decodeURIComponent(m[1] ?? ''); } catch { return 'bad-id'; }
  return ID.test(id) ? { kind: 'network', id } : 'bad-id';
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(text);
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Why a POST may not go ahead, or undefined when it may. */
function refusePost(req: IncomingMessage, host: string, tokenFile: string | undefined): { status: number; message: string } | undefined {
  if (tokenFile === undefined) {
    if (isLoopback(host)) return undefined;
    return { status: 403, message: `the agent API listens on ${host}, so it is read-only: POST /v1/evpn/sync needs a bearer token (--api-token-file)` };
  }
  let token: string;
  try {
    token = readFileSync(tokenFile, 'utf8').trim();
  } catch (err) {
    return { status: 403, message: `POST is disabled: cannot read the token file ${tokenFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (token === '') return { status: 403, message: `POST is disabled: the token file ${tokenFile} is empty` };
  const given = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (given === undefined || !timingSafeEqual(digest(given), digest(token))) return { status: 401, message: 'POST /v1/evpn/sync needs Authorization: Bearer <token>' };
  return undefined;
}

function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

interface RequestContext {
  readonly view: AgentView; readonly registry: MetricsRegistry | undefined; readonly log: Logger;
  readonly host: string; readonly tokenFile: string | undefined;
}

/** Routing and method checks; the answer itself comes from respond(). */
function handleRequest(ctx: RequestContext, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const route = routeOf(path);
  if (route === undefined) { sendError(res, 404, 'NotFound', `no such endpoint: ${path}`); return; }
  if (route === 'bad-id') { sendError(res, 400, 'BadRequest', 'a network id is 1-253 characters of A-Z a-z 0-9 . _ : -'); return; }
  const method = req.method ?? 'GET';
  const allowed = route.kind === 'sync' ? 'POST' : 'GET, HEAD';
  if (!allowed.split(', ').includes(method)) {
    // Drain any body so the connection can be reused.
    req.resume();
    sendError(res, 405, 'MethodNotAllowed', `${method} is not allowed on ${path} (allowed: ${allowed}); the API is read-only except POST /v1/evpn/sync`, { allow: allowed });
    return;
  }
  respond(ctx, route, req, res);
}

function respond(ctx: RequestContext, route: Route, req: IncomingMessage, res: ServerResponse): void {
  const { view, log } = ctx;
  switch (route.kind) {
    case 'networks': sendJson(res, 200, [...view.networks()].sort((a, b) => a.id.localeCompare(b.id)).map(networkJson)); return;
    case 'network': {
      const n = view.network(route.id);
      if (n === undefined) sendError(res, 404, EvpnErrorCode.NotFound, `${EvpnErrorCode.NotFound}: network ${route.id} is not known on this node`);
      else sendJson(res, 200, networkJson(n));
      return;
    }
    case 'vrfs': sendJson(res, 200, [...view.vrfs()].sort((a, b) => a.vni - b.vni).map(vrfJson)); return;
    case 'evpn-metrics': {
      const m = view.metrics();
      sendJson(res, 200, {
        networks_total: m.networks, l2_networks: m.l2Networks, l3_networks: m.l3Networks, vrfs_total: m.vrfs,
        ports_total: m.ports, fdb_entries_total: m.fdbEntries, neighbor_entries_total: m.neighborEntries,
        sync_duration_seconds: m.syncDurationSeconds ?? null, last_sync_time: m.lastSyncTime ?? null, errors_total: m.errors,
      });
      return;
    }
    case 'sync': {
      req.resume();
      const refused = refusePost(req, ctx.host, ctx.tokenFile);
      if (refused !== undefined) {
        log.warn({ status: refused.status, remote: req.socket.remoteAddress }, 'sync request refused');
        sendError(res, refused.status, refused.status === 401 ? 'Unauthorized' : 'Forbidden', refused.message, refused.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
        return;
      }
      const s = view.requestSync();
      log.info({ taskId: s.taskId, status: s.status }, 'sync requested over the API');
      sendJson(res, 202, { status: s.status, task_id: s.taskId });
      return;
    }
    case 'metrics':
      if (ctx.registry === undefined) { sendError(res, 404, 'NotFound', 'no metrics registry'); return; }
      res.writeHead(200, { 'content-type': metricsContentType }).end(ctx.registry.render());
      return;
    case 'livez': res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n'); return;
    case 'readyz': {
      const ready = view.ready?.() ?? true;
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' }).end(ready ? 'ok\n' : 'not ready: first pass not done\n');
      return;
    }
  }
}

export function createAgentApiServer(options: AgentApiOptions): AgentApiServer {
  const host = options.host ?? '127.0.0.1';
  checkListenHost(host, options.podIp);
  const log = options.log ?? silentLogger();
  const { view } = options;

  const ctx: RequestContext = { view, registry: options.registry, log, host, tokenFile: options.tokenFile };

  const server: Server = createServer((req, res) => {
    try {
      handleRequest(ctx, req, res);
    } catch (err) {
      log.error(errorFields(err), 'agent API request failed');
      if (!res.headersSent) sendError(res, 500, EvpnErrorCode.Infrastructure, 'internal error; see the agent log');
      else res.end();
    }
  });
  server.keepAliveTimeout = 1_000;
  // No request needs more than a few KB; a slow client cannot hold a socket forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  return {
    listen: () => new Promise<AddressInfo>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        const address = server.address() as AddressInfo;
        log.info({ address: address.address, port: address.port }, 'agent API listening');
        resolve(address);
      });
    }),
    close: () => new Promise<void>((resolve, reject) => {
      if (!server.listening) { resolve(); return; }
      server.close((err) => { if (err === undefined) resolve(); else reject(err); });
      server.closeIdleConnections();
    }),
  };
}
