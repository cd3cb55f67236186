import { afterEach, describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../lib/metrics.ts';
import { createAgentMetricsServer } from './metrics-server.ts';

async function call(port: number, method: string, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, text: await res.text() };
}

describe('the metrics listener', () => {
  let server: { close(): Promise<void> } | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves /metrics and the probes without a token, and nothing of the API', async () => {
    const registry = new MetricsRegistry();
    registry.gauge('ovn_evpn_agent_vrfs', 'EvpnVrfs applied on this node').set({}, 3);
    let ready = false;
    const m = createAgentMetricsServer({ registry, port: 0, ready: () => ready });
    server = m;
    const { port } = await m.listen();
    const r = await call(port, 'GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.text).toContain('ovn_evpn_agent_vrfs 3\n');
    expect((await call(port, 'GET', '/readyz')).status).toBe(503);
    ready = true;
    expect((await call(port, 'GET', '/readyz')).status).toBe(200);
    expect((await call(port, 'GET', '/healthz')).status).toBe(200);
    for (const path of ['/v1/evpn/networks', '/v1/evpn/vrfs', '/v1/evpn/metrics'])
      expect((await call(port, 'GET', path)).status, path).toBe(404);
    expect((await call(port, 'POST', '/v1/evpn/sync')).status).toBe(404);
    expect((await call(port, 'POST', '/metrics')).status).toBe(405);
  });

  it('binds to loopback or the pod IP only', () => {
    expect(() => createAgentMetricsServer({ registry: new MetricsRegistry(), host: '0.0.0.0', port: 0 })).toThrow(
      'metrics listener binds to loopback or the pod IP',
    );
  });
});
