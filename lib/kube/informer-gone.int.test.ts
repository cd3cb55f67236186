// The 410 path needs an apiserver restart, so this file runs its own private
// control plane instead of the shared one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../../test/harness/cluster/control-plane.ts';
import { Informer } from './informer.ts';
import { configMap, testClient } from '../../test/harness/kube/kube-fixtures.ts';
import { waitFor } from '../../test/harness/wait-for.ts';
import type { KubeClient } from './kube-client.ts';
import { coreResources, resourcePath, type KubeObject } from './resource.ts';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const cms = coreResources.configMaps;
const ns = 'default';
let cp: ControlPlane;
let client: KubeClient;

const createCm = (name: string, v: string): Promise<ConfigMap> =>
  client.request({ method: 'POST', path: resourcePath(cms, { namespace: ns }), body: configMap(ns, name, { v }) });
const patchCm = (name: string, v: string): Promise<ConfigMap> =>
  client.request({
    method: 'PATCH',
    path: resourcePath(cms, { namespace: ns, name }),
    body: { data: { v } },
    contentType: 'application/merge-patch+json',
  });
const deleteCm = (name: string): Promise<unknown> =>
  client.request({ method: 'DELETE', path: resourcePath(cms, { namespace: ns, name }) });

describe('Informer on 410 Gone (private apiserver, restarted)', () => {
  beforeAll(async () => {
    cp = await startControlPlane();
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    ({ client } = testClient(kc));
  });
  afterAll(async () => {
    client.close();
    await cp.stop();
  });

  it('relists after the restarted apiserver answers 410, emitting the missed add, update and delete', async () => {
    for (const n of ['keep', 'change', 'gone']) await createCm(n, '1');
    const inf = new Informer<ConfigMap>({ client, resource: cms, namespace: ns, initialBackoffMs: 200 });
    const events: string[] = [];
    inf.on({
      add: (o) => events.push(`add ${o.metadata.name ?? ''}`),
      update: (o, n) => events.push(`update ${n.metadata.name ?? ''} ${o.data?.['v'] ?? ''}->${n.data?.['v'] ?? ''}`),
      delete: (o) => events.push(`delete ${o.metadata.name ?? ''}`),
    });
    inf.start();
    await inf.waitForSync();
    expect(events.sort()).toEqual(['add change', 'add gone', 'add keep']);
    events.length = 0;
    const rvBefore = inf.lastResourceVersion();

    // Changes the informer does not see, then a new apiserver whose watch cache
    // starts after the informer's resourceVersion: it answers "too old resource version".
    await inf.pauseWatch();
    await deleteCm('gone');
    await patchCm('change', '2');
    await createCm('new', '1');
    await cp.restartApiServer();
    inf.resumeWatch();

    const relistFrom = Date.now();
    await waitFor('relist after 410', () => inf.stats.relistsAfterGone >= 1 && events.length >= 3, {
      timeoutMs: 30_000,
    });
    process.stderr.write(
      `informer: 410 after apiserver restart → relist and diff delivered in ${Date.now() - relistFrom} ms\n`,
    );
    expect(inf.stats.lists).toBe(2);
    expect(events.sort()).toEqual(['add new', 'delete gone', 'update change 1->2']);
    expect(inf.keys().sort()).toEqual(['default/change', 'default/keep', 'default/new']);
    expect(Number(inf.lastResourceVersion())).toBeGreaterThan(Number(rvBefore));

    // Still watching after the relist.
    await deleteCm('keep');
    await waitFor('delete after relist', () => events.includes('delete keep'));
    await inf.stop();
  });

  it('survives an apiserver restart mid-watch: re-watches with backoff and misses nothing', async () => {
    const inf = new Informer<ConfigMap>({ client, resource: cms, namespace: ns, initialBackoffMs: 200 });
    const events: string[] = [];
    inf.on({
      add: (o) => events.push(`add ${o.metadata.name ?? ''}`),
      delete: (o) => events.push(`delete ${o.metadata.name ?? ''}`),
    });
    inf.start();
    await inf.waitForSync();
    events.length = 0;
    const restartStarted = Date.now();
    await cp.restartApiServer();
    const restartMs = Date.now() - restartStarted;
    await createCm('after-restart', '1');
    const seenFrom = Date.now();
    await waitFor('add after restart', () => events.includes('add after-restart'), { timeoutMs: 30_000 });
    process.stderr.write(
      `informer: apiserver restart took ${restartMs} ms; the first write after it reached the informer in ${Date.now() - seenFrom} ms\n`,
    );
    expect(inf.stats.watches).toBeGreaterThanOrEqual(2);
    await inf.stop();
  });
});
