import { afterEach, describe, expect, it } from 'vitest';
import { createProbeServer, type ProbeServer } from './http-server.ts';
import { MetricsRegistry } from './metrics.ts';

describe('probe server', () => {
  let server: ProbeServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('serves healthz, readyz with pluggable checks, and metrics on loopback', async () => {
    const registry = new MetricsRegistry();
    registry.counter('hits_total', 'Hits.').inc();
    server = createProbeServer({ port: 0, registry });
    let ready = false;
    server.addReadinessCheck('informers-synced', () => {
      if (!ready) throw new Error('caches not synced');
    });
    const address = await server.listen();
    expect(address.address).toBe('127.0.0.1');
    const base = `http://127.0.0.1:${address.port}`;

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toContain('[-]informers-synced failed: caches not synced');
    ready = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(await metrics.text()).toContain('hits_total 1\n');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('closes even with a keep-alive connection open', async () => {
    server = createProbeServer({ port: 0 });
    const { port } = await server.listen();
    await (await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { connection: 'keep-alive' } })).text();
    await server.close();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    server = undefined;
  });
});
