import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../lib/metrics.ts';
import { checkListenHost, createAgentApiServer, ListenAddressError, type AgentApiServer } from './agent-api-server.ts';
import type { AgentView, NetworkView, SyncRequest, VrfView } from './agent-view.ts';

const l2: NetworkView = {
  id: 'af374017-c9ae-4a1d-b799-ab73111476e2',
  type: 'l2',
  vni: 10101,
  vlanId: 101,
  vrf: 'vrf-10100',
  l3vni: 10100,
  routingTable: 1010100,
  routeTargets: ['65000:10101'],
  ready: true,
  devices: ['vx-10101', 'br-evpn.101'],
  localPorts: 3,
  fdbEntries: 3,
  neighbors: 4,
  routes: 0,
};
const l3: NetworkView = {
  id: '4e8e5957-649f-477b-9e5b-f1f75b21c03c',
  type: 'l3',
  vlanId: 200,
  vrf: 'vrf-20000',
  l3vni: 20000,
  routingTable: 1020000,
  ready: false,
  reason: 'Conflict',
  message: 'EVPN-004: VLAN 200 is claimed by several EvpnNetworks',
  devices: [],
  localPorts: 0,
  fdbEntries: 0,
  neighbors: 0,
  routes: 0,
};
const vrfs: VrfView[] = [
  { name: 'vrf-20000', device: 'vrf-20000', vni: 20000, routingTable: 1020000, networks: [l3.id], ready: true },
  { name: 'vrf-10100', device: 'vrf-10100', vni: 10100, routingTable: 1010100, networks: [l2.id], ready: true },
];

/** A small in-memory agent: two networks, two VRFs, counts sync requests. */
function memoryView(): AgentView & { syncs: number; isReady: boolean } {
  const v = {
    syncs: 0,
    isReady: false,
    networks: () => [l3, l2],
    network: (id: string) => [l2, l3].find((n) => n.id === id),
    vrfs: () => vrfs,
    metrics: () => ({
      networks: 2,
      l2Networks: 1,
      l3Networks: 1,
      vrfs: 2,
      ports: 3,
      fdbEntries: 3,
      neighborEntries: 4,
      syncDurationSeconds: 0.235,
      lastSyncTime: '2026-01-15T10:30:45Z',
      errors: 1,
    }),
    requestSync: (): SyncRequest => {
      v.syncs += 1;
      return { status: v.syncs === 1 ? 'started' : 'queued', taskId: `sync-${v.syncs}` };
    },
    ready: () => v.isReady,
  };
  return v;
}

/** What a request carries besides its method and path; it goes to 127.0.0.1 unless `host` says otherwise. */
interface CallOptions {
  body?: string;
  headers?: Record<string, string>;
  host?: string;
}

