import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKubeConfig, uniqueName } from '../../test/harness/cluster/kube-test-env.ts';
import { applyObject, applyStatusIfChanged } from '../kube/apply.ts';
import { setCondition, type Condition } from '../kube/conditions.ts';
import { Informer } from '../kube/informer.ts';
import { createWidgetCrd, deleteCrd, testClient } from '../../test/harness/kube/kube-fixtures.ts';
import { waitFor } from '../../test/harness/wait-for.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { splitObjectKey, type KubeObject, type ResourceRef } from '../kube/resource.ts';
import type { WriteCounter } from '../kube/write-counter.ts';
import { MetricsRegistry } from '../metrics.ts';
import { Controller, TerminalError, type ReconcileEvent } from './controller.ts';

interface Widget extends KubeObject {
  spec?: { size?: number; color?: string };
  status?: { observedGeneration?: number; summary?: string; conditions?: Condition[] };
}

const group = `${uniqueName('lib-ctrl')}.example.com`;
const ns = 'default';
let client: KubeClient;
let writes: WriteCounter;
let widgets: ResourceRef;

/** A reconciler of the project's shape: desired status from spec (pure), written only when it differs. */
function startController(events: ReconcileEvent[], registry?: MetricsRegistry, resyncPeriodMs = 0): Controller {
  const informer = new Informer<Widget>({ client, resource: widgets, namespace: ns });
  const controller = new Controller({
    name: 'widget',
    resyncPeriodMs,
    ...(registry === undefined ? {} : { metrics: registry }),
    onReconcile: (e) => events.push(e),
    reconcile: async (key) => {
      const widget = informer.get(key);
      if (widget === undefined) return undefined;
      const generation = widget.metadata.generation ?? 0;
      const valid = widget.spec?.color !== 'ultraviolet';
      const conditions = setCondition(
        widget.status?.conditions ?? [],
        valid
          ? {
              type: 'Ready',
              status: 'True',
              reason: 'Rendered',
              message: `size ${widget.spec?.size ?? 0}`,
              observedGeneration: generation,
            }
          : {
              type: 'Ready',
              status: 'False',
              reason: 'InvalidSpec',
              message: 'spec.color ultraviolet is not a colour',
              observedGeneration: generation,
            },
        new Date(),
      );
      const { name } = splitObjectKey(key);
      await applyStatusIfChanged(
        client,
        widgets,
        widget,
        { observedGeneration: generation, conditions },
        { fieldManager: 'widget-controller', force: true },
      );
      if (!valid) throw new TerminalError(`widget ${name}: invalid colour`);
      return undefined;
    },
  });
  controller.watch(informer);
  return controller;
}

describe('Controller against a real apiserver', () => {
  beforeAll(async () => {
    ({ client, writes } = testClient(makeKubeConfig()));
    widgets = await createWidgetCrd(client, group);
  });
  afterAll(async () => {
    await deleteCrd(client, group);
    client.close();
  });

  it('reconciles every object, and a restart with nothing changed makes 0 writes', async () => {
    const names = ['w1', 'w2', 'w3', 'bad'];
    for (const n of names) {
      await applyObject(
        client,
        widgets,
        { metadata: { name: n, namespace: ns }, spec: { size: n.length, color: n === 'bad' ? 'ultraviolet' : 'red' } },
        { fieldManager: 'test' },
      );
    }
    const events1: ReconcileEvent[] = [];
    writes.reset();
    const first = startController(events1);
    await first.start();
    await waitFor('4 statuses written', () => writes.total() >= 4);
    await waitFor('status events settle', () => events1.length >= 8);
    await first.stop();
    // Each status write triggers one more reconcile (the informer sees the new
    // resourceVersion), which must find nothing to do.
    expect(writes.snapshot()).toEqual({ 'apply widgets/status': 4 });
    expect(events1.filter((e) => e.key === `${ns}/bad`).every((e) => e.outcome === 'terminal')).toBe(true);

    writes.reset();
    const events2: ReconcileEvent[] = [];
    const registry = new MetricsRegistry();
    const second = startController(events2, registry);
    await second.start();
    await waitFor('every key reconciled after restart', () => new Set(events2.map((e) => e.key)).size === 4);
    await new Promise((r) => setTimeout(r, 500));
    expect(writes.total()).toBe(0);
    expect(events2).toHaveLength(4);
    expect(registry.render()).toContain('controller_reconcile_total{controller="widget",outcome="success"} 3');

    // A spec change is reconciled: exactly one status write.
    await applyObject(
      client,
      widgets,
      { metadata: { name: 'w1', namespace: ns }, spec: { size: 42, color: 'red' } },
      { fieldManager: 'test' },
    );
    await waitFor('status of the changed widget', () => writes.snapshot()['apply widgets/status'] === 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(writes.snapshot()).toEqual({ 'apply widgets/status': 1, 'apply widgets': 1 });
    await second.stop();
  });

  it('resyncs every cached object periodically, still without writing when nothing drifted', async () => {
    const events: ReconcileEvent[] = [];
    writes.reset();
    const c = startController(events, undefined, 300);
    await c.start();
    await waitFor('three resync rounds', () => events.length >= 4 * 3, { timeoutMs: 10_000 });
    expect(new Set(events.map((e) => e.key)).size).toBe(4);
    expect(writes.total()).toBe(0);
    await c.stop();
  });
});
