import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKubeConfig, uniqueName } from '../../test/harness/cluster/kube-test-env.ts';
import { applyObject, applyStatus, applyStatusIfChanged, deleteObject, getObject } from './apply.ts';
import { setCondition, type Condition } from './conditions.ts';
import { createWidgetCrd, deleteCrd, testClient } from '../../test/harness/kube/kube-fixtures.ts';
import { KubeApiError, type KubeClient } from './kube-client.ts';
import type { KubeObject, ResourceRef } from './resource.ts';
import type { WriteCounter } from './write-counter.ts';

interface Widget extends KubeObject {
  spec?: { size?: number; color?: string };
  status?: { observedGeneration?: number; summary?: string; conditions?: Condition[] };
  metadata: KubeObject['metadata'] & { managedFields?: { manager: string; operation: string; subresource?: string }[] };
}

const group = `${uniqueName('lib-apply')}.example.com`;
let client: KubeClient;
let writes: WriteCounter;
let widgets: ResourceRef;

describe('server-side apply against a real apiserver', () => {
  beforeAll(async () => {
    ({ client, writes } = testClient(makeKubeConfig()));
    widgets = await createWidgetCrd(client, group);
  });
  afterAll(async () => {
    await deleteCrd(client, group);
    client.close();
  });

  it('creates, then updates spec by apply; status through /status; a repeated status costs no write', async () => {
    const name = uniqueName('w');
    writes.reset();
    const created = await applyObject<Widget>(
      client,
      widgets,
      { metadata: { name, namespace: 'default' }, spec: { size: 1, color: 'red' } },
      { fieldManager: 'lib-test' },
    );
    expect(created.spec).toEqual({ size: 1, color: 'red' });
    expect(created.metadata.generation).toBe(1);

    // .status on the main resource is ignored by a CRD with the status subresource.
    const ignored = await applyObject<Widget>(
      client,
      widgets,
      { metadata: { name, namespace: 'default' }, spec: { size: 2, color: 'red' }, status: { summary: 'nope' } },
      { fieldManager: 'lib-test' },
    );
    expect(ignored.spec?.size).toBe(2);
    expect(ignored.status).toBeUndefined();

    const now = new Date('2025-03-01T10:00:00Z');
    const conditions = setCondition(
      [],
      { type: 'Ready', status: 'True', reason: 'Converged', message: 'all good', observedGeneration: 2 },
      now,
    );
    const status = { observedGeneration: 2, summary: 'ok', conditions };
    const withStatus = await applyStatus<Widget>(client, widgets, { name, namespace: 'default' }, status, {
      fieldManager: 'lib-test-status',
    });
    expect(withStatus.status?.conditions?.[0]?.lastTransitionTime).toBe('2025-03-01T10:00:00Z');
    expect(
      withStatus.metadata.managedFields?.some((f) => f.manager === 'lib-test-status' && f.subresource === 'status'),
    ).toBe(true);
    expect(writes.snapshot()).toEqual({ 'apply widgets': 2, 'apply widgets/status': 1 });

    // Same desired status computed again later: lastTransitionTime is kept, nothing to write.
    const live = await getObject<Widget>(client, widgets, { name, namespace: 'default' });
    const again = setCondition(
      live.status?.conditions ?? [],
      { type: 'Ready', status: 'True', reason: 'Converged', message: 'all good', observedGeneration: 2 },
      new Date(),
    );
    const wrote = await applyStatusIfChanged(
      client,
      widgets,
      live,
      { observedGeneration: 2, summary: 'ok', conditions: again },
      { fieldManager: 'lib-test-status' },
    );
    expect(wrote).toBe(false);
    expect(writes.total()).toBe(3);

    const changed = await applyStatusIfChanged(
      client,
      widgets,
      live,
      { observedGeneration: 2, summary: 'degraded', conditions: again },
      { fieldManager: 'lib-test-status' },
    );
    expect(changed).toBe(true);
    expect((await getObject<Widget>(client, widgets, { name, namespace: 'default' })).status?.summary).toBe('degraded');
    expect(writes.total()).toBe(4);

    expect(await deleteObject(client, widgets, { name, namespace: 'default' })).toBe(true);
    expect(await deleteObject(client, widgets, { name, namespace: 'default' })).toBe(false);
  });

  it('reports a field conflict between managers unless forced', async () => {
    const name = uniqueName('w');
    await applyObject(
      client,
      widgets,
      { metadata: { name, namespace: 'default' }, spec: { size: 1 } },
      { fieldManager: 'owner-a' },
    );
    const conflict = await applyObject(
      client,
      widgets,
      { metadata: { name, namespace: 'default' }, spec: { size: 5 } },
      { fieldManager: 'owner-b' },
    ).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(KubeApiError);
    expect((conflict as KubeApiError).statusCode).toBe(409);
    expect((conflict as KubeApiError).message).toContain('.spec.size');
    const forced = await applyObject<Widget>(
      client,
      widgets,
      { metadata: { name, namespace: 'default' }, spec: { size: 5 } },
      { fieldManager: 'owner-b', force: true },
    );
    expect(forced.spec?.size).toBe(5);
    await deleteObject(client, widgets, { name, namespace: 'default' });
  });

  it('deletes only the object with the uid and resourceVersion given (409 otherwise)', async () => {
    const name = uniqueName('w');
    const target = { name, namespace: 'default' };
    const first = await applyObject<Widget>(
      client,
      widgets,
      { metadata: target, spec: { size: 1 } },
      { fieldManager: 'lib-test' },
    );
    await deleteObject(client, widgets, target);
    // A namesake created since: the old uid must not delete it.
    const second = await applyObject<Widget>(
      client,
      widgets,
      { metadata: target, spec: { size: 2 } },
      { fieldManager: 'lib-test' },
    );
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
    const wrongUid = await deleteObject(client, widgets, target, undefined, { uid: first.metadata.uid }).catch(
      (e: unknown) => e,
    );
    expect(wrongUid).toBeInstanceOf(KubeApiError);
    expect((wrongUid as KubeApiError).statusCode).toBe(409);
    // Changed since it was read: the old resourceVersion must not delete it.
    const changed = await applyObject<Widget>(
      client,
      widgets,
      { metadata: target, spec: { size: 3 } },
      { fieldManager: 'lib-test' },
    );
    const stale = await deleteObject(client, widgets, target, undefined, {
      uid: second.metadata.uid,
      resourceVersion: second.metadata.resourceVersion,
    }).catch((e: unknown) => e);
    expect((stale as KubeApiError).statusCode).toBe(409);
    expect((await getObject<Widget>(client, widgets, target)).spec).toEqual({ size: 3 });
    expect(
      await deleteObject(client, widgets, target, undefined, {
        uid: changed.metadata.uid,
        resourceVersion: changed.metadata.resourceVersion,
      }),
    ).toBe(true);
  });
});
