// The real agent process (bin/evpn-node-agent) against the real kube-apiserver
// and the real kernel in the UML guest: its API refuses every request without
// the token, reads and the sync alike, on loopback; answers with it; and its
// metrics listener serves Prometheus without the token and nothing of the API.
// Without a token file at all the API is closed (403) and the agent still works.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import { evpnResources } from '../../crds/resources.ts';
import { applyObject, deleteObject } from '../../lib/kube/apply.ts';
import { loadKubeConfig } from '../../lib/kube/config.ts';
import { KubeClient } from '../../lib/kube/kube-client.ts';
import { spawnComponent, terminate, waitUntil } from '../../test/harness/processes.ts';
import { requireUmlGuest } from '../../test/harness/uml/oracle.ts';

const repo = join(import.meta.dirname, '..', '..');
const DIR = '/tmp/agent-api-test';
const TOKEN = 'uml-agent-api-token-0123456789';
const NET = 'api-auth-net';

interface Answer {
  status: number;
  text: string;
}
async function call(port: number, method: string, path: string, token?: string): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    ...(method === 'POST' ? { body: '{}' } : {}),
  });
  return { status: res.status, text: await res.text() };
}

interface Agent {
  child: ChildProcess;
  log: string;
  api: number;
  metrics: number;
}
async function startAgent(name: string, api: number, metrics: number, tokenFile?: string): Promise<Agent> {
  const log = join(DIR, `${name}.log`);
  const child = spawnComponent(
    join(repo, 'bin', 'evpn-node-agent'),
    [
      '--vtep-ip=10.0.77.1',
      '--asn=65077',
      '--no-frr',
      '--no-ovs',
      `--http-addr=127.0.0.1:${api}`,
      `--metrics-addr=127.0.0.1:${metrics}`,
      ...(tokenFile === undefined ? [] : [`--api-token-file=${tokenFile}`]),
      '--bridge=br-apitest',
      '--uplink=up-apitest',
      '--uplink-peer=upp-apitest',
    ],
    log,
    false,
  );
  await waitUntil(
    `agent ${name}`,
    child,
    log,
    60_000,
    async () => (await call(metrics, 'GET', '/readyz').catch(() => ({ status: 0 }))).status === 200,
  );
  return { child, log, api, metrics };
}

beforeAll(() => {
  requireUmlGuest();
  process.env.NODE_NAME = 'uml-api-node';
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, 'token'), `${TOKEN}\n`);
});

describe('the agent API with a token file', () => {
  let agent: Agent;
  let client: KubeClient;
  beforeAll(async () => {
    client = new KubeClient(loadKubeConfig().kubeConfig);
    await applyObject(
      client,
      evpnResources.networks,
      {
        apiVersion: API_GROUP_VERSION,
        kind: 'EvpnNetwork',
        metadata: { name: NET },
        spec: { type: 'l2', vni: 17701, vlanId: 771 },
      },
      { fieldManager: 'agent-api-test', force: true },
    );
    agent = await startAgent('with-token', 19410, 19411, join(DIR, 'token'));
  });
  afterAll(async () => {
    await terminate(agent.child);
    await deleteObject(client, evpnResources.networks, { name: NET });
    client.close();
  });

  it.each([
    ['GET', '/v1/evpn/networks'],
    ['GET', `/v1/evpn/networks/${NET}`],
    ['GET', '/v1/evpn/vrfs'],
    ['GET', '/v1/evpn/metrics'],
    ['GET', '/metrics'],
    ['POST', '/v1/evpn/sync'],
  ])('refuses %s %s without the token or with a wrong one (401), on loopback', async (method, path) => {
    for (const token of [undefined, 'wrong-token']) {
      const r = await call(agent.api, method, path, token);
      expect(r.status).toBe(401);
      expect(r.text).not.toContain(NET);
      expect(r.text).toContain('Bearer');
    }
  });

  it('answers reads and the sync with the token, from the live agent', async () => {
    const list = await call(agent.api, 'GET', '/v1/evpn/networks', TOKEN);
    expect(list.status).toBe(200);
    expect((JSON.parse(list.text) as { id: string; vni: number }[]).find((n) => n.id === NET)).toMatchObject({
      id: NET,
      vni: 17701,
    });
    const sync = await call(agent.api, 'POST', '/v1/evpn/sync', TOKEN);
    expect(sync.status).toBe(202);
    expect(JSON.parse(sync.text)).toMatchObject({ task_id: expect.any(String) as unknown });
  });

  it('answers the probes without the token', async () => {
    for (const probe of ['/healthz', '/livez', '/readyz'])
      expect((await call(agent.api, 'GET', probe)).status, probe).toBe(200);
  });

  it('serves /metrics on the metrics listener without the token, and none of the API there', async () => {
    const m = await call(agent.metrics, 'GET', '/metrics');
    expect(m.status).toBe(200);
    expect(m.text).toContain('ovn_evpn_agent_networks');
    for (const path of ['/v1/evpn/networks', '/v1/evpn/vrfs'])
      expect((await call(agent.metrics, 'GET', path, TOKEN)).status, path).toBe(404);
    expect((await call(agent.metrics, 'POST', '/v1/evpn/sync', TOKEN)).status).toBe(404);
  });
});

describe('the agent API without a token file', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent('no-token', 19420, 19421);
  });
  afterAll(async () => {
    await terminate(agent.child);
    rmSync(DIR, { recursive: true, force: true });
  });

  it('is closed: every read and the sync are 403 whatever the header; the probes and metrics still answer', async () => {
    for (const [method, path] of [
      ['GET', '/v1/evpn/networks'],
      ['GET', '/v1/evpn/vrfs'],
      ['POST', '/v1/evpn/sync'],
    ] as const) {
      for (const token of [undefined, TOKEN]) {
        const r = await call(agent.api, method, path, token);
        expect(r.status, `${method} ${path}`).toBe(403);
        expect(r.text).toContain('closed');
      }
    }
    expect((await call(agent.api, 'GET', '/readyz')).status).toBe(200);
    expect((await call(agent.metrics, 'GET', '/metrics')).status).toBe(200);
  });
});
