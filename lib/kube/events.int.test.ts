import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKubeConfig, uniqueName } from '../../test/harness/cluster/kube-test-env.ts';
import { EventRecorder, type ObjectReference } from './events.ts';
import { createNamespace, deleteNamespace, testClient } from '../../test/harness/kube/kube-fixtures.ts';
import type { KubeClient } from './kube-client.ts';
import { coreResources, resourcePath, type KubeList } from './resource.ts';
import type { WriteCounter } from './write-counter.ts';

interface EventV1 {
  metadata: { name: string };
  reason: string;
  type: string;
  note: string;
  action: string;
  reportingController: string;
  regarding: ObjectReference;
  series?: { count: number; lastObservedTime: string };
}

let client: KubeClient;
let writes: WriteCounter;
let ns: string;

const listEvents = async (): Promise<EventV1[]> =>
  (
    await client.request<KubeList<EventV1>>({
      method: 'GET',
      path: resourcePath(coreResources.events, { namespace: ns }),
    })
  ).items;

describe('EventRecorder against a real apiserver', () => {
  beforeAll(async () => {
    ({ client, writes } = testClient(makeKubeConfig()));
    ns = uniqueName('lib-events');
    await createNamespace(client, ns);
  });
  afterAll(async () => {
    await deleteNamespace(client, ns);
    client.close();
  });

  it('aggregates repeats of one event into a series instead of new objects', async () => {
    const recorder = new EventRecorder({
      client,
      reportingController: 'ovn-evpn.io/lib-test',
      reportingInstance: 'test-1',
      seriesIntervalMs: 300,
    });
    const regarding: ObjectReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'vrf-10100', namespace: ns };
    writes.reset();
    for (let i = 0; i < 20; i++)
      recorder.warning(regarding, 'FrrReloadFailed', 'Reload', 'frr-reload.py exited 1: line 12: unknown command');
    recorder.normal(regarding, 'VrfProgrammed', 'Reconcile', 'vrf-10100 table 1010100 up');
    await recorder.flush();

    const events = await listEvents();
    expect(events).toHaveLength(2);
    const failed = events.find((e) => e.reason === 'FrrReloadFailed');
    expect(failed).toMatchObject({
      type: 'Warning',
      action: 'Reload',
      reportingController: 'ovn-evpn.io/lib-test',
      regarding: { kind: 'ConfigMap', name: 'vrf-10100' },
    });
    expect(failed?.series?.count).toBe(20);
    expect(events.find((e) => e.reason === 'VrfProgrammed')?.series).toBeUndefined();
    // Two creates and one series update, not 21 writes.
    expect(writes.snapshot()).toEqual({ 'create events': 2, 'patch events': 1 });

    // Repeats within the series interval are batched into one more update.
    for (let i = 0; i < 5; i++)
      recorder.warning(regarding, 'FrrReloadFailed', 'Reload', 'frr-reload.py exited 1: line 12: unknown command');
    await new Promise((r) => setTimeout(r, 600));
    await recorder.flush();
    expect((await listEvents()).find((e) => e.reason === 'FrrReloadFailed')?.series?.count).toBe(25);
    expect(writes.total()).toBe(4);
  });

  it('never throws into the caller when the apiserver rejects the event', async () => {
    const recorder = new EventRecorder({
      client,
      reportingController: 'ovn-evpn.io/lib-test',
      reportingInstance: 'test-1',
    });
    const missingNs = uniqueName('no-such-ns');
    expect(() => {
      recorder.warning(
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', namespace: missingNs },
        'Bad',
        'Reconcile',
        'x',
      );
      recorder.warning(
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', namespace: missingNs },
        'Bad',
        'Reconcile',
        'x',
      );
    }).not.toThrow();
    await expect(recorder.flush()).resolves.toBeUndefined();
  });
});
