// A thin REST client over node:http(s), authenticated by a KubeTarget
// (lib/kube/config.ts). Why not client-node's generated client for everything: in 2.0.1 the patch
// methods pick their Content-Type from a fixed list (json-patch first), custom
// object patches don't offer apply-patch+yaml at all, its Watch gives no way to
// see a 410 sent as a watch ERROR event apart from "stream closed", and there is
// no single place to count writes. Here every request goes through `request()`.
import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeTarget } from './config.ts';
import type { KubeList } from './resource.ts';
import { resourceOfPath, writeVerbOf, type WriteCounter } from './write-counter.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined;

export interface KubeRequest {
  readonly method: HttpMethod;
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /** Whole-request timeout; default 30 s. */
  readonly timeoutMs?: number;
}

/** The apiserver's `Status` object, as far as callers need it. */
export interface KubeStatus {
  readonly kind?: string;
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: unknown;
}

export class KubeApiError extends Error {
  readonly statusCode: number;
  /** `NotFound`, `Conflict`, `AlreadyExists`, `Expired`, `Gone`, `Invalid`... */
  readonly reason: string;
  readonly status: KubeStatus | undefined;

  constructor(statusCode: number, reason: string, message: string, status?: KubeStatus) {
    super(message);
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = reason;
    this.status = status;
  }
}

export const isNotFound = (err: unknown): boolean => err instanceof KubeApiError && err.statusCode === 404;
export const isConflict = (err: unknown): boolean => err instanceof KubeApiError && err.statusCode === 409;
export const isGone = (err: unknown): boolean => err instanceof KubeApiError && err.statusCode === 410;

export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

export interface KubeClientOptions {
  readonly writeCounter?: WriteCounter;
  readonly userAgent?: string;
}

function buildUrl(server: string, path: string, query: Readonly<Record<string, QueryValue>> | undefined): URL {
  const url = new URL(server.replace(/\/$/, '') + path);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined) url.searchParams.set(k, String(v));
  }
  return url;
}

function toStatus(text: string): KubeStatus | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed) : undefined;
  } catch {
    return undefined;
  }
}

export function apiErrorFrom(statusCode: number, text: string): KubeApiError {
  const status = toStatus(text);
  const reason = status?.reason ?? http.STATUS_CODES[statusCode] ?? 'Unknown';
  return new KubeApiError(statusCode, reason, status?.message ?? `HTTP ${statusCode}: ${text.slice(0, 200)}`, status);
}

export class KubeClient {
  readonly kubeConfig: KubeTarget;
  readonly writeCounter: WriteCounter | undefined;
  private readonly userAgent: string;
  private agent: http.Agent | undefined;
  /** The TLS material `agent` was built from: another one (a rotated certificate or CA) builds a new agent. */
  private agentTls: TlsMaterial | undefined;

  constructor(kubeConfig: KubeTarget, options: KubeClientOptions = {}) {
    this.kubeConfig = kubeConfig;
    this.writeCounter = options.writeCounter;
    this.userAgent = options.userAgent ?? 'ovn-evpn';
  }