async function call(
  port: number,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const { body, headers = {}, host = '127.0.0.1' } = options;
  return new Promise((resolve, reject) => {
    const req = request({ host, port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const TOKEN = 'unit-test-token';
/** A request carrying the API's bearer token. */
const authed = (port: number, method: string, path: string, options: CallOptions = {}): ReturnType<typeof call> =>
  call(port, method, path, { ...options, headers: { authorization: `Bearer ${TOKEN}`, ...options.headers } });

describe('agent HTTP API, with the token', () => {
  let server: AgentApiServer | undefined;
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agent-api-'));
    await writeFile(join(dir, 'token'), `${TOKEN}\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(view: AgentView, registry?: MetricsRegistry): Promise<number> {
    server = createAgentApiServer({ view, port: 0, tokenFile: join(dir, 'token'), ...(registry ? { registry } : {}) });
    const address = await server.listen();
    expect(address.address).toBe('127.0.0.1');
    return address.port;
  }

  it("lists networks sorted by id, in the seed's JSON shape", async () => {
    const port = await start(memoryView());
    const r = await authed(port, 'GET', '/v1/evpn/networks');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(r.text) as Record<string, unknown>[];
    expect(body.map((n) => n['id'])).toEqual([l3.id, l2.id]);
    expect(body[1]).toMatchObject({
      id: l2.id,
      vni: 10101,
      type: 'l2',
      l2vni: 10101,
      l3vni: 10100,
      vlan_id: 101,
      vrf: 'vrf-10100',
      table_id: 1010100,
      ready: true,
      local_ports: 3,
      fdb_entries: 3,
      neighbor_entries: 4,
    });
    expect(body[0]).toMatchObject({ type: 'l3', l2vni: null, vni: null, ready: false, reason: 'Conflict' });
  });

  it('shows one network, 404 with EVPN-003 for an unknown one, 400 for a malformed id', async () => {
    const port = await start(memoryView());
    const one = await authed(port, 'GET', `/v1/evpn/networks/${l2.id}`);
    expect(one.status).toBe(200);
    expect(JSON.parse(one.text)).toMatchObject({
      id: l2.id,
      vrf: 'vrf-10100',
      devices: ['vx-10101', 'br-evpn.101'],
      route_targets: ['65000:10101'],
    });
    const missing = await authed(port, 'GET', '/v1/evpn/networks/nope');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toEqual({
      error: { code: 'EVPN-003', message: 'EVPN-003: network nope is not known on this node' },
    });
    expect((await authed(port, 'GET', '/v1/evpn/networks/a%20b')).status).toBe(400);
    expect((await authed(port, 'GET', '/v1/evpn/networks/%E0%A4%A')).status).toBe(400);
  });

  it('lists VRFs by VNI with their table and networks', async () => {
    const port = await start(memoryView());
    const body = JSON.parse((await authed(port, 'GET', '/v1/evpn/vrfs')).text) as unknown;
    expect(body).toEqual([
      {
        name: 'vrf-10100',
        device: 'vrf-10100',
        vni: 10100,
        table_id: 1010100,
        networks: [l2.id],
        ready: true,
        reason: null,
        message: null,
      },
      {
        name: 'vrf-20000',
        device: 'vrf-20000',
        vni: 20000,
        table_id: 1020000,
        networks: [l3.id],
        ready: true,
        reason: null,
        message: null,
      },
    ]);
  });

  it('summarises the agent in /v1/evpn/metrics', async () => {
    const port = await start(memoryView());
    expect(JSON.parse((await authed(port, 'GET', '/v1/evpn/metrics')).text)).toEqual({
      networks_total: 2,
      l2_networks: 1,
      l3_networks: 1,
      vrfs_total: 2,
      ports_total: 3,
      fdb_entries_total: 3,
      neighbor_entries_total: 4,
      sync_duration_seconds: 0.235,
      last_sync_time: '2026-01-15T10:30:45Z',
      errors_total: 1,
    });
  });

  it('starts a sync on POST and answers 202 with a task id', async () => {
    const view = memoryView();
    const port = await start(view);
    const first = await authed(port, 'POST', '/v1/evpn/sync', { body: '{}' });
    expect(first.status).toBe(202);
    expect(JSON.parse(first.text)).toEqual({ status: 'started', task_id: 'sync-1' });
    expect(JSON.parse((await authed(port, 'POST', '/v1/evpn/sync')).text)).toEqual({
      status: 'queued',
      task_id: 'sync-2',
    });
    expect(view.syncs).toBe(2);
  });

  it.each([
    ['POST', '/v1/evpn/networks'],
    ['PUT', `/v1/evpn/networks/${l2.id}`],
    ['DELETE', `/v1/evpn/networks/${l2.id}`],
    ['PATCH', '/v1/evpn/vrfs'],
    ['POST', '/v1/evpn/metrics'],
    ['POST', '/metrics'],
    ['DELETE', '/readyz'],
  ])('is read-only: %s %s is 405', async (method, path) => {
    const view = memoryView();
    const port = await start(view);
    const r = await authed(port, method, path, { body: '{"x":1}' });
    expect(r.status).toBe(405);
    expect(r.headers['allow']).toBe('GET, HEAD');
    expect(view.syncs).toBe(0);
  });

  it('takes only POST on /v1/evpn/sync', async () => {
    const view = memoryView();
    const port = await start(view);
    const r = await authed(port, 'GET', '/v1/evpn/sync');
    expect(r.status).toBe(405);
    expect(r.headers['allow']).toBe('POST');
    expect(view.syncs).toBe(0);
  });

  it('serves Prometheus /metrics from the registry, probes, and 404 elsewhere', async () => {
    const registry = new MetricsRegistry();
    registry.gauge('ovn_evpn_agent_networks', 'EvpnNetworks applied on this node').set({}, 2);
    const view = memoryView();
    const port = await start(view, registry);
    const m = await authed(port, 'GET', '/metrics');
    expect(m.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(m.text).toContain('ovn_evpn_agent_networks 2\n');
    expect((await authed(port, 'GET', '/livez')).status).toBe(200);
    expect((await authed(port, 'GET', '/readyz')).status).toBe(503);
    view.isReady = true;
    expect((await authed(port, 'GET', '/readyz')).status).toBe(200);
    expect((await authed(port, 'GET', '/v1/evpn/nope')).status).toBe(404);
    expect((await authed(port, 'HEAD', '/v1/evpn/vrfs')).status).toBe(200);
  });

  it('answers 500 with EVPN-005 when the view throws, and keeps serving', async () => {
    const view = {
      ...memoryView(),
      vrfs: (): VrfView[] => {
        throw new Error('boom');
      },
    };
    const port = await start(view);
    const r = await authed(port, 'GET', '/v1/evpn/vrfs');
    expect(r.status).toBe(500);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'EVPN-005' } });
    expect((await authed(port, 'GET', '/v1/evpn/networks')).status).toBe(200);
  });
});

describe('listen address', () => {
  it.each([
    ['127.0.0.1', undefined],
    ['127.0.0.53', undefined],
    ['::1', undefined],
    ['localhost', undefined],
    ['10.0.192.111', '10.0.192.111'],
  ])('accepts %s (pod IP %s)', (host, podIp) => {
    expect(() => {
      checkListenHost(host, podIp);
    }).not.toThrow();
  });

  it.each([
    ['0.0.0.0', '10.0.192.111'],
    ['::', '10.0.192.111'],
    ['10.0.192.112', '10.0.192.111'],
    ['10.0.192.111', undefined],
    ['example.org', 'example.org'],
  ])('refuses %s (pod IP %s)', (host, podIp) => {
    expect(() => {
      checkListenHost(host, podIp);
    }).toThrow(ListenAddressError);
  });

  it('refuses before binding anything', () => {
    expect(() => createAgentApiServer({ view: memoryView(), host: '0.0.0.0', port: 0 })).toThrow(
      'binds to loopback or the pod IP',
    );
  });
});

describe('the API is closed without the token, on the pod IP and on loopback', () => {
  // Seen by the agent as a pod IP (not loopback), while the traffic stays on this host's loopback (127.0.0.2).
  const EXPOSED = '::ffff:127.0.0.2';
  let server: AgentApiServer | undefined;
  let dir = '';
  afterEach(async () => {
    await server?.close();
    server = undefined;
    if (dir !== '') await rm(dir, { recursive: true, force: true });
    dir = '';
  });

  async function start(view: AgentView, host: string, tokenFile?: string): Promise<number> {
    const registry = new MetricsRegistry();
    registry.gauge('ovn_evpn_agent_networks', 'EvpnNetworks applied on this node').set({}, 2);
    server = createAgentApiServer({
      view,
      port: 0,
      host,
      podIp: host,
      registry,
      ...(tokenFile === undefined ? {} : { tokenFile }),
    });
    return (await server.listen()).port;
  }
  async function tokenFile(text: string): Promise<string> {
    dir = await mkdtemp(join(tmpdir(), 'agent-token-'));
    const file = join(dir, 'token');
    await writeFile(file, text);
    return file;
  }
  const paths = [
    '/v1/evpn/networks',
    `/v1/evpn/networks/${l2.id}`,
    '/v1/evpn/vrfs',
    '/v1/evpn/metrics',
    '/metrics',
    '/v1/evpn/nope',
  ];

  it.each([
    ['the pod IP', EXPOSED, '127.0.0.2'],
    ['loopback', '127.0.0.1', '127.0.0.1'],
  ])(
    'refuses every read and the sync without a token configured (%s): 403, probes still answer',
    async (_, host, to) => {
      const view = memoryView();
      view.isReady = true;
      const port = await start(view, host);
      for (const path of paths) {
        const r = await call(port, 'GET', path, { host: to, headers: { authorization: 'Bearer anything' } });
        expect(r.status, path).toBe(403);
        expect(JSON.parse(r.text)).toMatchObject({
          error: { code: 'Forbidden', message: expect.stringContaining('closed') as unknown },
        });
        expect(r.text).not.toContain(l2.id);
      }
      expect((await call(port, 'POST', '/v1/evpn/sync', { body: '{}', host: to })).status).toBe(403);
      expect(view.syncs).toBe(0);
      for (const probe of ['/healthz', '/livez', '/readyz'])
        expect((await call(port, 'GET', probe, { host: to })).status, probe).toBe(200);
    },
  );

  it.each([
    ['the pod IP', EXPOSED, '127.0.0.2'],
    ['loopback', '127.0.0.1', '127.0.0.1'],
  ])('takes reads and POST with the bearer token only (%s)', async (_, host, to) => {
    const view = memoryView();
    const port = await start(view, host, await tokenFile('s3cret-token\n'));
    for (const path of paths) {
      const none = await call(port, 'GET', path, { host: to });
      expect(none.status, path).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer');
      expect(none.text).not.toContain('ovn_evpn_agent_networks');
    }
    const none = await call(port, 'POST', '/v1/evpn/sync', { body: '{}', host: to });
    expect(none.status).toBe(401);
    expect(
      (await call(port, 'POST', '/v1/evpn/sync', { body: '{}', headers: { authorization: 'Bearer wrong' }, host: to }))
        .status,
    ).toBe(401);
    expect(
      (await call(port, 'POST', '/v1/evpn/sync', { body: '{}', headers: { authorization: 's3cret-token' }, host: to }))
        .status,
    ).toBe(401);
    expect(
      (await call(port, 'GET', '/v1/evpn/vrfs', { headers: { authorization: 'Bearer s3cret-tokenX' }, host: to }))
        .status,
    ).toBe(401);
    expect(view.syncs).toBe(0);
    const ok = await call(port, 'POST', '/v1/evpn/sync', {
      body: '{}',
      headers: { authorization: 'Bearer s3cret-token' },
      host: to,
    });
    expect(ok.status).toBe(202);
    expect(view.syncs).toBe(1);
    const read = await call(port, 'GET', '/v1/evpn/networks', {
      headers: { authorization: 'bearer s3cret-token' },
      host: to,
    });
    expect(read.status).toBe(200);
    expect(read.text).toContain(l2.id);
    expect(
      (await call(port, 'GET', '/metrics', { headers: { authorization: 'Bearer s3cret-token' }, host: to })).text,
    ).toContain('ovn_evpn_agent_networks 2');
  });

  it('applies a rotated token at once: the old one is refused from the next request', async () => {
    const view = memoryView();
    const file = await tokenFile('first');
    const port = await start(view, '127.0.0.1', file);
    expect((await call(port, 'GET', '/v1/evpn/vrfs', { headers: { authorization: 'Bearer first' } })).status).toBe(200);
    await writeFile(file, 'second\n');
    expect((await call(port, 'GET', '/v1/evpn/vrfs', { headers: { authorization: 'Bearer first' } })).status).toBe(401);
    expect((await call(port, 'GET', '/v1/evpn/vrfs', { headers: { authorization: 'Bearer second' } })).status).toBe(
      200,
    );
  });

  it('stays closed when the token file cannot be read or is empty', async () => {
    const view = memoryView();
    const port = await start(view, EXPOSED, '/nonexistent/token');
    const r = await call(port, 'POST', '/v1/evpn/sync', { headers: { authorization: 'Bearer x' }, host: '127.0.0.2' });
    expect(r.status).toBe(403);
    expect(r.text).toContain('ENOENT');
    expect(
      (await call(port, 'GET', '/v1/evpn/networks', { headers: { authorization: 'Bearer x' }, host: '127.0.0.2' }))
        .status,
    ).toBe(403);
    await server?.close();
    const port2 = await start(view, EXPOSED, await tokenFile('  \n'));
    expect(
      (await call(port2, 'POST', '/v1/evpn/sync', { headers: { authorization: 'Bearer x' }, host: '127.0.0.2' }))
        .status,
    ).toBe(403);
    expect(
      (await call(port2, 'GET', '/v1/evpn/vrfs', { headers: { authorization: 'Bearer ' }, host: '127.0.0.2' })).status,
    ).toBe(403);
    expect(view.syncs).toBe(0);
  });
});
