import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKubeConfig, uniqueName } from '../../test/harness/cluster/kube-test-env.ts';
import { Informer } from './informer.ts';
import { configMap, createNamespace, deleteNamespace, testClient } from '../../test/harness/kube/kube-fixtures.ts';
import { waitFor } from '../../test/harness/wait-for.ts';
import type { KubeClient } from './kube-client.ts';
import { coreResources, resourcePath, type KubeObject } from './resource.ts';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const cms = coreResources.configMaps;
let client: KubeClient;
let ns: string;

async function createCm(
  name: string,
  data: Record<string, string>,
  labels: Record<string, string> = {},
): Promise<ConfigMap> {
  return client.request<ConfigMap>({
    method: 'POST',
    path: resourcePath(cms, { namespace: ns }),
    body: configMap(ns, name, data, labels),
  });
}
async function patchCm(name: string, data: Record<string, string>): Promise<ConfigMap> {
  return client.request<ConfigMap>({
    method: 'PATCH',
    path: resourcePath(cms, { namespace: ns, name }),
    body: { data },
    contentType: 'application/merge-patch+json',
  });
}
async function deleteCm(name: string): Promise<void> {
  await client.request({ method: 'DELETE', path: resourcePath(cms, { namespace: ns, name }) });
}

function recordEvents(inf: Informer<ConfigMap>): string[] {
  const events: string[] = [];
  inf.on({
    add: (o) => events.push(`add ${o.metadata.name ?? ''}`),
    update: (o, n) => events.push(`update ${n.metadata.name ?? ''} ${o.data?.['v'] ?? ''}->${n.data?.['v'] ?? ''}`),
    delete: (o) => events.push(`delete ${o.metadata.name ?? ''}`),
  });
  return events;
}

describe('Informer against a real apiserver', () => {
  beforeAll(async () => {
    ({ client } = testClient(makeKubeConfig()));
    ns = uniqueName('lib-informer');
    await createNamespace(client, ns);
  });
  afterAll(async () => {
    await deleteNamespace(client, ns);
    client.close();
  });

  it('lists existing objects, then sees add, update and delete from the watch', async () => {
    await createCm('pre', { v: '0' });
    const inf = new Informer<ConfigMap>({ client, resource: cms, namespace: ns });
    const events = recordEvents(inf);
    inf.start();
    await inf.waitForSync();
    expect(inf.hasSynced()).toBe(true);
    expect(events).toEqual(['add pre']);

    await createCm('a', { v: '1' });
    await patchCm('a', { v: '2' });
    await deleteCm('pre');
    await waitFor('3 watch events', () => events.length === 4);
    expect(events).toEqual(['add pre', 'add a', 'update a 1->2', 'delete pre']);
    expect(inf.keys()).toEqual([`${ns}/a`]);
    expect(inf.get(`${ns}/a`)?.data).toEqual({ v: '2' });
    expect(inf.stats.lists).toBe(1);
    await inf.stop();
    await deleteCm('a');
  });

  it('re-watches from the last resourceVersion when the server ends the watch, without relisting', async () => {
    const inf = new Informer<ConfigMap>({ client, resource: cms, namespace: ns, watchTimeoutSeconds: 1 });
    const events = recordEvents(inf);
    inf.start();
    await inf.waitForSync();
    await new Promise((r) => setTimeout(r, 4_500));
    await createCm('late', { v: '1' });
    await waitFor('event after several watch restarts', () => events.includes('add late'));
    expect(inf.stats.watches).toBeGreaterThanOrEqual(2);
    expect(inf.stats.lists).toBe(1);
    expect(inf.stats.relistsAfterGone).toBe(0);
    await inf.stop();
    await deleteCm('late');
  });

  it('honours a label selector: an object relabelled out of the selection is deleted from the cache', async () => {
    const inf = new Informer<ConfigMap>({ client, resource: cms, namespace: ns, labelSelector: 'app=evpn' });
    const events = recordEvents(inf);
    inf.start();
    await inf.waitForSync();
    await createCm('in', { v: '1' }, { app: 'evpn' });
    await createCm('out', { v: '1' }, { app: 'other' });
    await waitFor('add in', () => events.includes('add in'));
    await client.request({
      method: 'PATCH',
      path: resourcePath(cms, { namespace: ns, name: 'in' }),
      body: { metadata: { labels: { app: 'other' } } },
      contentType: 'application/merge-patch+json',
    });
    await waitFor('delete in', () => events.includes('delete in'));
    expect(events).toEqual(['add in', 'delete in']);
    expect(inf.list()).toEqual([]);
    await inf.stop();
    await deleteCm('in');
    await deleteCm('out');
  });

  it('keeps its resourceVersion fresh through bookmarks while nothing it selects changes', async () => {
    const inf = new Informer<ConfigMap>({
      client,
      resource: cms,
      namespace: ns,
      labelSelector: 'app=nothing-matches',
      watchTimeoutSeconds: 4,
    });
    const events = recordEvents(inf);
    inf.start();
    await inf.waitForSync();
    const rv0 = Number(inf.lastResourceVersion());
    // The apiserver sends a bookmark shortly before each watch's deadline, carrying
    // its newest resourceVersion; keep writing objects this informer does not select.
    let written = 0;
    await waitFor(
      'a bookmark past the unrelated writes',
      async () => {
        await createCm(`unrelated-${written++}`, { v: '1' });
        return Number(inf.lastResourceVersion()) > rv0;
      },
      { timeoutMs: 30_000, stepMs: 500 },
    );
    expect(events).toEqual([]);
    expect(inf.stats.lists).toBe(1);
    await inf.stop();
    for (let i = 0; i < written; i++) await deleteCm(`unrelated-${i}`);
  });
});