  /** Sends one request and returns the parsed JSON body; non-2xx answers throw KubeApiError. */
  async request<T>(req: KubeRequest): Promise<T> {
    const res = await this.send(req);
    const text = await readBody(res);
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) throw apiErrorFrom(code, text);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** Lists every page (`limit`/`continue`); the returned resourceVersion is the last page's. */
  async listAll<T>(path: string, query: Readonly<Record<string, QueryValue>> = {}, signal?: AbortSignal): Promise<KubeList<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    for (;;) {
      const page = await this.request<KubeList<T>>({
        method: 'GET',
        path,
        query: { ...query, limit: 500, continue: cont },
        ...(signal === undefined ? {} : { signal }),
      });
      items.push(...page.items);
      cont = page.metadata.continue;
      if (cont === undefined || cont === '') {
        return { metadata: { ...(page.metadata.resourceVersion === undefined ? {} : { resourceVersion: page.metadata.resourceVersion }) }, items };
      }
    }
  }

  /**
   * Streams watch events until the server closes the stream (normal end) or the
   * signal aborts. A non-200 answer throws KubeApiError (e.g. 410 on an expired
   * resourceVersion); an ERROR event is yielded so the caller can read its Status.
   */
  async *watch<T>(path: string, query: Readonly<Record<string, QueryValue>>, signal: AbortSignal, idleTimeoutMs = 0): AsyncGenerator<WatchEvent<T>> {
    const res = await this.send({ method: 'GET', path, query: { ...query, watch: true }, signal, timeoutMs: 0 }, idleTimeoutMs);
    const code = res.statusCode ?? 0;
    if (code !== 200) throw apiErrorFrom(code, await readBody(res));
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (line.trim() === '') continue;
        yield JSON.parse(line) as WatchEvent<T>;
      }
    } finally {
      lines.close();
      res.destroy();
    }
    if (res.errored !== null) throw res.errored;
    signal.throwIfAborted();
  }

  /** Closes idle keep-alive sockets so the process can exit. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
    this.agentTls = undefined;
  }

  private async send(req: KubeRequest, idleTimeoutMs = 0): Promise<http.IncomingMessage> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (cluster === null) throw new Error('kubeconfig has no current cluster');
    const url = buildUrl(cluster.server, req.path, req.query);
    // Called per request: exec/token authenticators refresh their token here.
    const opts: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(opts);
    const agent = this.agentFor(url, opts, cluster.proxyUrl !== undefined);
    const body = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    const authHeaders = opts.headers !== undefined && !Array.isArray(opts.headers) ? (opts.headers as http.OutgoingHttpHeaders) : {};
    const headers: http.OutgoingHttpHeaders = {
      ...authHeaders,
      accept: 'application/json',
      'user-agent': this.userAgent,
    };
    if (body !== undefined) {
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const verb = writeVerbOf(req.method, req.contentType ?? 'application/json');
    if (verb !== undefined) this.writeCounter?.record(verb, resourceOfPath(req.path));

    const mod = url.protocol === 'https:' ? https : http;
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      const r = mod.request(
        url,
        {
          method: req.method,
          headers,
          agent,
          ...(opts.auth === undefined ? {} : { auth: opts.auth }),
          ...(req.signal === undefined ? {} : { signal: req.signal }),
        },
        (res) => {
          // A refused credential (an expired exec token, a revoked certificate): fetch a fresh one for the next request.
          if (res.statusCode === 401) this.kubeConfig.invalidateCredentials?.();
          resolve(res);
        },
      );
      r.on('error', reject);
      const timeoutMs = req.timeoutMs ?? 30_000;
      if (timeoutMs > 0) {
        const timer = setTimeout(() => r.destroy(new Error(`request timed out after ${timeoutMs} ms: ${req.method} ${req.path}`)), timeoutMs);
        timer.unref();
        r.on('close', () => {
          clearTimeout(timer);
        });
        r.on('response', (res) => res.on('end', () => {
          clearTimeout(timer);
        }));
      }
      // For watches: a socket that carries nothing (not even a bookmark) this long is dead.
      if (idleTimeoutMs > 0) {
        r.setTimeout(idleTimeoutMs, () => r.destroy(new Error(`watch idle for ${idleTimeoutMs} ms`)));
      }
      r.end(body);
    });
  }

  // One keep-alive agent per client, built from the kubeconfig's TLS material
  // (client-node's own agent has keep-alive off: a TLS handshake per request),
  // and built again when that material changes (a renewed client certificate
  // from a file or an exec plugin, a rotated CA): a socket keeps the identity of
  // its handshake, so only new sockets can present the new certificate.
  private agentFor(url: URL, opts: https.RequestOptions, proxied: boolean): http.Agent | undefined {
    if (proxied) return opts.agent instanceof http.Agent ? opts.agent : undefined;
    const tls = tlsMaterialOf(opts);
    if (this.agent !== undefined && this.agentTls !== undefined && sameTls(this.agentTls, tls)) return this.agent;
    if (this.agent !== undefined) retireAgent(this.agent);
    this.agentTls = tls;
    this.agent =
      url.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
            ...(tls.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: tls.rejectUnauthorized }),
            ...(tls.servername === undefined ? {} : { servername: tls.servername }),
          })
        : new http.Agent({ keepAlive: true });
    return this.agent;
  }
}

type TlsMaterial = Pick<https.RequestOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;

const tlsMaterialOf = (o: https.RequestOptions): TlsMaterial => ({ ca: o.ca, cert: o.cert, key: o.key, rejectUnauthorized: o.rejectUnauthorized, servername: o.servername });

/** Same value: identical (files unchanged give the same Buffer), or equal bytes (an exec plugin's fresh strings). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return false;
}

const sameTls = (a: TlsMaterial, b: TlsMaterial): boolean =>
  sameValue(a.ca, b.ca) && sameValue(a.cert, b.cert) && sameValue(a.key, b.key) && a.rejectUnauthorized === b.rejectUnauthorized && a.servername === b.servername;

/** An agent replaced by a new one: idle sockets close now, busy ones (a watch) finish on their old handshake, then close. */
function retireAgent(agent: http.Agent): void {
  agent.on('free', (socket: import('node:net').Socket) => { socket.destroy(); });
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}

async function readBody(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
