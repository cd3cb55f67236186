// The mass-deletion guard against the real components: real OVN NB, the
// operator in-process and a real kube-apiserver. OVN emptied, or most of it
// removed at once, holds the deletes (condition, Event, metric) until the hold
// ends or a person confirms an object with the annotation; a source that comes
// back in time loses nothing (same uids).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergePatchContentType } from '../../lib/kube/apply.ts';
import { resourcePath } from '../../lib/kube/resource.ts';
import type { OvnDatabases } from '../../test/harness/ovn/ovn-databases.ts';
import { evpnResources } from '../../crds/resources.ts';
import { driverExternalIds } from '../../test/fixtures/mirror/driver-rows.ts';
import { CONFIRM_DELETE_ANNOTATION } from '../mirror/mass-delete-guard.ts';
import { listEvents, type KubeEnv, conditionOf as condition } from '../../test/harness/operator/kube-env.ts';
import { startOperatorEnv, type OperatorEnv } from '../../test/harness/operator/operator-env.ts';
import { waitFor } from '../../test/harness/wait-for.ts';
import { runOperator, type RunningOperator } from '../../test/harness/operator/operator-harness.ts';
import { addNetwork, lsName } from '../../test/harness/operator/ovn-driver.ts';

const GRACE_MS = 300;
const HOLD_MS = 10_000;
let kube: KubeEnv;
let ovn: OvnDatabases;
let env: OperatorEnv;
let op: RunningOperator;

beforeAll(async () => {
  env = await startOperatorEnv();
  ({ kube, ovn } = env);
  op = await runOperator(kube, ovn, {
    pruneGraceMs: GRACE_MS,
    massDelete: { maxShare: 0.5, floor: 3, holdMs: HOLD_MS },
  });
}, 60_000);

afterAll(async () => {
  await op.stop();
  await env.stop();
});

const heldGauge = (): number => Number(/evpn_operator_held_deletes (\d+)/.exec(op.registry.render())?.[1] ?? NaN);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `count` l3 networks, each with its own VRF; returns their ids once all exist. */
async function addNetworks(count: number, vniBase: number): Promise<{ ids: string[]; uids: Map<string, string> }> {
  const ids = Array.from({ length: count }, () => randomUUID());
  for (const [i, id] of ids.entries())
    await addNetwork(
      ovn.nbctl,
      id,
      driverExternalIds({ vni: vniBase + i, type: 'l3', routeTargets: [`65000:${vniBase + i}`] }),
    );
  const uids = new Map<string, string>();
  for (const [i, id] of ids.entries()) {
    uids.set(id, (await waitFor('network', () => env.getNetwork(id))).metadata.uid ?? '');
    uids.set(`vrf-${vniBase + i}`, (await waitFor('vrf', () => env.getVrf(`vrf-${vniBase + i}`))).metadata.uid ?? '');
  }
  return { ids, uids };
}

describe('mass-deletion guard', () => {
  it('holds the deletes when OVN comes back empty, lets a confirmed object go at once, and the rest after the hold', async () => {
    const { ids } = await addNetworks(4, 90000);
    const started = Date.now();
    await ovn.nbctl(ids.flatMap((id) => ['--', 'ls-del', lsName(id)]).slice(1));
    const held = await waitFor('held', async () => {
      const n = await env.getNetwork(ids[0] ?? '');
      return condition(n, 'SourceDegraded')?.status === 'True' ? n : undefined;
    });
    expect(condition(held, 'SourceDegraded')?.message).toMatch(
      new RegExp(`delete is held: a mass deletion began at .*annotation ${CONFIRM_DELETE_ANNOTATION}=true`),
    );
    await sleep(4 * GRACE_MS);
    await op.operator.idle();
    for (const id of ids) expect(await env.getNetwork(id), id).toBeDefined();
    expect(await env.getVrf('vrf-90000')).toBeDefined();
    expect(heldGauge()).toBe(8);
    const events = await waitFor('DeletesHeld events', async () => {
      const e = (await listEvents(kube.client)).filter((x) => x.reason === 'DeletesHeld');
      return e.length >= 8 ? e : undefined;
    });
    expect(events.map((e) => e.regarding.name).sort()).toEqual(
      [...ids, 'vrf-90000', 'vrf-90001', 'vrf-90002', 'vrf-90003'].sort(),
    );

    // A person confirms one network: it goes now, the others stay held.
    const confirmed = ids[0] ?? '';
    await kube.client.request({
      method: 'PATCH',
      path: resourcePath(evpnResources.networks, { name: confirmed }),
      contentType: mergePatchContentType,
      body: { metadata: { annotations: { [CONFIRM_DELETE_ANNOTATION]: 'true' } } },
    });
    await waitFor('confirmed network gone', async () =>
      (await env.getNetwork(confirmed)) === undefined ? true : undefined,
    );
    expect(Date.now() - started).toBeLessThan(HOLD_MS);
    for (const id of ids.slice(1)) expect(await env.getNetwork(id), id).toBeDefined();

    // The source stayed empty for the whole hold: the rest go.
    await waitFor(
      'hold over',
      async () =>
        (await env.getNetwork(ids[3] ?? '')) === undefined && (await env.getVrf('vrf-90003')) === undefined
          ? true
          : undefined,
      { timeoutMs: HOLD_MS + 10_000 },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(HOLD_MS);
    for (const id of ids) expect(await env.getNetwork(id), id).toBeUndefined();
    expect(heldGauge()).toBe(0);
  }, 40_000);

  it('loses nothing when OVN comes back before the hold ends', async () => {
    const keep = await addNetworks(1, 91000);
    const { ids, uids } = await addNetworks(4, 91100);
    const rows = new Map(
      ids.map((id, i) => [id, driverExternalIds({ vni: 91100 + i, type: 'l3', routeTargets: [`65000:${91100 + i}`] })]),
    );
    await ovn.nbctl(ids.flatMap((id) => ['--', 'ls-del', lsName(id)]).slice(1));
    await waitFor('held', async () =>
      condition(await env.getNetwork(ids[0] ?? ''), 'SourceDegraded')?.status === 'True' ? true : undefined,
    );
    // 8 of 10 objects would go: more than half, more than the floor.
    expect(heldGauge()).toBe(8);
    for (const id of ids) await addNetwork(ovn.nbctl, id, rows.get(id));
    await waitFor('hold cleared', async () =>
      heldGauge() === 0 && condition(await env.getNetwork(ids[0] ?? ''), 'SourceDegraded')?.status === 'False'
        ? true
        : undefined,
    );
    await sleep(HOLD_MS);
    await op.operator.idle();
    for (const [name, uid] of uids) {
      const obj = name.startsWith('vrf-') ? await env.getVrf(name) : await env.getNetwork(name);
      expect(obj?.metadata.uid, name).toBe(uid);
    }
    expect((await env.getNetwork(keep.ids[0] ?? ''))?.metadata.uid).toBe(keep.uids.get(keep.ids[0] ?? ''));
  }, 40_000);
});
