// The agent's HTTP API (seed 000 "REST API"): read-only EVPN views, one write
// (POST /v1/evpn/sync), Prometheus /metrics and probes. JSON field names follow
// the seed (snake_case). It binds to loopback or the pod's own IP only
// (listener.ts) and is closed by default: every request but the probes needs
// the bearer token of --api-token-file (api-auth.ts), reads included, on
// loopback too. Prometheus scrapes the separate metrics listener
// (metrics-server.ts), which serves nothing else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EvpnErrorCode } from '../../crds/error-codes.ts';
import type { Logger } from '../../lib/log.ts';
import { silentLogger } from '../../lib/log.ts';
import { metricsContentType, type MetricsRegistry } from '../../lib/metrics.ts';
import { refuseUnauthorized } from './api-auth.ts';
import type { AgentView, NetworkView, VrfView } from './agent-view.ts';
import { checkListenHost, createListener, refuseUnlessRead, sendError, sendJson, sendProbe } from './listener.ts';

export { checkListenHost, isLoopback, ListenAddressError } from './listener.ts';

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
  /** The file holding the bearer token every request but the probes needs; without it the API is closed. */
  readonly tokenFile?: string | undefined;
}

export interface AgentApiServer {
  listen(): Promise<AddressInfo>;
  close(): Promise<void>;
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
  | { kind: 'networks' }
  | { kind: 'network'; id: string }
  | { kind: 'vrfs' }
  | { kind: 'evpn-metrics' }
  | { kind: 'sync' }
  | { kind: 'metrics' };

const ID = /^[A-Za-z0-9._:-]{1,253}$/;

function routeOf(path: string): Route | 'bad-id' | undefined {
  switch (path) {
    case '/v1/evpn/networks':
      return { kind: 'networks' };
    case '/v1/evpn/vrfs':
      return { kind: 'vrfs' };
    case '/v1/evpn/metrics':
      return { kind: 'evpn-metrics' };
    case '/v1/evpn/sync':
      return { kind: 'sync' };
    case '/metrics':
      return { kind: 'metrics' };
    default:
      break;
  }
  const m = /^\/v1\/evpn\/networks\/([^/]+)$/.exec(path);
  if (m === null) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(m[1] ?? '');
  } catch {
    return 'bad-id';
  }
  return ID.test(id) ? { kind: 'network', id } : 'bad-id';
}

interface RequestContext {
  readonly view: AgentView;
  readonly registry: MetricsRegistry | undefined;
  readonly log: Logger;
  readonly tokenFile: string | undefined;
  readonly logRefusal: (fields: Record<string, unknown>) => void;
}

/** One warning per 10 s at most, with the count of the ones it stands for: a scanner must not flood the log. */
function refusalLogger(log: Logger): (fields: Record<string, unknown>) => void {
  let last = 0;
  let suppressed = 0;
  return (fields) => {
    const now = Date.now();
    if (now - last < 10_000) {
      suppressed += 1;
      return;
    }
    log.warn({ ...fields, refusedSinceLastWarning: suppressed }, 'agent API request refused');
    last = now;
    suppressed = 0;
  };
}

const PROBES: ReadonlyMap<string, 'livez' | 'readyz'> = new Map([
  ['/livez', 'livez'],
  ['/healthz', 'livez'],
  ['/readyz', 'readyz'],
]);

/** Probes, then the token, then routing and method checks; the answer itself comes from respond(). */
function handleRequest(ctx: RequestContext, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const probe = PROBES.get(path);
  if (probe !== undefined) {
    if (!refuseUnlessRead(req, res, path)) sendProbe(res, probe, ctx.view.ready?.() ?? true);
    return;
  }
  // Before routing: without the token, not even which paths exist is told.
  const refused = refuseUnauthorized(req, ctx.tokenFile);
  if (refused !== undefined) {
    req.resume();
    ctx.logRefusal({ status: refused.status, method: req.method, path, remote: req.socket.remoteAddress });
    sendError(
      res,
      refused.status,
      refused.status === 401 ? 'Unauthorized' : 'Forbidden',
      refused.message,
      refused.status === 401 ? { 'www-authenticate': 'Bearer' } : {},
    );
    return;
  }
  const route = routeOf(path);
  if (route === undefined) {
    sendError(res, 404, 'NotFound', `no such endpoint: ${path}`);
    return;
  }
  if (route === 'bad-id') {
    sendError(res, 400, 'BadRequest', 'a network id is 1-253 characters of A-Z a-z 0-9 . _ : -');
    return;
  }
  if (
    refuseUnlessRead(
      req,
      res,
      path,
      route.kind === 'sync' ? 'POST' : 'GET, HEAD',
      '; the API is read-only except POST /v1/evpn/sync',
    )
  )
    return;
  respond(ctx, route, req, res);
}

function respond(ctx: RequestContext, route: Route, req: IncomingMessage, res: ServerResponse): void {
  const { view, log } = ctx;
  switch (route.kind) {
    case 'networks':
      sendJson(res, 200, [...view.networks()].sort((a, b) => a.id.localeCompare(b.id)).map(networkJson));
      return;
    case 'network': {
      const n = view.network(route.id);
      if (n === undefined)
        sendError(
          res,
          404,
          EvpnErrorCode.NotFound,
          `${EvpnErrorCode.NotFound}: network ${route.id} is not known on this node`,
        );
      else sendJson(res, 200, networkJson(n));
      return;
    }
    case 'vrfs':
      sendJson(res, 200, [...view.vrfs()].sort((a, b) => a.vni - b.vni).map(vrfJson));
      return;
    case 'evpn-metrics': {
      const m = view.metrics();
      sendJson(res, 200, {
        networks_total: m.networks,
        l2_networks: m.l2Networks,
        l3_networks: m.l3Networks,
        vrfs_total: m.vrfs,
        ports_total: m.ports,
        fdb_entries_total: m.fdbEntries,
        neighbor_entries_total: m.neighborEntries,
        sync_duration_seconds: m.syncDurationSeconds ?? null,
        last_sync_time: m.lastSyncTime ?? null,
        errors_total: m.errors,
      });
      return;
    }
    case 'sync': {
      req.resume();
      const s = view.requestSync();
      log.info({ taskId: s.taskId, status: s.status }, 'sync requested over the API');
      sendJson(res, 202, { status: s.status, task_id: s.taskId });
      return;
    }
    case 'metrics':
      if (ctx.registry === undefined) {
        sendError(res, 404, 'NotFound', 'no metrics registry');
        return;
      }
      res.writeHead(200, { 'content-type': metricsContentType }).end(ctx.registry.render());
      return;
  }
}

export function createAgentApiServer(options: AgentApiOptions): AgentApiServer {
  const host = options.host ?? '127.0.0.1';
  checkListenHost(host, options.podIp);
  const log = options.log ?? silentLogger();
  const ctx: RequestContext = {
    view: options.view,
    registry: options.registry,
    log,
    tokenFile: options.tokenFile,
    logRefusal: refusalLogger(log),
  };
  return createListener({ host, port: options.port, log, name: 'api' }, (req, res) => {
    handleRequest(ctx, req, res);
  });
}
